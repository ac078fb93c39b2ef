import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import { USER_PRODUCTS, WORKSPACE, autoMapColumns, purchases, run, sqlEnvironment, target, useFeishuDataTableEmulator } from './setup';

const TABLE = USER_PRODUCTS.name;
const KEY = ['user_id', 'product_id'];
const isWrite = (request: RecordedRequest) => request.method === 'POST' && request.path.endsWith('/records');
/** The reads of the run's key check: the table description, then its unique keys with SQL. */
const isKeyCheck = (request: RecordedRequest) => request.path.endsWith(`/tables/${TABLE}`) || request.path.endsWith('/sql_commands');
const keyOf = (row: Record<string, unknown>) => `${String(row.user_id)}/${String(row.product_id)}`;

describe('Feishu Data Table: Create or Update (upsert)', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);

	const writes = () => dataTable.emulator.server.requests.filter(isWrite);

	/** Rows added earlier (through the data platform), keyed by user_id/product_id. */
	async function seed(rows: IDataObject[]): Promise<Map<string, IDataObject>> {
		await dataTable.emulator.insertRows(WORKSPACE, TABLE, rows);
		return new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [keyOf(row), row as IDataObject]));
	}

	async function upsertParameters(options: IDataObject = {}, resolution = 'merge-duplicates'): Promise<INodeParameters> {
		const parameters = { ...target(TABLE), operation: 'upsert', resolution };
		return { ...parameters, columns: await autoMapColumns(dataTable.env, parameters, KEY), options } as INodeParameters;
	}

	it('upserts 1,200 items with merge-duplicates on (user_id, product_id) in exactly 3 requests; ids show updated vs inserted', async () => {
		const before = await seed(purchases(400).map((row) => ({ ...row, qty: 0, status: 'old', note: 'before' })));
		const parameters = await upsertParameters();
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, purchases(1200));

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.server.requests.filter((request) => !isKeyCheck(request))).toHaveLength(3);
		expect(writes().map((request) => JSON.parse((request.body as { records: string }).records).length)).toEqual([500, 500, 200]);
		for (const request of writes()) {
			expect(request.headers.prefer).toBe('resolution=merge-duplicates');
			expect(request.query.get('on_conflict')).toBe('user_id,product_id');
			expect(request.query.get('columns')).toBe('user_id,product_id,qty,note');
		}

		const after = new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [keyOf(row), row as IDataObject]));
		expect(after.size).toBe(1200);
		const [output] = result.outputs;
		expect(output).toHaveLength(1200);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			const row = after.get(keyOf(item.json))!;
			expect(item.json._id).toBe(row._id);
			expect(row.qty).toBe(index);
			expect(row.note).toBe(`purchase ${index}`);
			const existed = before.get(keyOf(item.json));
			if (existed) {
				// Updated in place: same row id and creation time; the column the items lack is kept.
				expect(row._id).toBe(existed._id);
				expect(row._created_at).toBe(existed._created_at);
				expect(row.status).toBe('old');
			} else {
				expect([...before.values()].some((old) => old._id === row._id)).toBe(false);
				expect(row.status).toBe('pending');
			}
		});
	});

	it('says which rows were inserted and which updated when asked, at one look-up per 100 items', async () => {
		await seed(purchases(150).map((row) => ({ ...row, qty: 0, status: 'old' })));
		const parameters = await upsertParameters({ reportAction: true });
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, purchases(600));

		expect(result.error).toBeUndefined();
		expect(writes()).toHaveLength(2);
		expect(dataTable.emulator.server.requests.filter((request) => request.method === 'GET' && !isKeyCheck(request))).toHaveLength(6);
		const actions = result.outputs[0].map((item) => item.json._action);
		expect(actions).toEqual(purchases(600).map((_, index) => (index < 150 ? 'updated' : 'inserted')));
	});

	it('ignore-conflicts leaves existing rows untouched and reports them as ignored, with their id', async () => {
		const before = await seed(purchases(30).map((row) => ({ ...row, qty: 0, status: 'old', note: 'keep me' })));
		const parameters = await upsertParameters({}, 'ignore-conflicts');
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, parameters, purchases(50));

		expect(result.error).toBeUndefined();
		expect(writes()[0].headers.prefer).toBe('resolution=ignore-conflicts');
		const after = new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [keyOf(row), row as IDataObject]));
		expect(after.size).toBe(50);
		for (const [key, old] of before) expect(after.get(key)).toEqual(old);
		result.outputs[0].forEach((item, index) => {
			expect(item.json._id).toBe(after.get(keyOf(item.json))!._id);
			expect(item.json._action).toBe(index < 30 ? 'ignored' : 'inserted');
		});
	});

	it('writes items with the same key once per request: later values win, both items get the row id', async () => {
		const items = [
			{ user_id: 1, product_id: 'p-1', qty: 5, note: 'first' },
			{ user_id: 2, product_id: 'p-1', qty: 6 },
			{ user_id: 1, product_id: 'p-1', qty: 7 },
		];
		const result = await run(dataTable.env, await upsertParameters(), items);

		expect(result.error).toBeUndefined();
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE, ['user_id']);
		expect(rows.map((row) => [row.user_id, row.qty, row.note])).toEqual([
			[1, 7, 'first'],
			[2, 6, null],
		]);
		const [first, , third] = result.outputs[0];
		expect(third.json._id).toBe(first.json._id);
		expect(third.json.qty).toBe(7);
		// The merge went into a copy: the first item's output and input keep its own values.
		expect(first.json).toEqual({ _id: first.json._id, user_id: 1, product_id: 'p-1', qty: 5, note: 'first' });
		expect(items[0]).toEqual({ user_id: 1, product_id: 'p-1', qty: 5, note: 'first' });
	});

	it('by default sends items with different columns in separate requests, so nothing they lack is touched', async () => {
		await seed([{ user_id: 1, product_id: 'a', qty: 9, status: 'paid', note: 'n' }]);
		const parameters = await upsertParameters();
		dataTable.emulator.server.reset();
		const items = [
			{ user_id: 1, product_id: 'a', note: 'changed' },
			{ user_id: 2, product_id: 'b', qty: 4 },
			{ user_id: 3, product_id: 'c', note: 'new' },
		];
		const result = await run(dataTable.env, parameters, items);

		expect(result.error).toBeUndefined();
		expect(writes().map((request) => request.query.get('columns'))).toEqual(['user_id,product_id,note', 'user_id,product_id,qty']);
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE, ['user_id']);
		expect(rows.map((row) => [row.user_id, row.qty, row.status, row.note])).toEqual([
			[1, 9, 'paid', 'changed'],
			[2, 4, 'pending', null],
			[3, 1, 'pending', 'new'],
		]);
	});

	it('refuses to upsert an item without a value for a column to match on, before writing anything', async () => {
		const parameters = await upsertParameters();
		dataTable.emulator.server.reset();
		const result = await run(dataTable.env, parameters, [
			{ user_id: 1, product_id: 'a' },
			{ user_id: 2, qty: 3 },
		]);

		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Item 1: Column to match on "product_id" has no value');
		expect(dataTable.emulator.server.requests.filter((request) => !isKeyCheck(request))).toHaveLength(0);
	});

	describe('columns to match on that are no unique key fail once, before anything is written, naming the keys', () => {
		const matchingOn = async (columns: string[]) => {
			const parameters = await upsertParameters();
			return { ...parameters, columns: { ...(parameters.columns as IDataObject), matchingColumns: columns } } as INodeParameters;
		};

		it('with the SQL scope, every key is known: a part of a key of several columns is refused', async () => {
			const parameters = await matchingOn(['product_id']);
			dataTable.emulator.server.reset();

			const result = await run(sqlEnvironment(dataTable.emulator), parameters, purchases(3));

			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('The columns to match on (product_id) are not a unique key of table "user_products"');
			expect(result.error?.description).toBe('Its unique keys: user_id + product_id (unique), _id (primary key). Choose one in Unique Key.');
			expect(writes()).toHaveLength(0);
			expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(0);
		});

		it('with the SQL scope, the key of several columns is accepted and written', async () => {
			const parameters = await matchingOn(['product_id', 'user_id']);
			dataTable.emulator.server.reset();

			const result = await run(sqlEnvironment(dataTable.emulator), parameters, purchases(3));

			expect(result.error).toBeUndefined();
			expect(dataTable.emulator.server.requests.find((request) => request.path.endsWith('/sql_commands'))?.status).toBe(200);
			expect(writes()[0].query.get('on_conflict')).toBe('product_id,user_id');
			expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(3);
		});

		it('without it (Feishu refuses the SQL) the key list may lack a unique index: Feishu decides, and its refusal names the keys', async () => {
			const parameters = await matchingOn(['note']);
			dataTable.emulator.server.reset();

			const result = await run(dataTable.env, parameters, purchases(3));

			expect(dataTable.emulator.server.requests.find((request) => request.path.endsWith('/sql_commands'))?.status).toBe(400);
			expect(result.error?.message).toContain('on_conflict note does not match a primary key or unique constraint of user_products');
			expect(await dataTable.emulator.rows(WORKSPACE, 'user_products')).toHaveLength(0);
		});

		it('no columns to match on (a wiped mapping) fails once with the keys', async () => {
			const result = await run(sqlEnvironment(dataTable.emulator), await matchingOn([]), purchases(3));

			expect(result.error?.message).toBe('No columns to match on for table "user_products"');
			expect(result.error?.description).toContain('Its unique keys: user_id + product_id (unique)');
			expect(writes()).toHaveLength(0);
		});
	});

	it('resends an upsert whose answer was lost, since the same keys land on the same rows', async () => {
		const upsert = await upsertParameters();
		dataTable.emulator.server.reset();
		dataTable.emulator.server.inject({ match: isWrite, action: { kind: 'resetAfterHandling' } });

		const result = await run(dataTable.env, upsert, purchases(5));

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.server.requests.filter(isWrite)).toHaveLength(2);
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE);
		expect(rows).toHaveLength(5);
		expect(result.outputs[0].map((item) => item.json._id).sort()).toEqual(rows.map((row) => row._id).sort());
	});
});
