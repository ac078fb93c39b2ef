import { columns, F, runKintone, useKintoneEmulator } from './helpers';

/** Input mistakes found by the hardening fuzzing: each fails its own item, and says what it got. */
describe('Kintone node: a bad value fails its own item, saying what it got', () => {
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

	it('dates: each day of the calendar is sent, leap days included; a day that does not exist fails its item', async () => {
		const dates = ['2024-02-29', '2000-02-29', '2024-2-9', '2024/12/31 23:59', '2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '0099-01-01'];
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}', [F.date]: '={{ $json.date }}' }) },
			dates.map((date, index) => ({ code: `D-${index}`, date })),
			{ node: { onError: 'continueRegularOutput' } },
		);

		const [post] = kintone.emulator.server.requests.filter((request) => request.method === 'POST');
		const sent = (post.body as { records: Array<Record<string, { value: string }>> }).records.map((record) => record[F.date].value);
		expect(sent).toEqual(['2024-02-29', '2000-02-29', '2024-02-09', '2024-12-31']);
		const errors = result.outputs[0].map((item) => item.json.error);
		expect(errors.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
		expect(kintone.emulator.records(kintone.sample.app).map(({ record }) => record[F.date].value)).toEqual(sent);
		for (const [index, date] of dates.entries()) {
			if (index >= 4) expect(errors[index]).toBe(`"${F.date}" needs a date like 2024-05-31, got "${date}"`);
		}
	});
});
