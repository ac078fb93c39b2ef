import * as lark from '@larksuiteoapi/node-sdk';

import type { FeishuDataTableEmulator, TableSpec } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { tablesCall } from './setup';

/**
 * The emulator on its own: wire format through the official Lark SDK, PostgREST semantics and
 * OAuth through plain HTTP. The node's tests build on these behaviours.
 */
// Here: tables and rows through the SDK, and writes with PostgREST semantics (reading, tokens and
// limits: emulatorAccess.test.ts).

const WORKSPACE = 'workspace_emu01';

const USER_PRODUCTS: TableSpec = {
	name: 'user_products',
	description: 'Purchases per user',
	columns: [
		{ name: 'user_id', data_type: 'int8', is_allow_null: false },
		{ name: 'product_id', data_type: 'varchar', is_allow_null: false },
		{ name: 'qty', data_type: 'int4', default_value: '1' },
		{ name: 'status', data_type: 'varchar', default_value: `'new'` },
		{ name: 'note', data_type: 'text' },
		{ name: 'sku', data_type: 'varchar', is_unique: true },
		{ name: 'tags', data_type: 'varchar', is_array: true },
		{ name: 'meta', data_type: 'jsonb' },
		{ name: 'paid', data_type: 'bool' },
		{ name: 'amount', data_type: 'numeric' },
		{ name: 'bought_on', data_type: 'date' },
	],
	uniqueConstraints: [['user_id', 'product_id']],
};

const NAMES: TableSpec = { name: 'names', columns: [{ name: 'name', data_type: 'varchar' }, { name: 'rank', data_type: 'int4' }] };

const noop = () => undefined;

describe('Feishu data table emulator: tables and writes', () => {
	let emulator: FeishuDataTableEmulator;
	let token: string;
	let client: lark.Client;

	const asUser = () => lark.withUserAccessToken(token);
	const call = tablesCall(() => emulator, WORKSPACE, () => token);

	const post = (rows: unknown[], query: Record<string, string> = {}, prefer?: string) =>
		call<{ record_ids: string[] }>('POST', '/user_products/records', {
			query,
			body: { records: JSON.stringify(rows) },
			headers: prefer ? { prefer } : {},
		});

	beforeAll(async () => {
		emulator = await startFeishuDataTableEmulator();
		client = new lark.Client({
			appId: emulator.clientId,
			appSecret: emulator.clientSecret,
			domain: emulator.url,
			disableTokenCache: true,
			// Silent: failures are asserted, not logged.
			logger: { error: noop, warn: noop, info: noop, debug: noop, trace: noop },
		});
	});
	afterAll(async () => await emulator.close());
	beforeEach(async () => {
		await emulator.reset();
		await emulator.createTable(WORKSPACE, USER_PRODUCTS);
		await emulator.createTable(WORKSPACE, NAMES);
		token = emulator.issueUserToken().access_token;
	});

	describe('through the official Lark SDK', () => {
		it('lists tables and describes columns for field mapping', async () => {
			const list = await client.apaas.v1.workspaceTable.list({ path: { workspace_id: WORKSPACE }, params: { page_size: 1 } }, asUser());
			expect(list.code).toBe(0);
			expect(list.data?.items.map((table) => table.name)).toEqual(['user_products']);
			expect(list.data?.has_more).toBe(true);
			const next = await client.apaas.v1.workspaceTable.list(
				{ path: { workspace_id: WORKSPACE }, params: { page_size: 1, page_token: list.data!.page_token } },
				asUser(),
			);
			expect(next.data?.items.map((table) => table.name)).toEqual(['names']);
			expect(next.data?.has_more).toBe(false);

			const table = await client.apaas.v1.workspaceTable.tableGet({ path: { workspace_id: WORKSPACE, table_name: 'user_products' } }, asUser());
			expect(table.data?.description).toBe('Purchases per user');
			const columns = new Map(table.data!.columns.map((column) => [column.name, column]));
			expect(columns.get('_id')).toMatchObject({ data_type: 'uuid', is_primary_key: true, is_unique: true, is_allow_null: false });
			expect(columns.get('user_id')).toMatchObject({ data_type: 'int8', is_primary_key: false, is_allow_null: false });
			expect(columns.get('qty')).toMatchObject({ data_type: 'int4', default_value: '1', is_allow_null: true });
			expect(columns.get('sku')).toMatchObject({ is_unique: true });
			expect(columns.get('tags')).toMatchObject({ data_type: 'varchar', is_array: true });
			expect([...columns.keys()]).toEqual(['_id', '_created_at', ...USER_PRODUCTS.columns.map((column) => column.name)]);
		});

		it('runs SQL in the workspace (its tables by their plain names) for a user who granted the SQL scope, and refuses it otherwise', async () => {
			await emulator.insertRows(WORKSPACE, 'names', [{ name: 'b', rank: 2 }, { name: "a'1", rank: 1 }]);
			const sqlUser = lark.withUserAccessToken(emulator.issueUserToken('offline_access app_engine:workspace.sql_commands:write').access_token);
			const sql = async (statement: string) =>
				await client.apaas.v1.workspace.sqlCommands({ path: { workspace_id: WORKSPACE }, data: { sql: statement } }, sqlUser);

			const select = await sql('SELECT name, rank FROM names ORDER BY rank');
			expect(select.code).toBe(0);
			expect(JSON.parse(select.data!.result!)).toEqual([{ name: "a'1", rank: 1 }, { name: 'b', rank: 2 }]);
			// The unique indexes of a table, as the node reads its keys: a composite one included.
			const keys = await sql(
				"SELECT array_to_json(ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) AS k(n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n)) AS columns FROM pg_index i WHERE i.indrelid = to_regclass('user_products') ORDER BY i.indexrelid",
			);
			expect(JSON.parse(keys.data!.result!)).toEqual([{ columns: ['_id'] }, { columns: ['sku'] }, { columns: ['user_id', 'product_id'] }]);
			expect((await sql("UPDATE names SET rank = 3 WHERE name = 'b'")).data?.result).toBe('');

			const refused = await fetch(`${emulator.url}/open-apis/apaas/v1/workspaces/${WORKSPACE}/sql_commands`, {
				method: 'POST',
				headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
				body: JSON.stringify({ sql: 'SELECT 1' }),
			});
			expect(refused.status).toBe(400);
			expect(await refused.json()).toMatchObject({
				code: 99991679,
				error: { permission_violations: [{ type: 'action_scope_required', subject: 'app_engine:workspace.sql_commands:write' }] },
			});
			await expect(sql('SELECT nope FROM names')).rejects.toMatchObject({ response: { data: { code: 2320001 } } });
		});

		it('inserts, upserts with a Prefer header, reads with filter/select/order, updates and deletes', async () => {
			const inserted = await client.apaas.v1.workspaceTable.recordsPost(
				{
					path: { workspace_id: WORKSPACE, table_name: 'user_products' },
					data: { records: JSON.stringify([{ user_id: 1, product_id: 'p1', qty: 2 }, { user_id: 2, product_id: 'p1', qty: 3 }]) },
				},
				asUser(),
			);
			expect(inserted.code).toBe(0);
			const [first, second] = inserted.data!.record_ids;

			const upserted = await client.apaas.v1.workspaceTable.recordsPost(
				{
					path: { workspace_id: WORKSPACE, table_name: 'user_products' },
					params: { on_conflict: 'user_id,product_id' },
					data: { records: JSON.stringify([{ user_id: 2, product_id: 'p1', qty: 30 }, { user_id: 3, product_id: 'p9', qty: 4 }]) },
				},
				{ ...asUser(), headers: { Prefer: 'resolution=merge-duplicates' } },
			);
			expect(upserted.data!.record_ids[0]).toBe(second);
			expect(upserted.data!.record_ids[1]).not.toBe(first);

			const read = await client.apaas.v1.workspaceTable.recordsGet(
				{
					path: { workspace_id: WORKSPACE, table_name: 'user_products' },
					params: { filter: 'qty=gte.3', select: 'user_id,qty', order: 'qty.desc', page_size: 10 },
				},
				asUser(),
			);
			expect(typeof read.data?.items).toBe('string');
			expect(JSON.parse(read.data!.items)).toEqual([{ user_id: 2, qty: 30 }, { user_id: 3, qty: 4 }]);
			expect(read.data).toMatchObject({ total: 2, has_more: false });

			const patched = await client.apaas.v1.workspaceTable.recordsPatch(
				{
					path: { workspace_id: WORKSPACE, table_name: 'user_products' },
					params: { filter: 'user_id=eq.1' },
					data: { record: JSON.stringify({ status: 'shipped' }) },
				},
				asUser(),
			);
			expect(patched.data?.record_ids).toEqual([first]);

			const batch = await client.apaas.v1.workspaceTable.recordsBatchUpdate(
				{
					path: { workspace_id: WORKSPACE, table_name: 'user_products' },
					data: { records: JSON.stringify([{ _id: second, note: 'two' }, { _id: first, note: 'one' }]) },
				},
				asUser(),
			);
			expect(batch.data?.record_ids).toEqual([second, first]);

			const deleted = await client.apaas.v1.workspaceTable.recordsDelete(
				{ path: { workspace_id: WORKSPACE, table_name: 'user_products' }, params: { filter: 'product_id=eq.p9' } },
				asUser(),
			);
			expect(deleted.code).toBe(0);
			expect((await emulator.rows(WORKSPACE, 'user_products', ['user_id'])).map((row) => [row.user_id, row.qty, row.status, row.note])).toEqual([
				[1, 2, 'shipped', 'one'],
				[2, 30, 'new', 'two'],
			]);
		});

		it('answers bad parameters with HTTP 400 and code 2320001, which the SDK surfaces', async () => {
			const failure = client.apaas.v1.workspaceTable.recordsGet(
				{ path: { workspace_id: WORKSPACE, table_name: 'user_products' }, params: { filter: 'nope=eq.1' } },
				asUser(),
			);
			await expect(failure).rejects.toMatchObject({
				response: { status: 400, data: { code: 2320001, msg: expect.stringContaining('column nope does not exist') } },
			});
		});
	});

	describe('records POST (PostgREST upsert semantics)', () => {
		const purchase = (user: number, product: string, qty: number) => ({ user_id: user, product_id: product, qty });

		it('upserts 1,200 rows on the composite key: existing rows keep their _id and are updated, the rest inserted', async () => {
			const existing = await emulator.insertRows(
				WORKSPACE,
				'user_products',
				Array.from({ length: 300 }, (_, index) => ({ ...purchase(index * 4, 'p', 0), status: 'old' })),
			);
			const rows = Array.from({ length: 1200 }, (_, index) => purchase(index, 'p', index));
			const ids: string[] = [];
			for (let start = 0; start < rows.length; start += 500) {
				const response = await post(rows.slice(start, start + 500), { on_conflict: 'user_id,product_id' }, 'resolution=merge-duplicates');
				expect(response.status).toBe(200);
				expect(response.body.data!.record_ids).toHaveLength(Math.min(500, rows.length - start));
				ids.push(...response.body.data!.record_ids);
			}
			const stored = await emulator.rows(WORKSPACE, 'user_products', ['user_id']);
			expect(stored).toHaveLength(1200);
			stored.forEach((row, index) => {
				expect(row).toMatchObject({ user_id: index, qty: index, _id: ids[index] });
				// Only the written columns change: status stays 'old' on updated rows, the default on new ones.
				expect(row.status).toBe(index % 4 === 0 ? 'old' : 'new');
			});
			expect(existing.every((id, index) => ids[index * 4] === id)).toBe(true);
		});

		it('ignore-conflicts leaves existing rows untouched and lists only inserted rows in record_ids', async () => {
			const [existingId] = await emulator.insertRows(WORKSPACE, 'user_products', [{ ...purchase(1, 'p', 5), note: 'keep' }]);
			const response = await post(
				[purchase(0, 'p', 9), purchase(1, 'p', 9), purchase(2, 'p', 9)],
				{ on_conflict: 'user_id,product_id' },
				'resolution=ignore-conflicts',
			);
			expect(response.status).toBe(200);
			const ids = response.body.data!.record_ids;
			expect(ids).toHaveLength(2);
			expect(ids).not.toContain(existingId);
			const stored = await emulator.rows(WORKSPACE, 'user_products', ['user_id']);
			expect(stored.map((row) => [row._id, row.qty, row.note])).toEqual([
				[ids[0], 9, null],
				[existingId, 5, 'keep'],
				[ids[1], 9, null],
			]);
		});

		it('plain INSERT of a duplicate key fails the whole request and writes nothing', async () => {
			await emulator.insertRows(WORKSPACE, 'user_products', [purchase(1, 'p', 1)]);
			const response = await post([purchase(7, 'p', 1), purchase(1, 'p', 2)]);
			expect(response.status).toBe(400);
			expect(response.body.code).toBe(2320001);
			expect(response.body.msg).toMatch(/duplicate key value violates unique constraint.*\(user_id, product_id\)=\(1, p\)/);
			expect(await emulator.rows(WORKSPACE, 'user_products')).toHaveLength(1);
		});

		it('missing=default fills defaults for absent keys; without it absent keys are NULL', async () => {
			const rows = [{ user_id: 1, product_id: 'p', note: 'n' }, { user_id: 2, product_id: 'p', qty: 7 }];
			const columns = { columns: 'user_id,product_id,qty,status,note' };
			expect((await post(rows, columns, 'missing=default')).status).toBe(200);
			expect((await post(rows.map((row) => ({ ...row, product_id: 'q' })), columns)).status).toBe(200);
			const stored = await emulator.rows(WORKSPACE, 'user_products', ['product_id', 'user_id']);
			expect(stored.map((row) => [row.product_id, row.qty, row.status, row.note])).toEqual([
				['p', 1, 'new', 'n'],
				['p', 7, 'new', null],
				['q', null, null, 'n'],
				['q', 7, null, null],
			]);
		});

		it('merge-duplicates with missing=default resets absent columns of updated rows to their defaults (as PostgreSQL does)', async () => {
			await emulator.insertRows(WORKSPACE, 'user_products', [{ ...purchase(1, 'p', 5), status: 'old' }]);
			const response = await post([{ user_id: 1, product_id: 'p', note: 'x' }], { columns: 'user_id,product_id,qty,status,note', on_conflict: 'user_id,product_id' }, 'resolution=merge-duplicates, missing=default');
			expect(response.status).toBe(200);
			expect(await emulator.rows(WORKSPACE, 'user_products')).toEqual([expect.objectContaining({ qty: 1, status: 'new', note: 'x' })]);
		});

		it('rows with different keys need the columns parameter; columns limits what is written', async () => {
			const mixed = [{ user_id: 1, product_id: 'p', qty: 2 }, { user_id: 2, product_id: 'p', note: 'n', ignored: 'x' }];
			const refused = await post(mixed);
			expect(refused.status).toBe(400);
			expect(refused.body).toMatchObject({ code: 2320001, msg: expect.stringContaining('All object keys must match') });

			const empty = await call<{ record_ids: string[] }>('POST', '/names/records', { body: { records: '[{},{}]' } });
			expect(empty.body.data?.record_ids).toHaveLength(2);

			const accepted = await post(mixed, { columns: 'user_id,product_id,qty' });
			expect(accepted.status).toBe(200);
			const stored = await emulator.rows(WORKSPACE, 'user_products', ['user_id']);
			expect(stored.map((row) => [row.user_id, row.qty, row.note])).toEqual([
				[1, 2, null],
				[2, null, null],
			]);
		});

		it('reads typed JSON values: arrays, jsonb, booleans, numerics, dates; rejects values of the wrong type', async () => {
			const row = {
				user_id: 9,
				product_id: 'p',
				tags: ['red', 'say "hi"', 'a,b', null],
				meta: { nested: [1, { deep: true }], text: "it's" },
				paid: true,
				amount: '12.50',
				bought_on: '2024-02-29',
			};
			expect((await post([row])).status).toBe(200);
			expect((await emulator.rows(WORKSPACE, 'user_products'))[0]).toMatchObject({ ...row, amount: 12.5 });

			const wrong = await post([{ user_id: 'nine', product_id: 'p' }]);
			expect(wrong.status).toBe(400);
			expect(wrong.body.msg).toContain('invalid input syntax for type bigint: "nine"');
			const missing = await post([{ user_id: 10 }]);
			expect(missing.body.msg).toContain('null value in column "product_id"');
		});

		it('validates on_conflict, unknown columns, record counts and the body', async () => {
			const wrongTarget = await post([purchase(1, 'p', 1)], { on_conflict: 'user_id' }, 'resolution=merge-duplicates');
			expect(wrongTarget.status).toBe(400);
			expect(wrongTarget.body.msg).toContain('on_conflict user_id does not match');
			const unique = await post([{ ...purchase(1, 'p', 1), sku: 's1' }], { on_conflict: 'sku' }, 'resolution=merge-duplicates');
			expect(unique.status).toBe(200);

			expect((await post([{ user_id: 1, product_id: 'p', colour: 'red' }])).body.msg).toContain('column colour does not exist');
			expect((await post(Array.from({ length: 501 }, (_, index) => purchase(index, 'p', 1)))).body.msg).toContain('at most 500');
			const notJson = await call('POST', '/user_products/records', { body: { records: '[{' } });
			expect(notJson).toMatchObject({ status: 400, body: { code: 2320001, msg: 'records is not valid JSON' } });
			const twice = await post([purchase(1, 'p', 1), purchase(1, 'p', 2)], { on_conflict: 'user_id,product_id' }, 'resolution=merge-duplicates');
			expect(twice.body.msg).toContain('cannot affect row a second time');
			expect(await emulator.rows(WORKSPACE, 'user_products')).toHaveLength(1);
		});
	});

	describe('updates and deletes', () => {
		it('batch update requires _id and the same columns in every row, in one transaction', async () => {
			const [a, b] = await emulator.insertRows(WORKSPACE, 'user_products', [
				{ user_id: 1, product_id: 'p', qty: 1 },
				{ user_id: 2, product_id: 'p', qty: 2 },
			]);
			const batch = (rows: unknown[]) => call<{ record_ids: string[] }>('PATCH', '/user_products/records_batch_update', { body: { records: JSON.stringify(rows) } });

			const differing = await batch([{ _id: a, qty: 10 }, { _id: b, note: 'x' }]);
			expect(differing.status).toBe(400);
			expect(differing.body).toMatchObject({ code: 2320001, msg: expect.stringContaining('same columns') });
			expect((await batch([{ qty: 3 }])).body.msg).toContain('has no _id');

			const unknown = '00000000-0000-4000-8000-000000000000';
			const updated = await batch([{ _id: b, qty: 20, note: 'b' }, { _id: unknown, qty: 0, note: 'ghost' }, { _id: a, qty: 10, note: 'a' }]);
			expect(updated.body.data?.record_ids).toEqual([b, a]);

			const failing = await batch([{ _id: a, qty: 11 }, { _id: b, qty: 'many' }]);
			expect(failing.status).toBe(400);
			const stored = await emulator.rows(WORKSPACE, 'user_products', ['user_id']);
			expect(stored.map((row) => [row.qty, row.note])).toEqual([
				[10, 'a'],
				[20, 'b'],
			]);
		});

		it('PATCH and DELETE by filter touch only matching rows and require a filter', async () => {
			await emulator.insertRows(WORKSPACE, 'user_products', [1, 2, 3, 4].map((user) => ({ user_id: user, product_id: 'p', qty: user })));
			const patched = await call<{ record_ids: string[] }>('PATCH', '/user_products/records', {
				query: { filter: 'qty=gt.2' },
				body: { record: JSON.stringify({ status: 'big' }) },
			});
			expect(patched.body.data?.record_ids).toHaveLength(2);
			const noFilter = await call('PATCH', '/user_products/records', { body: { record: JSON.stringify({ status: 'all' }) } });
			expect(noFilter).toMatchObject({ status: 400, body: { code: 2320001, msg: expect.stringContaining('filter is required') } });
			expect((await call('DELETE', '/user_products/records')).body.msg).toContain('filter is required');

			const deleted = await call('DELETE', '/user_products/records', { query: { filter: 'status=eq.big&qty=lt.4' } });
			expect(deleted.body).toEqual({ code: 0, msg: 'success', data: {} });
			const stored = await emulator.rows(WORKSPACE, 'user_products', ['user_id']);
			expect(stored.map((row) => [row.user_id, row.status])).toEqual([
				[1, 'new'],
				[2, 'new'],
				[4, 'big'],
			]);
		});
	});
});
