import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { TableSpec } from '../emulators/feishuDataTable';
import type { RecordedRequest } from '../emulators/server';
import type { NodeRun } from '../harness/workflow';
import { MAX_URL_LENGTH } from '../../nodes/FeishuDataTable/transport';
import { FeishuDataTable } from '../../nodes/FeishuDataTable/FeishuDataTable.node';
import { USER_PRODUCTS, WORKSPACE, autoMapColumns, byConditions, condition, loadSchema, purchases, run, target, useFeishuDataTableEmulator } from './setup';

/** `people`: a unique email, and a region the mirror's scope selects on. */
const PEOPLE: TableSpec = {
	name: 'people',
	columns: [
		{ name: 'email', data_type: 'varchar', is_unique: true, is_allow_null: false },
		{ name: 'name', data_type: 'text' },
		{ name: 'score', data_type: 'int4' },
		{ name: 'region', data_type: 'varchar' },
	],
};

/** `numbered`: an integer key, short enough for 500 keys in one read's URL. */
const NUMBERED: TableSpec = {
	name: 'numbered',
	columns: [
		{ name: 'n', data_type: 'int4', is_unique: true, is_allow_null: false },
		{ name: 'label', data_type: 'text' },
		{ name: 'qty', data_type: 'int4' },
	],
};

/** `typed`: a column of each type the node maps, matched on `code`. */
const TYPED: TableSpec = {
	name: 'typed',
	columns: [
		{ name: 'code', data_type: 'varchar', is_unique: true, is_allow_null: false },
		{ name: 'score', data_type: 'int4' },
		{ name: 'big', data_type: 'int8' },
		{ name: 'amount', data_type: 'numeric(10,2)' },
		{ name: 'exact', data_type: 'numeric' },
		{ name: 'ratio', data_type: 'float4' },
		{ name: 'active', data_type: 'bool' },
		{ name: 'born', data_type: 'date' },
		{ name: 'seen_at', data_type: 'timestamptz' },
		{ name: 'local_at', data_type: 'timestamp' },
		{ name: 'opens', data_type: 'time' },
		{ name: 'tags', data_type: 'text', is_array: true },
		{ name: 'meta', data_type: 'jsonb' },
		{ name: 'ref', data_type: 'uuid' },
		{ name: 'label', data_type: 'text' },
	],
};

const TABLES_PATH = `/open-apis/apaas/v1/workspaces/${WORKSPACE}/tables`;
const isWrite = (request: RecordedRequest) => request.method !== 'GET' && /\/tables\/[^/]+\/(records|records_batch_update)$/.test(request.path);
const isRowRead = (request: RecordedRequest) => request.method === 'GET' && request.path.endsWith('/records');
/** How many keys a read's `col.in.(…)` filter lists. */
/** The values of a read's `in` list: quoted, or bare (letters, digits, `-`, `_`). */
const keysOf = (request: RecordedRequest) => (/\.in\.\((.*)\)\)$/.exec(request.query.get('filter')!)![1].match(/"(?:[^"\\]|\\.)*"|[^,"]+/g) ?? []).length;
const recordsOf = (request: RecordedRequest) => JSON.parse((request.body as { records: string }).records) as IDataObject[];
const jsonOf = (result: NodeRun, output = 0) => (result.outputs[output] ?? []).map((item) => item.json);
const itemOf = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;
const hintsOf = (result: NodeRun) => (result.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);

describe('Feishu Data Table: Sync', () => {
	const dataTable = useFeishuDataTableEmulator([PEOPLE, USER_PRODUCTS, NUMBERED]);
	const requests = () => dataTable.emulator.server.requests;
	const writes = () => requests().filter(isWrite);
	const rows = async (table = PEOPLE.name) => await dataTable.emulator.rows(WORKSPACE, table);
	const versions = async (table = PEOPLE.name) => await dataTable.emulator.rowVersions(WORKSPACE, table);

	/** Sync on `table`, matching on `matching`, with the mapping the editor loads (auto-map). */
	async function syncOf(table: string, matching: string[], extra: IDataObject = {}): Promise<INodeParameters> {
		const parameters = { ...target(table), operation: 'sync', uniqueKey: matching.join(',') };
		return { ...parameters, columns: await autoMapColumns(dataTable.env, parameters, matching), ...extra } as INodeParameters;
	}

	/** Seeds `people`: a and b in EU, c in US; returns their ids by email. */
	async function seedPeople(extra: IDataObject[] = []): Promise<Record<string, string>> {
		const seeded = [
			{ email: 'a@example.com', name: 'Ann', score: 1, region: 'EU' },
			{ email: 'b@example.com', name: 'Bob', score: 2, region: 'EU' },
			{ email: 'c@example.com', name: 'Cy', score: 3, region: 'US' },
			...extra,
		];
		const ids = await dataTable.emulator.insertRows(WORKSPACE, PEOPLE.name, seeded);
		return Object.fromEntries(seeded.map((row, index) => [String(row.email), ids[index]]));
	}

	const PEOPLE_ITEMS = [
		{ email: 'a@example.com', name: 'Ann', score: '1' },
		{ email: 'b@example.com', name: 'Bobby', score: 2 },
		{ email: 'n@example.com', name: 'Nia', score: 9 },
	];

	it('creates the missing, updates only the changed columns, leaves the rest unwritten, and a second run writes nothing', async () => {
		const ids = await seedPeople();
		const before = await versions();
		const parameters = await syncOf(PEOPLE.name, ['email']);
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, PEOPLE_ITEMS);

		expect(result.error).toBeUndefined();
		const [unchanged, updated, created] = jsonOf(result);
		expect(unchanged).toEqual({ sync: 'unchanged', _id: ids['a@example.com'], email: 'a@example.com' });
		expect(updated).toEqual({
			sync: 'updated',
			email: 'b@example.com',
			_id: ids['b@example.com'],
			name: 'Bobby',
			changes: { name: { old: 'Bob', new: 'Bobby' } },
		});
		expect(created).toEqual({ sync: 'created', _id: expect.any(String), email: 'n@example.com', name: 'Nia', score: 9 });
		expect(result.outputs[0].map(itemOf)).toEqual([0, 1, 2]);
		expect(hintsOf(result)).toContain('Sync: 1 created, 1 updated, 1 unchanged, 0 removed.');

		// One read of the three keys, with the key and the mapped columns; then one update, one create.
		const [read] = requests().filter(isRowRead);
		expect(requests().filter(isRowRead)).toHaveLength(1);
		expect(read.query.get('filter')).toBe('and=(email.in.("a@example.com","b@example.com","n@example.com"))');
		expect(read.query.get('select')).toBe('_id,email,name,score');
		expect(read.query.get('page_size')).toBe('500');
		const [update, create] = writes();
		expect(writes()).toHaveLength(2);
		expect(`${update.method} ${update.path}`).toBe(`PATCH ${TABLES_PATH}/people/records_batch_update`);
		expect(recordsOf(update)).toEqual([{ _id: ids['b@example.com'], name: 'Bobby' }]);
		expect(`${create.method} ${create.path}`).toBe(`POST ${TABLES_PATH}/people/records`);
		expect(create.headers.prefer).toBe('resolution=merge-duplicates');
		expect(create.query.get('on_conflict')).toBe('email');
		expect(recordsOf(create)).toEqual([{ email: 'n@example.com', name: 'Nia', score: 9 }]);

		// Rows that needed no write kept their version; the updated one has a new one.
		const after = await versions();
		expect(after.get(ids['a@example.com'])).toBe(before.get(ids['a@example.com']));
		expect(after.get(ids['c@example.com'])).toBe(before.get(ids['c@example.com']));
		expect(after.get(ids['b@example.com'])).not.toBe(before.get(ids['b@example.com']));
		const stored = new Map((await rows()).map((row) => [row.email, row]));
		expect(stored.get('n@example.com')).toMatchObject({ _id: created._id, name: 'Nia', score: 9, region: null });
		expect(stored.get('b@example.com')).toMatchObject({ name: 'Bobby', score: 2, region: 'EU' });

		dataTable.emulator.server.reset();
		const again = await run(dataTable.env, parameters, PEOPLE_ITEMS);
		expect(jsonOf(again).map((json) => json.sync)).toEqual(['unchanged', 'unchanged', 'unchanged']);
		expect(writes()).toEqual([]);
		expect(await versions()).toEqual(after);
		expect(hintsOf(again)).toContain('Sync: 0 created, 0 updated, 3 unchanged, 0 removed.');
	});

	it('reads 1,200 keys in 500 + 500 + 200 and writes 350 changed rows and 500 new ones in one request each', async () => {
		dataTable.emulator.rateLimitPerSecond = 10_000;
		await dataTable.emulator.insertRows(
			WORKSPACE,
			NUMBERED.name,
			Array.from({ length: 700 }, (_, n) => ({ n, label: `row ${n}`, qty: n })),
		);
		const items = Array.from({ length: 1200 }, (_, n) => ({ n, label: `row ${n}`, qty: n < 700 && n % 2 === 1 ? n + 1 : n }));
		const parameters = await syncOf(NUMBERED.name, ['n'], { options: { throttle: false } });
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, items);

		expect(result.error).toBeUndefined();
		const reads = requests().filter(isRowRead);
		expect(reads.map(keysOf)).toEqual([500, 500, 200]);
		expect(reads.every((read) => read.query.get('page_size') === '500' && read.query.get('select') === '_id,n,label,qty')).toBe(true);
		expect(writes().map((request) => [request.method, recordsOf(request).length])).toEqual([
			['PATCH', 350],
			['POST', 500],
		]);
		expect(recordsOf(writes()[0]).every((row) => Object.keys(row).join() === '_id,qty')).toBe(true);
		const counts = jsonOf(result).reduce<Record<string, number>>((sum, json) => ({ ...sum, [String(json.sync)]: (sum[String(json.sync)] ?? 0) + 1 }), {});
		expect(counts).toEqual({ unchanged: 350, updated: 350, created: 500 });
		const stored = (await rows(NUMBERED.name)).map((row) => [row.n, row.label, row.qty]);
		expect(stored.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(items.map((item) => [item.n, item.label, item.qty]));
	});

	it("splits a read whose keys would make the URL too long, each URL within MAX_URL_LENGTH, and fails a key too long to look up", async () => {
		dataTable.emulator.rateLimitPerSecond = 10_000;
		// 300 keys of 120 characters: about 130 fit in one URL.
		const email = (index: number) => `${String(index).padStart(4, '0')}-${'x'.repeat(100)}@example.com`;
		const items: IDataObject[] = Array.from({ length: 300 }, (_, index) => ({ email: email(index), name: `n${index}` }));
		items.push({ email: `${'y'.repeat(5000)}@example.com`, name: 'too long' });
		const parameters = await syncOf(PEOPLE.name, ['email'], { options: { throttle: false } });
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, items, { onError: 'continueErrorOutput' });

		expect(result.error).toBeUndefined();
		// Each read as full as the URL allows (the last takes the rest), every key read once.
		const reads = requests().filter(isRowRead);
		const lengths = reads.map((read) => `${dataTable.emulator.url}${read.path}?${read.query.toString()}`.length);
		expect(reads.length).toBeGreaterThan(2);
		expect(lengths.every((length) => length <= MAX_URL_LENGTH)).toBe(true);
		expect(lengths.slice(0, -1).every((length) => length > MAX_URL_LENGTH * 0.95)).toBe(true);
		expect(reads.reduce((sum, read) => sum + keysOf(read), 0)).toBe(300);
		const [synced, errors] = result.outputs;
		expect(synced).toHaveLength(300);
		expect(errors.map((item) => [itemOf(item), item.json.error])).toEqual([
			[300, expect.stringContaining('too long to look their row up')],
		]);
		expect(await rows()).toHaveLength(300);
	});

	it('matches on a key of several columns with or=(and(…)) reads', async () => {
		const ids = await dataTable.emulator.insertRows(WORKSPACE, USER_PRODUCTS.name, purchases(3));
		const parameters = await syncOf(USER_PRODUCTS.name, ['user_id', 'product_id']);
		dataTable.emulator.server.reset();
		const items = [
			{ user_id: 0, product_id: 'p-0', qty: 0, note: 'purchase 0' },
			{ user_id: '0', product_id: 'p-1', qty: 11, note: 'purchase 1' },
			{ user_id: 5, product_id: 'p-1', qty: 1, note: 'new' },
		];

		const result = await run(dataTable.env, parameters, items);

		expect(result.error).toBeUndefined();
		expect(jsonOf(result).map((json) => json.sync)).toEqual(['unchanged', 'updated', 'created']);
		const [read] = requests().filter(isRowRead);
		expect(read.query.get('filter')).toBe(
			'or=(and(user_id.eq."0",product_id.eq."p-0"),and(user_id.eq."0",product_id.eq."p-1"),and(user_id.eq."5",product_id.eq."p-1"))',
		);
		expect(recordsOf(writes()[0])).toEqual([{ _id: ids[1], qty: 11 }]);
		expect(writes()[1].query.get('on_conflict')).toBe('user_id,product_id');
		expect((await rows(USER_PRODUCTS.name)).map((row) => [row.user_id, row.product_id, row.qty]).sort()).toEqual([
			[0, 'p-0', 0],
			[0, 'p-1', 11],
			[0, 'p-2', 2],
			[5, 'p-1', 1],
		]);
	});

	it('fails items naming the same row and an item without a key alone (Continue using error output); the others are synced', async () => {
		const ids = await seedPeople();
		const parameters = await syncOf(PEOPLE.name, ['email']);
		dataTable.emulator.server.reset();
		const items = [
			{ email: 'a@example.com', name: 'Ann B' },
			{ email: 'n@example.com', name: 'New' },
			{ email: 'n@example.com', name: 'New again' },
			{ name: 'no email' },
		];

		const result = await run(dataTable.env, parameters, items, { onError: 'continueErrorOutput' });

		expect(result.error).toBeUndefined();
		const [synced, errors] = result.outputs;
		expect(synced.map((item) => [itemOf(item), item.json.sync])).toEqual([[0, 'updated']]);
		expect(errors.map((item) => [itemOf(item), item.json.error, (item.json.details as IDataObject).sameRecordAs])).toEqual([
			[1, expect.stringContaining('Items 1, 2 name the same row (email="n@example.com")'), [2]],
			[2, expect.stringContaining('Items 2, 1 name the same row (email="n@example.com")'), [1]],
			[3, 'Column to match on "email" has no value', undefined],
		]);
		expect(writes().map((request) => recordsOf(request))).toEqual([[{ _id: ids['a@example.com'], name: 'Ann B' }]]);
		expect(hintsOf(result)).toContain('Sync: 0 created, 1 updated, 0 unchanged, 0 removed, 3 failed.');
	});

	it('stops before writing anything when items name the same row and On Error is Stop Workflow', async () => {
		await seedPeople();
		const parameters = await syncOf(PEOPLE.name, ['email']);
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, [{ email: 'a@example.com', name: 'x' }, { email: 'b@example.com' }, { email: 'a@example.com' }]);

		expect(result.error?.message).toBe('Item 0: Items 0, 2 name the same row (email="a@example.com"), so nothing was written for it: keep one item per row, e.g. with a Remove Duplicates node before this one');
		expect(writes()).toEqual([]);
	});

	it('matches on _id when it is the Unique Key chosen: a row named in capitals is found, a new _id is added under that _id', async () => {
		const ids = await seedPeople();
		const parameters = await syncOf(PEOPLE.name, ['_id']);
		dataTable.emulator.server.reset();
		const fresh = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
		const items = [
			{ _id: ids['a@example.com'].toUpperCase(), name: 'Ann' },
			{ _id: ids['b@example.com'], score: 20 },
			{ _id: fresh, email: 'n@example.com', name: 'Nia' },
		];

		const result = await run(dataTable.env, parameters, items);

		expect(result.error).toBeUndefined();
		expect(jsonOf(result)).toEqual([
			{ sync: 'unchanged', _id: ids['a@example.com'] },
			{ sync: 'updated', _id: ids['b@example.com'], score: 20, changes: { score: { old: 2, new: 20 } } },
			{ sync: 'created', _id: fresh, email: 'n@example.com', name: 'Nia' },
		]);
		expect(writes()[1].query.get('on_conflict')).toBe('_id');
		expect((await rows()).find((row) => row.email === 'n@example.com')?._id).toBe(fresh);
	});

	it('offers Sync in the operation list and loads the mapping matched on the Unique Key, as Create or Update does', async () => {
		const operation = (new FeishuDataTable().description.properties.find((property) => property.name === 'operation')?.options ?? []) as unknown as IDataObject[];
		expect(operation.find((option) => option.value === 'sync')).toMatchObject({ name: 'Sync', action: 'Sync rows' });
		const { fields } = await loadSchema(dataTable.env, { ...target(PEOPLE.name), operation: 'sync' });
		expect(fields.filter((field) => field.defaultMatch).map((field) => field.id)).toEqual(['email']);
		expect(fields.find((field) => field.id === 'name')).toMatchObject({ canBeUsedToMatch: false, removed: false });
	});

	describe('Remove Rows Not in Input', () => {
		const mirror = (extra: IDataObject = {}) => ({ removeMissing: true, ...byConditions([condition('region', 'eq', 'EU')]), ...extra });

		it('deletes the rows of the scope no item names, lists them on the second output, and never touches rows out of scope', async () => {
			const ids = await seedPeople([{ email: 'd@example.com', name: 'Dee', region: 'EU' }]);
			const before = await versions();
			const parameters = await syncOf(PEOPLE.name, ['email'], mirror({ maxRemovedShare: 50 }));
			dataTable.emulator.server.reset();

			const result = await run(dataTable.env, parameters, PEOPLE_ITEMS);

			expect(result.error).toBeUndefined();
			expect(jsonOf(result).map((json) => json.sync)).toEqual(['unchanged', 'updated', 'created']);
			expect(jsonOf(result, 1)).toEqual([{ sync: 'removed', _id: ids['d@example.com'], email: 'd@example.com' }]);
			// The scope first, with the mapped columns (its rows are compared, not read again), then the key not in it.
			const [scopeRead, keyRead] = requests().filter(isRowRead);
			expect([scopeRead.query.get('filter'), scopeRead.query.get('select')]).toEqual(['and=(region.eq."EU")', '_id,email,name,score']);
			expect(keyRead.query.get('filter')).toBe('and=(email.in.("n@example.com"))');
			const remove = writes().find((request) => request.method === 'DELETE')!;
			// A UUID needs no quotes in an `in` list: 100 of them fit in one URL.
			expect(remove.query.get('filter')).toBe(`and=(_id.in.(${ids['d@example.com']}))`);
			expect((await rows()).map((row) => row.email).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com', 'n@example.com']);
			// c is in the US: out of scope, not in the input, and never written.
			expect((await versions()).get(ids['c@example.com'])).toBe(before.get(ids['c@example.com']));
			expect(hintsOf(result)).toContain('Sync: 1 created, 1 updated, 1 unchanged, 1 removed.');
		});

		it('refuses before any write when more would go than the safety limit allows', async () => {
			await seedPeople([{ email: 'd@example.com', region: 'EU' }, { email: 'e@example.com', region: 'EU' }]);
			const rowsBefore = await rows();

			for (const limit of [{}, { safetyLimit: 'count', maxRemoved: 1 }]) {
				dataTable.emulator.server.reset();
				const result = await run(dataTable.env, await syncOf(PEOPLE.name, ['email'], mirror(limit)), PEOPLE_ITEMS);
				const allowed = 'maxRemoved' in limit ? 'Max Rows Removed allows 1' : 'Max Share Removed allows 10%';
				expect(result.error?.message).toBe(
					`Sync stopped before writing anything: it would remove 2 of the 4 rows in scope of table "people" (50%), more than ${allowed}`,
				);
				expect(writes()).toEqual([]);
			}
			expect(await rows()).toEqual(rowsBefore);
		});

		it('removes nothing when an item could not be prepared, and says why', async () => {
			const ids = await seedPeople([{ email: 'd@example.com', region: 'EU' }]);
			const parameters = await syncOf(PEOPLE.name, ['email'], mirror({ maxRemovedShare: 100 }));
			dataTable.emulator.server.reset();

			const result = await run(dataTable.env, parameters, [...PEOPLE_ITEMS, { name: 'no email' }], { onError: 'continueErrorOutput' });

			expect(result.error).toBeUndefined();
			const [synced, removed, errors] = result.outputs;
			expect(synced.map((item) => item.json.sync)).toEqual(['unchanged', 'updated', 'created']);
			expect(removed).toEqual([]);
			expect(errors.map(itemOf)).toEqual([3]);
			expect(writes().filter((request) => request.method === 'DELETE')).toEqual([]);
			expect((await rows()).some((row) => row._id === ids['d@example.com'])).toBe(true);
			expect(hintsOf(result)).toContain(
				'No row was removed: 1 item could not be synced (see the error output), so the rows they name are not known. Fix them and run again to remove rows that left the source.',
			);
		});

		it('needs a Scope, and says so before sending anything', async () => {
			const parameters = await syncOf(PEOPLE.name, ['email'], { removeMissing: true, ...byConditions([]) });
			dataTable.emulator.server.reset();

			const result = await run(dataTable.env, parameters, PEOPLE_ITEMS);

			expect(result.error?.message).toBe('Enter the Scope of the rows to remove');
			expect(result.error?.description).toContain('_id=not.is.null');
			expect(requests()).toEqual([]);
		});
	});

	it('Dry Run sends no write and previews exactly what the real run then does', async () => {
		const ids = await seedPeople([{ email: 'd@example.com', region: 'EU' }]);
		const before = await rows();
		const parameters = await syncOf(PEOPLE.name, ['email'], { removeMissing: true, ...byConditions([condition('region', 'eq', 'EU')]), maxRemovedShare: 50 });
		dataTable.emulator.server.reset();

		const dry = await run(dataTable.env, { ...parameters, options: { dryRun: true } }, PEOPLE_ITEMS);

		expect(dry.error).toBeUndefined();
		expect(writes()).toEqual([]);
		expect(await rows()).toEqual(before);
		const [unchanged, updated, created] = jsonOf(dry);
		expect(unchanged).toEqual({ dryRun: true, action: 'none', _id: ids['a@example.com'], email: 'a@example.com' });
		expect(updated).toEqual({
			dryRun: true,
			action: 'update',
			batch: 1,
			request: `PATCH ${TABLES_PATH}/people/records_batch_update`,
			record: { _id: ids['b@example.com'], name: 'Bobby' },
			changes: { name: { old: 'Bob', new: 'Bobby' } },
		});
		expect(created).toEqual({
			dryRun: true,
			action: 'create',
			batch: 2,
			request: `POST ${TABLES_PATH}/people/records`,
			record: { email: 'n@example.com', name: 'Nia', score: 9 },
		});
		expect(jsonOf(dry, 1)).toEqual([
			{ dryRun: true, action: 'delete', batch: 3, request: `DELETE ${TABLES_PATH}/people/records`, record: { _id: ids['d@example.com'] } },
		]);
		expect(hintsOf(dry)).toContain(
			'Dry run: nothing was written. Sync would create 1, update 1, leave 1 unchanged and remove 1, in 3 requests; see each item\'s "action", "changes" and "batch". Turn Options > Dry Run off to write.',
		);

		dataTable.emulator.server.reset();
		const real = await run(dataTable.env, parameters, PEOPLE_ITEMS);

		expect(real.error).toBeUndefined();
		const done: Record<string, string> = { none: 'unchanged', update: 'updated', create: 'created' };
		expect(jsonOf(real).map((json) => json.sync)).toEqual(jsonOf(dry).map((json) => done[String(json.action)]));
		expect(jsonOf(real, 1).map((json) => json._id)).toEqual(jsonOf(dry, 1).map((json) => (json.record as IDataObject)._id));
		// The real requests are the previewed batches, in the previewed order, record for record.
		const sent = writes().map((request) =>
			request.method === 'DELETE' ? [`DELETE ${request.path}`, [{ _id: /_id\.in\.\(([^)]+)\)/.exec(request.query.get('filter')!)![1] }]] : [`${request.method} ${request.path}`, recordsOf(request)],
		);
		const previews = [...jsonOf(dry), ...jsonOf(dry, 1)].filter((json) => json.action !== 'none');
		expect(sent).toEqual(previews.map((json) => [json.request, [json.record]]));
	});
});

/**
 * One column each: the value stored, values written another way that PostgreSQL stores the same,
 * and a value it stores differently. Sent as the items hold them (auto-map without a schema).
 */
const TYPE_CASES: Array<{ column: string; stored: unknown; same: unknown[]; different: unknown }> = [
	{ column: 'score', stored: 7, same: ['007', ' 7 ', 7], different: 8 },
	{ column: 'big', stored: '9007199254740993', same: ['09007199254740993'], different: '9007199254740995' },
	{ column: 'amount', stored: '1.01', same: [1.005, '1.010', '1.0149'], different: '1.015' },
	{ column: 'exact', stored: '1.5', same: ['1.50', 1.5, '15e-1'], different: '1.51' },
	{ column: 'ratio', stored: 0.1, same: [0.10000000149, '0.1'], different: 0.2 },
	{ column: 'active', stored: true, same: ['yes', 'TRUE', 't', 'on', 1], different: 'no' },
	{ column: 'born', stored: '2024-05-31', same: ['2024-05-31T23:30:00-05:00', '2024-05-31 08:00'], different: '2024-06-01' },
	{
		column: 'seen_at',
		stored: '2024-01-01T02:00:00Z',
		same: ['2024-01-01T10:00:00+08:00', '2024-01-01 02:00:00', '2024-01-01T02:00:00.0000004Z'],
		different: '2024-01-01T02:00:01Z',
	},
	{ column: 'local_at', stored: '2024-01-01T10:00:00', same: ['2024-01-01 10:00', '2024-01-01T10:00:00+08:00'], different: '2024-01-01T10:00:00.5' },
	{ column: 'opens', stored: '09:30:00', same: ['09:30', '9:30:00.000'], different: '09:31' },
	{ column: 'tags', stored: ['1', '2'], same: [[1, 2]], different: ['2', '1'] },
	{ column: 'meta', stored: { a: 1, b: [1, 2] }, same: [{ b: [1, 2], a: 1.0 }], different: { a: 1, b: [2, 1] } },
	{
		column: 'ref',
		stored: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
		same: ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc999c0b4ef8bb6d6bb9bd380a11}'],
		different: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12',
	},
	{ column: 'label', stored: '5', same: [5, '5'], different: '5.0' },
	{ column: 'label', stored: '', same: [''], different: null },
	{ column: 'label', stored: null, same: [null], different: '' },
];

describe('Feishu Data Table: Sync compares values as PostgreSQL stores them', () => {
	const dataTable = useFeishuDataTableEmulator([TYPED]);
	const table = TYPED.name;
	const stored = async () => new Map((await dataTable.emulator.rows(WORKSPACE, table)).map((row) => [String(row.code), row]));

	/** One row per case and way of writing, holding the case's stored value. */
	const cases = TYPE_CASES.flatMap((entry, caseIndex) => entry.same.map((same, index) => ({ ...entry, same, code: `${entry.column}-${caseIndex}-${index}` })));

	it('checks the cases against PostgreSQL: each "same" value is stored as the stored one, each "different" one is not', async () => {
		await dataTable.emulator.insertRows(WORKSPACE, table, cases.flatMap(({ code, column, stored: value, same, different }) => [
			{ code, [column]: value },
			{ code: `${code}-same`, [column]: same },
			{ code: `${code}-different`, [column]: different },
		]));
		const rows = await stored();
		for (const { code, column } of cases) {
			expect([code, rows.get(`${code}-same`)![column]]).toEqual([code, rows.get(code)![column]]);
			expect([code, rows.get(`${code}-different`)![column]]).not.toEqual([code, rows.get(code)![column]]);
		}
	});

	it('writes nothing when only the format differs, and exactly the differing column when the value differs', async () => {
		dataTable.emulator.rateLimitPerSecond = 10_000;
		await dataTable.emulator.insertRows(WORKSPACE, table, cases.map(({ code, column, stored: value }) => ({ code, [column]: value })));
		const before = await dataTable.emulator.rowVersions(WORKSPACE, table);
		const parameters = {
			...target(table),
			operation: 'sync',
			columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['code'], schema: [] },
			options: { throttle: false },
		} as unknown as INodeParameters;
		const syncWrites = () => dataTable.emulator.server.requests.filter(isWrite);

		dataTable.emulator.server.reset();
		const same = await run(dataTable.env, parameters, cases.map(({ code, column, same: value }) => ({ code, [column]: value }) as IDataObject));
		expect(same.error).toBeUndefined();
		expect(jsonOf(same).map((json) => [json.code, json.sync])).toEqual(cases.map(({ code }) => [code, 'unchanged']));
		expect(syncWrites()).toEqual([]);
		expect(await dataTable.emulator.rowVersions(WORKSPACE, table)).toEqual(before);

		dataTable.emulator.server.reset();
		const rowsBefore = await stored();
		const differentItems = cases.map(({ code, column, different }) => ({ code, [column]: different }) as IDataObject);
		const different = await run(dataTable.env, parameters, differentItems);
		expect(different.error).toBeUndefined();
		expect(jsonOf(different).map((json) => [json.code, json.sync, json.changes])).toEqual(
			cases.map(({ code, column, different: value }) => [code, 'updated', { [column]: { old: rowsBefore.get(code)![column], new: value } }]),
		);
		// One request per column set: `_id` and the one column that differs.
		const sent = syncWrites().flatMap(recordsOf);
		expect(sent.map((row) => Object.keys(row).sort())).toEqual(expect.arrayContaining(cases.map(({ column }) => ['_id', column].sort())));
		expect(sent).toHaveLength(cases.length);
		const after = await dataTable.emulator.rowVersions(WORKSPACE, table);
		expect(cases.filter(({ code }) => after.get(String(rowsBefore.get(code)!._id)) === before.get(String(rowsBefore.get(code)!._id)))).toEqual([]);

		// What was written now compares equal to what is stored: a third run writes nothing.
		dataTable.emulator.server.reset();
		const again = await run(dataTable.env, parameters, differentItems);
		expect(jsonOf(again).map((json) => json.sync)).toEqual(cases.map(() => 'unchanged'));
		expect(syncWrites()).toEqual([]);
	});
});
