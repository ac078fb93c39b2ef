import { columns, F, runKintone, useKintoneEmulator } from './helpers';

/** Input mistakes found by the hardening fuzzing: each fails its own item, and says what it got. */
describe('Kintone node: messages about bad record IDs and revisions', () => {
	const kintone = useKintoneEmulator();

	it('a record ID that is an object or a list is described as such, not as "[object Object]"', async () => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'update', columns: columns({ $id: '={{ $json.id }}', [F.text]: 'x' }, { matchingColumns: ['$id'] }) },
			[{ id: { nested: 1 } }, { id: [{}] }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		const messages = result.outputs[0].map((item) => String(item.json.error));
		expect(messages[0]).toBe('"$id" must be a record ID (a positive whole number), got an object');
		expect(messages[1]).toBe('"$id" must be a record ID (a positive whole number), got a list');
		expect(kintone.emulator.server.requests.filter((request) => request.method === 'PUT')).toHaveLength(0);
	});

	it('a long value in a message is cut between characters, never inside an emoji', async () => {
		const value = `${'x'.repeat(39)}😀 and more`;
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.quantity]: '={{ $json.quantity }}' }) },
			[{ quantity: value }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(result.outputs[0][0].json.error).toBe(`"${F.quantity}" needs a number, got "${'x'.repeat(39)}😀…"`);
	});

	it('so is an Expected Revision that is not a number', async () => {
		const [id] = kintone.emulator.seedRecords(kintone.sample.app, [{ [F.code]: { value: 'A' } }]);
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'delete', recordId: id, options: { revision: '={{ $json.revision }}' } },
			[{ revision: { value: 3 } }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(result.outputs[0][0].json.error).toBe('Expected Revision must be a revision number (or empty), got an object');
	});
});
