import type { INodeParameters } from 'n8n-workflow';

import { columns, F, requestsTo, runKintone, useKintoneEmulator } from './setup';

describe('Kintone node: Create Many', () => {
	const kintone = useKintoneEmulator();

	it('creates 150 records in POSTs of 100 and 50, converting every field type to kintone’s format', async () => {
		const items = Array.from({ length: 150 }, (_, index) => ({
			code: `C-${index}`,
			quantity: index,
			price: '1.5e1',
			checks: 'A, C',
			colours: ['赤', '緑'],
			priority: '高',
			date: '2024-02-29T23:30:00+09:00',
			when: '2024-05-31 09:30',
			time: '7:05',
			users: 'sato,suzuki',
			customer: 'C002',
			lines: [{ [F.tableItem]: 'ねじ', [F.tableQuantity]: 4 }],
		}));

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{
				operation: 'create',
				columns: columns({
					[F.code]: '={{ $json.code }}',
					[F.quantity]: '={{ $json.quantity }}',
					[F.price]: '={{ $json.price }}',
					[F.checkBox]: '={{ $json.checks }}',
					[F.multiSelect]: '={{ $json.colours }}',
					[F.dropDown]: '={{ $json.priority }}',
					[F.date]: '={{ $json.date }}',
					[F.dateTime]: '={{ $json.when }}',
					[F.time]: '={{ $json.time }}',
					[F.user]: '={{ $json.users }}',
					[F.customerCode]: '={{ $json.customer }}',
					[F.table]: '={{ $json.lines }}',
				}),
			},
			items,
		);

		expect(result.error).toBeUndefined();
		const posts = requestsTo(kintone.emulator, 'POST', 'records');
		expect(posts.map((request) => (request.body as { records: unknown[] }).records.length)).toEqual([100, 50]);
		expect((posts[0].body as { records: unknown[] }).records[3]).toEqual({
			[F.code]: { value: 'C-3' },
			[F.quantity]: { value: '3' },
			[F.price]: { value: '1.5e1' },
			[F.checkBox]: { value: ['A', 'C'] },
			[F.multiSelect]: { value: ['赤', '緑'] },
			[F.dropDown]: { value: '高' },
			[F.date]: { value: '2024-02-29' },
			[F.dateTime]: { value: '2024-05-31T09:30:00Z' },
			[F.time]: { value: '07:05' },
			[F.user]: { value: [{ code: 'sato' }, { code: 'suzuki' }] },
			[F.customerCode]: { value: 'C002' },
			[F.table]: { value: [{ value: { [F.tableItem]: { value: 'ねじ' }, [F.tableQuantity]: { value: '4' } } }] },
		});

		const [output] = result.outputs;
		expect(output).toHaveLength(150);
		const id = output[3].json.id as string;
		// The output says what was written: id and revision, then the values as sent, as Get Many returns them.
		expect(output[3].json).toEqual({
			id,
			revision: '1',
			[F.code]: 'C-3',
			[F.quantity]: '3',
			[F.price]: '1.5e1',
			[F.checkBox]: ['A', 'C'],
			[F.multiSelect]: ['赤', '緑'],
			[F.dropDown]: '高',
			[F.date]: '2024-02-29',
			[F.dateTime]: '2024-05-31T09:30:00Z',
			[F.time]: '07:05',
			[F.user]: [{ code: 'sato' }, { code: 'suzuki' }],
			[F.customerCode]: 'C002',
			[F.table]: [{ [F.tableItem]: 'ねじ', [F.tableQuantity]: '4' }],
		});
		expect(Object.keys(output[3].json).slice(0, 2)).toEqual(['id', 'revision']);
		const stored = kintone.emulator.record(kintone.sample.app, id)!.record;
		expect(stored[F.code].value).toBe('C-3');
		expect(stored[F.amount].value).toBe('45');
		expect(stored[F.customerName].value).toBe('株式会社ジャスミン');
		expect(stored[F.user].value).toEqual([
			{ code: 'sato', name: '佐藤 昇' },
			{ code: 'suzuki', name: '鈴木 花子' },
		]);
		expect(stored[F.table].value).toEqual([
			expect.objectContaining({ value: expect.objectContaining({ [F.tableItem]: { type: 'SINGLE_LINE_TEXT', value: 'ねじ' } }) }),
		]);
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(150);
	});

	it('refuses an option that the field does not have, naming item and field, before sending', async () => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}', [F.checkBox]: '={{ $json.checks }}' }) },
			[
				{ code: 'ok', checks: 'A' },
				{ code: 'bad', checks: 'A, Z' },
			],
		);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			`Item 1: "Z" is not an option of "${F.checkBox}"; the options are "A", "B", "C"`,
		);
		expect(requestsTo(kintone.emulator, 'POST', 'records')).toHaveLength(0);
	});

	describe('atomic batches of up to 2,000', () => {
		const items = (count: number, bad?: number) =>
			Array.from({ length: count }, (_, index) => ({ code: `A-${index}`, quantity: index === bad ? -5 : 1 }));
		const parameters = {
			operation: 'create',
			columns: columns({ [F.code]: '={{ $json.code }}', [F.quantity]: '={{ $json.quantity }}' }),
			options: { atomic: true },
		};

		it('sends 2,500 records as bulk requests of 20 × 100 and 5 × 100', async () => {
			const result = await runKintone(kintone.emulator, kintone.sample, parameters, items(2500));

			expect(result.error).toBeUndefined();
			const bulks = requestsTo(kintone.emulator, 'POST', 'bulkRequest');
			expect(bulks.map((request) => (request.body as { requests: unknown[] }).requests.length)).toEqual([20, 5]);
			expect((bulks[0].body as { requests: Array<{ method: string; api: string }> }).requests[0]).toMatchObject({
				method: 'POST',
				api: '/k/v1/records.json',
			});
			expect(result.outputs[0]).toHaveLength(2500);
			expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(2500);
		});

		it('rolls back a whole 2,000 batch when one record fails, and reports it so', async () => {
			const result = await runKintone(kintone.emulator, kintone.sample, parameters, items(2500, 1234), {
				node: { onError: 'continueErrorOutput' },
			});

			expect(result.error).toBeUndefined();
			const [successes, errors] = result.outputs;
			expect(errors).toHaveLength(2000);
			expect(successes).toHaveLength(500);
			expect(successes[0].pairedItem).toEqual({ item: 2000 });

			const culprit = errors[1234];
			expect(culprit.json.details).toMatchObject({ itemIndex: 1234, code: 'CB_VA01', fields: [F.quantity] });
			expect(culprit.json.error).toContain(`kintone refused this record: ${F.quantity}: The value must be 0 or more`);
			expect(culprit.json.error).toContain('Nothing in the atomic batch of 2,000 records (one bulk request, applied all or nothing as the "Atomic Batches" option asks) was saved.');
			expect(errors[0].json.details).toMatchObject({ itemIndex: 0, rolledBack: true, causedBy: [1234] });
			expect(errors[0].json.error).toContain('item 1234 (new record)');

			// Nothing of the first 2,000 exists; the last 500 were saved.
			const codes = kintone.emulator.records(kintone.sample.app).map((record) => record.record[F.code].value);
			expect(codes).toEqual(Array.from({ length: 500 }, (_, index) => `A-${2000 + index}`));
		});
	});

	describe('concurrency', () => {
		// Each request takes a while, so requests sent together are seen together.
		const slow = useKintoneEmulator({ latencyMs: 40 });

		const run = (options: INodeParameters) =>
			runKintone(
				slow.emulator,
				slow.sample,
				{ operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}' }), options },
				Array.from({ length: 400 }, (_, index) => ({ code: `K-${index}` })),
			);

		it('sends a few requests at once by default, and one at a time with Concurrency 1', async () => {
			const byDefault = await run({});
			expect(byDefault.error).toBeUndefined();
			expect(requestsTo(slow.emulator, 'POST', 'records')).toHaveLength(4);
			// kintone needs no token first, so all four go together.
			expect(slow.emulator.peakConcurrency()).toBe(4);

			slow.emulator.reset();
			const oneAtATime = await run({ concurrency: 1 });
			expect(oneAtATime.error).toBeUndefined();
			expect(slow.emulator.peakConcurrency()).toBe(1);
		});

		it('sends several requests at once when asked, each item still paired with its result', async () => {
			const result = await run({ concurrency: 4 });
			expect(result.error).toBeUndefined();
			expect(slow.emulator.peakConcurrency()).toBeGreaterThan(1);
			result.outputs[0].forEach((item, index) => {
				expect(item.pairedItem).toEqual({ item: index });
				expect(slow.emulator.record(slow.sample.app, item.json.id as string)?.record[F.code].value).toBe(`K-${index}`);
			});
		});
	});
});

describe('Kintone node: culprits named from either form of kintone\'s error keys', () => {
	const kintone = useKintoneEmulator();

	it.each([
		['dotted', `records[1].${F.quantity}.value`],
		['bracketed (as live systems report it)', `records[1][${F.quantity}].value`],
	])('%s key: the record is named with its field, and the others of its request are written', async (_, key) => {
		kintone.emulator.server.inject({
			match: (request) => request.method === 'POST' && request.path.endsWith('/records.json'),
			action: {
				kind: 'respond',
				reply: {
					status: 400,
					body: { code: 'CB_VA01', id: 'e1', message: '入力内容が正しくありません。', errors: { [key]: { messages: ['最小でも0以上です。'] } } },
				},
			},
		});

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}', [F.quantity]: '={{ $json.quantity }}' }) },
			[{ code: 'a', quantity: 1 }, { code: 'b', quantity: -1 }, { code: 'c', quantity: 3 }],
			{ node: { onError: 'continueErrorOutput' } },
		);

		const [written, errors] = result.outputs;
		expect(errors).toHaveLength(1);
		expect(errors[0].json.details).toMatchObject({ itemIndex: 1, fields: [F.quantity], code: 'CB_VA01', outcome: 'failed' });
		expect(errors[0].json.error).toContain(`kintone refused this record: ${F.quantity}: 最小でも0以上です. The other records of its request were sent again without it.`);
		expect(written.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 2]);
		expect(kintone.emulator.records(kintone.sample.app).map((record) => record.record[F.code].value)).toEqual(['a', 'c']);
	});
});
