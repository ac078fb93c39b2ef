import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import { columns, F, requestsTo, runKintone, sampleRecord, useKintoneEmulator } from './setup';

type Result = Awaited<ReturnType<typeof runKintone>>;

const hintsOf = (result: Result) => (result.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);
const jsonOf = (result: Result, output = 0) => (result.outputs[output] ?? []).map((item) => item.json as IDataObject);
const onError = { node: { onError: 'continueErrorOutput' as const } };

/** Requests that change records (reads sent as POST with a method override are reads). */
const isWrite = (request: RecordedRequest) =>
	request.method !== 'GET' && !request.headers['x-http-method-override'] && /\/v1\/(records|bulkRequest)\.json$/.test(request.path);

describe('Kintone node: Sync', () => {
	const kintone = useKintoneEmulator();
	const app = () => kintone.sample.app;
	const writes = () => kintone.emulator.server.requests.filter(isWrite);
	const sync = (parameters: INodeParameters, items: IDataObject[], options = {}) =>
		runKintone(kintone.emulator, kintone.sample, { operation: 'sync', ...parameters }, items, options);
	const byCode = (values: IDataObject = { [F.text]: '={{ $json.text }}', [F.quantity]: '={{ $json.quantity }}' }) => ({
		columns: columns({ [F.code]: '={{ $json.code }}', ...values }, { matchingColumns: [F.code] }),
	});
	const revisions = () => Object.fromEntries(kintone.emulator.records(app()).map((record) => [record.id, record.revision]));

	it('creates the missing, updates only the changed fields, leaves the rest untouched, and a second run writes nothing', async () => {
		const [one, two] = kintone.emulator.seedRecords(app(), [sampleRecord(1, { [F.quantity]: '1.5' }), sampleRecord(2, { [F.quantity]: '3' })]);
		const items = [
			{ code: 'R-1', text: 'original 1', quantity: '1.50' },
			{ code: 'R-2', text: 'changed', quantity: 3 },
			{ code: 'NEW-1', text: 'new', quantity: 7 },
		];
		kintone.emulator.server.reset();
		const result = await sync(byCode(), items);
		expect(result.error).toBeUndefined();
		const [unchanged, updated, created] = jsonOf(result);
		expect(unchanged).toEqual({ sync: 'unchanged', [F.code]: 'R-1', id: one, revision: '1' });
		expect(updated).toEqual({ sync: 'updated', [F.code]: 'R-2', id: two, revision: '2', [F.text]: 'changed', changes: { [F.text]: { old: 'original 2', new: 'changed' } } });
		expect(created).toEqual({ sync: 'created', id: expect.any(String), revision: '1', [F.code]: 'NEW-1', [F.text]: 'new', [F.quantity]: '7' });
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		// One read of the three keys, one update of the one changed field, one add.
		expect(writes().map((request) => request.method)).toEqual(['PUT', 'POST']);
		const [put] = requestsTo(kintone.emulator, 'PUT', 'records');
		expect((put.body as { records: unknown[] }).records).toEqual([{ id: two, record: { [F.text]: { value: 'changed' } } }]);
		expect(kintone.emulator.record(app(), one)?.revision).toBe('1');
		expect(hintsOf(result)).toContain('Sync: 1 created, 1 updated, 1 unchanged, 0 removed.');

		kintone.emulator.server.reset();
		const before = revisions();
		const again = await sync(byCode(), items);
		expect(jsonOf(again).map((json) => json.sync)).toEqual(['unchanged', 'unchanged', 'unchanged']);
		expect(writes()).toEqual([]);
		expect(revisions()).toEqual(before);
	});

	it('reads the current records 500 keys per request and writes only the changed ones, in batches of 100', async () => {
		kintone.emulator.seedRecords(app(), Array.from({ length: 1200 }, (_, index) => sampleRecord(index, { [F.quantity]: String(index) })));
		const items = Array.from({ length: 1200 }, (_, index) => ({ code: `R-${index}`, text: `original ${index}`, quantity: index % 10 === 0 ? index + 1 : index }));
		kintone.emulator.server.reset();
		const result = await sync(byCode(), items);
		expect(result.error).toBeUndefined();
		const reads = kintone.emulator.server.requests.filter((request) => /records\.json$/.test(request.path) && !isWrite(request));
		expect(reads).toHaveLength(3);
		expect(writes().map((request) => (request.body as { records: unknown[] }).records.length)).toEqual([100, 20]);
		expect(jsonOf(result).filter((json) => json.sync === 'updated')).toHaveLength(120);
	});

	it('fails items naming the same record, each naming the other, and writes nothing for that record', async () => {
		const [one] = kintone.emulator.seedRecords(app(), [sampleRecord(1)]);
		const result = await sync(byCode({ [F.text]: '={{ $json.text }}' }), [
			{ code: 'R-1', text: 'first' },
			{ code: 'R-2', text: 'other' },
			{ code: 'R-1', text: 'second' },
		], onError);
		const [first, other, second] = result.outputs[0].concat(result.outputs[1] ?? []).sort((a, b) => (a.pairedItem as { item: number }).item - (b.pairedItem as { item: number }).item).map((item) => item.json as IDataObject);
		expect(first.error).toBe(`Items 0, 2 name the same record (${F.code} = "R-1"), so nothing was written for it: keep one item per record, e.g. with a Remove Duplicates node before this one`);
		expect(second.error).toMatch(/^Items 2, 0 name the same record/);
		expect(other).toMatchObject({ sync: 'created', [F.code]: 'R-2' });
		expect(kintone.emulator.record(app(), one)?.record[F.text]?.value).toBe('original 1');
	});

	it('stops before anything is written when items name the same record and errors stop the workflow', async () => {
		kintone.emulator.seedRecords(app(), [sampleRecord(1)]);
		kintone.emulator.server.reset();
		const result = await sync(byCode({ [F.text]: '={{ $json.text }}' }), [{ code: 'NEW', text: 'a' }, { code: 'R-1', text: 'b' }, { code: 'R-1', text: 'c' }]);
		expect(result.error?.message).toMatch(/^Item 1: Items 1, 2 name the same record/);
		expect(kintone.emulator.server.requests.filter((request) => /records\.json$/.test(request.path))).toEqual([]);
	});

	it('by record ID: updates the records found and refuses to add a record whose ID does not exist', async () => {
		const [one] = kintone.emulator.seedRecords(app(), [sampleRecord(1)]);
		const result = await sync({ columns: columns({ $id: '={{ $json.id }}', [F.text]: '={{ $json.text }}' }, { matchingColumns: ['$id'] }) }, [
			{ id: one, text: 'by id' },
			{ id: '999', text: 'nowhere' },
		], onError);
		expect(result.outputs[0].map((item) => item.json)).toEqual([expect.objectContaining({ sync: 'updated', id: one })]);
		expect((result.outputs[1][0].json as IDataObject).error).toBe(
			'Record 999 does not exist. Sync by record ID cannot add it (kintone numbers new records itself): match on a unique field to add missing records',
		);
		expect(kintone.emulator.records(app())).toHaveLength(1);
	});

	describe('compares values as kintone stores them: no write when only the format differs, a write when the value does', () => {
		const cases: Array<{ type: string; code: string; stored: unknown; sameAs: IDataObject[string]; differs: IDataObject[string] }> = [
			{ type: 'NUMBER', code: F.quantity, stored: '1.5', sameAs: '1.50', differs: 1.6 },
			{ type: 'NUMBER (empty)', code: F.price, stored: '', sameAs: '', differs: 0 },
			{ type: 'SINGLE_LINE_TEXT', code: F.text2, stored: 'abc', sameAs: 'abc', differs: 'abc ' },
			{ type: 'MULTI_LINE_TEXT', code: F.note, stored: 'a\nb', sameAs: 'a\nb', differs: 'a\nB' },
			{ type: 'DATE', code: F.date, stored: '2024-05-01', sameAs: '2024-5-1', differs: '2024-05-02' },
			{ type: 'TIME', code: F.time, stored: '09:30', sameAs: '9:30', differs: '09:31' },
			{ type: 'DATETIME', code: F.dateTime, stored: '2024-05-31T09:30:00Z', sameAs: '2024-05-31T18:30:45+09:00', differs: '2024-05-31T09:31:00Z' },
			{ type: 'CHECK_BOX', code: F.checkBox, stored: ['A', 'B'], sameAs: ['B', 'A'], differs: ['A'] },
			{ type: 'MULTI_SELECT', code: F.multiSelect, stored: ['赤', '青'], sameAs: '青, 赤', differs: ['赤', '緑'] },
			{ type: 'DROP_DOWN', code: F.dropDown, stored: '高', sameAs: '高', differs: '中' },
			{ type: 'USER_SELECT', code: F.user, stored: [{ code: 'sato' }], sameAs: 'sato', differs: 'suzuki' },
			{ type: 'LINK', code: F.link, stored: 'https://example.com', sameAs: 'https://example.com', differs: 'https://example.org' },
			{
				type: 'SUBTABLE',
				code: F.table,
				stored: [{ value: { [F.tableItem]: { value: 'bolt' }, [F.tableQuantity]: { value: '2' } } }],
				sameAs: [{ [F.tableItem]: 'bolt', [F.tableQuantity]: 2.0 }],
				differs: [{ [F.tableItem]: 'bolt', [F.tableQuantity]: 3 }],
			},
		];
		it.each(cases)('$type', async ({ code, stored, sameAs, differs }) => {
			const [id] = kintone.emulator.seedRecords(app(), [sampleRecord(1, { [code]: stored })]);
			const mapped = byCode({ [code]: '={{ $json.value }}' });
			kintone.emulator.server.reset();
			const same = await sync(mapped, [{ code: 'R-1', value: sameAs }]);
			expect(same.error).toBeUndefined();
			expect(jsonOf(same)[0].sync).toBe('unchanged');
			expect(writes()).toEqual([]);

			const changed = await sync(mapped, [{ code: 'R-1', value: differs }]);
			expect(jsonOf(changed)[0]).toMatchObject({ sync: 'updated', changes: { [code]: expect.anything() } });
			expect(writes()).toHaveLength(1);
			expect(kintone.emulator.record(app(), id)?.revision).toBe('2');
		});
	});

	describe('Remove Records Not in Input', () => {
		/** Records R-0..R-9, R-0..R-4 with text2 "EMEA" (the scope), the others "APAC". */
		const seedRegions = () =>
			kintone.emulator.seedRecords(app(), Array.from({ length: 10 }, (_, index) => sampleRecord(index, { [F.text2]: index < 5 ? 'EMEA' : 'APAC' })));
		const mirror = (extra: IDataObject = {}) => ({
			...byCode({ [F.text]: '={{ $json.text }}' }),
			removeMissing: true,
			scope: `${F.text2} in ("EMEA")`,
			safetyLimit: 'count',
			maxRemoved: 10,
			...extra,
		});

		it('removes the records in scope that no item names, on the second output; records out of scope are never touched', async () => {
			const ids = seedRegions();
			const before = revisions();
			const items = [0, 1, 2].map((index) => ({ code: `R-${index}`, text: `original ${index}` }));
			kintone.emulator.server.reset();
			const result = await sync(mirror(), items);
			expect(result.error).toBeUndefined();
			expect(jsonOf(result).map((json) => json.sync)).toEqual(['unchanged', 'unchanged', 'unchanged']);
			expect(jsonOf(result, 1)).toEqual([
				{ sync: 'removed', id: ids[3], [F.code]: 'R-3' },
				{ sync: 'removed', id: ids[4], [F.code]: 'R-4' },
			]);
			const remaining = kintone.emulator.records(app()).map((record) => record.record[F.code]?.value);
			expect(remaining).toEqual(['R-0', 'R-1', 'R-2', 'R-5', 'R-6', 'R-7', 'R-8', 'R-9']);
			// The APAC records were not written either.
			for (const id of ids.slice(5)) expect(kintone.emulator.record(app(), id)?.revision).toBe(before[id]);
			const [deletion] = requestsTo(kintone.emulator, 'DELETE', 'records');
			expect(deletion.body).toEqual({ app: String(app()), ids: [ids[3], ids[4]], revisions: ['1', '1'] });
			expect(hintsOf(result)).toContain('Sync: 0 created, 0 updated, 3 unchanged, 2 removed.');
		});

		it.each([
			['share', { safetyLimit: 'share', maxRemovedShare: 10 }, /it would remove 2 of the 5 records in scope of app \d+ \(40%\), more than Max Share Removed allows \(10%\)|allows 10%/],
			['count', { safetyLimit: 'count', maxRemoved: 1 }, /it would remove 2 of the 5 records in scope of app \d+ \(40%\), more than Max Records Removed allows 1$/],
		])('the safety limit (%s) stops the run before any write, saying how many would go', async (_, limit, message) => {
			seedRegions();
			const before = JSON.stringify(kintone.emulator.records(app()));
			kintone.emulator.server.reset();
			const items = [{ code: 'R-0', text: 'changed' }, { code: 'R-1', text: 'x' }, { code: 'R-2', text: 'y' }, { code: 'NEW', text: 'new' }];
			const result = await sync(mirror(limit), items);
			expect(result.error?.message).toMatch(/^Sync stopped before writing anything: /);
			expect(result.error?.message).toMatch(message);
			expect(writes()).toEqual([]);
			expect(JSON.stringify(kintone.emulator.records(app()))).toBe(before);
		});

		it('a Dry Run over the safety limit shows which would go and says that the real run would stop', async () => {
			seedRegions();
			kintone.emulator.server.reset();
			const items = [{ code: 'R-0', text: 'original 0' }];
			const result = await sync(mirror({ safetyLimit: 'share', maxRemovedShare: 10, options: { dryRun: true } }), items);
			expect(result.error).toBeUndefined();
			expect(jsonOf(result, 1).map((json) => (json.record as IDataObject).id)).toHaveLength(4);
			expect(hintsOf(result)).toContainEqual(
				expect.stringMatching(/^The real run would stop before writing anything: it would remove 4 of the 5 records in scope of app \d+ \(80%\), more than Max Share Removed allows 10%\.$/),
			);
			expect(writes()).toEqual([]);
		});

		it('removes nothing when an item could not be read, as its record is not known', async () => {
			seedRegions();
			const result = await sync(
				{ ...mirror(), columns: columns({ [F.code]: '={{ $json.code }}', [F.quantity]: '={{ $json.quantity }}' }, { matchingColumns: [F.code] }) },
				[{ code: 'R-0', quantity: 'many' }, { code: 'R-1', quantity: 1 }],
				onError,
			);
			expect(jsonOf(result, 1)).toEqual([]);
			expect(kintone.emulator.records(app())).toHaveLength(10);
			expect(hintsOf(result).join('\n')).toContain('No record was removed: 1 item could not be synced');
		});

		it('reads a dense scope in pages of 500 record IDs, several at once, and a sparse one through a cursor', async () => {
			kintone.emulator.seedRecords(app(), Array.from({ length: 1200 }, (_, index) => sampleRecord(index, { [F.text2]: 'EMEA' })));
			const items = Array.from({ length: 1200 }, (_, index) => ({ code: `R-${index}`, text: `original ${index}` }));
			const reads = () => kintone.emulator.server.requests.filter((request) => /records(\/cursor)?\.json$/.test(request.path) && !isWrite(request));
			const queryOf = (request: RecordedRequest) => String((request.method === 'GET' ? request.query.get('query') : (request.body as IDataObject).query) ?? '');
			kintone.emulator.server.reset();
			const dense = await sync(mirror({ scope: `${F.text2} = "EMEA"` }), items);
			expect(jsonOf(dense).every((json) => json.sync === 'unchanged')).toBe(true);
			// One read finds the highest ID and the count; then 3 pages of 500 IDs (read at once, in any order).
			expect(reads().map(queryOf).sort()).toEqual(
				[
					`(${F.text2} = "EMEA") order by $id desc limit 1`,
					...[1, 501, 1001].map((from) => `(${F.text2} = "EMEA") and $id >= ${from} and $id < ${from + 500} order by $id asc limit 500`),
				].sort(),
			);
			expect(reads().some((request) => request.path.endsWith('cursor.json'))).toBe(false);

			kintone.emulator.server.reset();
			const sparse = await sync(mirror({ scope: `${F.code} in ("R-0", "R-1199")` }), [{ code: 'R-0', text: 'original 0' }, { code: 'R-1199', text: 'original 1199' }]);
			expect(jsonOf(sparse).map((json) => json.sync)).toEqual(['unchanged', 'unchanged']);
			expect(reads().filter((request) => request.path.endsWith('cursor.json')).map((request) => request.method)).toEqual(['POST', 'GET']);
		});

		it('asks for a scope that is conditions only', async () => {
			seedRegions();
			const result = await sync(mirror({ scope: `${F.text2} in ("EMEA") order by $id asc` }), [{ code: 'R-0', text: 'x' }]);
			expect(result.error?.message).toBe('The Scope takes conditions only');
			expect(writes()).toEqual([]);
			// A quoted value may hold those words.
			const quoted = await sync(mirror({ scope: `${F.text2} in ("EMEA", "limit 5 order by x")`, safetyLimit: 'share', maxRemovedShare: 100 }), [{ code: 'R-0', text: 'original 0' }]);
			expect(quoted.error).toBeUndefined();
		});
	});

	it('Dry Run: reads, writes nothing, and the real run then does exactly what the preview said', async () => {
		kintone.emulator.seedRecords(app(), Array.from({ length: 6 }, (_, index) => sampleRecord(index, { [F.text2]: 'EMEA' })));
		const parameters = { ...byCode({ [F.text]: '={{ $json.text }}' }), removeMissing: true, scope: `${F.text2} = "EMEA"`, safetyLimit: 'share', maxRemovedShare: 50 };
		const items = [
			{ code: 'R-0', text: 'original 0' },
			{ code: 'R-1', text: 'changed' },
			{ code: 'R-2', text: 'original 2' },
			{ code: 'R-3', text: 'original 3' },
			{ code: 'NEW', text: 'new' },
		];
		const before = JSON.stringify(kintone.emulator.records(app()));
		kintone.emulator.server.reset();
		const preview = await sync({ ...parameters, options: { dryRun: true } }, items);
		expect(writes()).toEqual([]);
		expect(JSON.stringify(kintone.emulator.records(app()))).toBe(before);
		const previewed = jsonOf(preview);
		expect(previewed.map((json) => json.action)).toEqual(['none', 'update', 'none', 'none', 'create']);
		expect(previewed[1]).toMatchObject({ dryRun: true, batch: 1, request: expect.stringMatching(/^PUT .*records\.json$/), changes: { [F.text]: { old: 'original 1', new: 'changed' } } });
		expect(previewed[4]).toMatchObject({ batch: 2, record: { [F.code]: { value: 'NEW' }, [F.text]: { value: 'new' } } });
		expect(jsonOf(preview, 1).map((json) => [json.action, (json.record as IDataObject).id])).toEqual([
			['delete', expect.any(String)],
			['delete', expect.any(String)],
		]);
		expect(hintsOf(preview)).toContain(
			'Dry run: nothing was written. Sync would create 1, update 1, leave 3 unchanged and remove 2, in 3 requests; see each item\'s "action", "changes" and "batch". Turn Options > Dry Run off to write.',
		);

		const real = await sync(parameters, items);
		const done = { create: 'created', update: 'updated', none: 'unchanged' } as Record<string, string>;
		expect(jsonOf(real).map((json) => json.sync)).toEqual(previewed.map((json) => done[json.action as string]));
		expect(jsonOf(real, 1).map((json) => json.id)).toEqual(jsonOf(preview, 1).map((json) => (json.record as IDataObject).id));
		const sent = writes().map((request) => (request.body as { records?: unknown[]; ids?: unknown[] }).records ?? (request.body as { ids: string[] }).ids.map((id) => ({ id })));
		expect(sent).toEqual([[previewed[1].record], [previewed[4].record], jsonOf(preview, 1).map((json) => ({ id: (json.record as IDataObject).id }))]);
	});
});
