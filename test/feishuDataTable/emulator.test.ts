import * as lark from '@larksuiteoapi/node-sdk';
import { createHash } from 'node:crypto';

import type { FeishuDataTableEmulator, TableSpec } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';

/**
 * The emulator on its own: wire format through the official Lark SDK, PostgREST semantics and
 * OAuth through plain HTTP. The node's tests build on these behaviours.
 */

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

/** Names with every character that has a meaning in filters, plus their innocent neighbours. */
const TRICKY = ['a&b', 'a', 'b', 'x,y', 'x', 'y', 'f(x)', 'f', '1.5', '1', 'say "hi"', 'say', 'back\\slash', "O'Brien", '50%', '500', 'a+b', 'a b', 'a=b', '王一一'];

const noop = () => undefined;

interface Envelope<T = Record<string, unknown>> {
	code: number;
	msg?: string;
	data?: T;
}

describe('Feishu data table emulator', () => {
	let emulator: FeishuDataTableEmulator;
	let token: string;
	let client: lark.Client;

	const base = () => `${emulator.url}/open-apis/apaas/v1/workspaces/${WORKSPACE}/tables`;
	const asUser = () => lark.withUserAccessToken(token);

	async function call<T = Record<string, unknown>>(
		method: string,
		path: string,
		options: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
	): Promise<{ status: number; headers: Headers; body: Envelope<T> }> {
		const url = new URL(`${base()}${path}`);
		for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
		const bearer = options.token === undefined ? token : options.token;
		const response = await fetch(url, {
			method,
			headers: {
				'content-type': 'application/json; charset=utf-8',
				...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
				...options.headers,
			},
			body: options.body === undefined ? undefined : JSON.stringify(options.body),
		});
		return { status: response.status, headers: response.headers, body: (await response.json()) as Envelope<T> };
	}

	const post = (rows: unknown[], query: Record<string, string> = {}, prefer?: string) =>
		call<{ record_ids: string[] }>('POST', '/user_products/records', {
			query,
			body: { records: JSON.stringify(rows) },
			headers: prefer ? { prefer } : {},
		});

	/** GET records with a filter expression; returns the matching rows. */
	async function select(table: string, filter: string, extra: Record<string, string> = {}) {
		const response = await call<{ items: string; total: number }>('GET', `/${table}/records`, {
			query: { filter, page_size: '500', ...extra },
		});
		return { ...response, rows: response.body.data ? (JSON.parse(response.body.data.items) as Array<Record<string, unknown>>) : [] };
	}

	const namesMatching = async (filter: string) =>
		(await select('names', filter, { order: 'rank' })).rows.map((row) => row.name);

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

	describe('GET records: paging, filters, select, order', () => {
		beforeEach(async () => {
			// These tests make many calls in a row; the limit itself is tested below.
			emulator.rateLimitPerSecond = 1000;
			await emulator.insertRows(WORKSPACE, 'names', TRICKY.map((name, rank) => ({ name, rank })));
			await emulator.insertRows(WORKSPACE, 'names', [{ rank: 100 }]);
		});

		it('pages with page_size and page_token, total and has_more', async () => {
			const seen: unknown[] = [];
			let pageToken: string | undefined;
			let pages = 0;
			do {
				const response = await call<{ items: string; total: number; has_more: boolean; page_token: string }>('GET', '/names/records', {
					query: { page_size: '8', order: 'rank', ...(pageToken ? { page_token: pageToken } : {}) },
				});
				const data = response.body.data!;
				expect(data.total).toBe(TRICKY.length + 1);
				seen.push(...(JSON.parse(data.items) as Array<{ rank: number }>).map((row) => row.rank));
				pageToken = data.has_more ? data.page_token : undefined;
				pages++;
			} while (pageToken);
			expect(pages).toBe(3);
			expect(seen).toEqual([...TRICKY.map((_, rank) => rank), 100]);
			const defaultPage = await call<{ items: string }>('GET', '/names/records');
			expect(JSON.parse(defaultPage.body.data!.items)).toHaveLength(10);
			expect((await call('GET', '/names/records', { query: { page_size: '501' } })).body.code).toBe(2320001);
			expect((await call('GET', '/names/records', { query: { page_token: 'bogus' } })).body.code).toBe(2320001);
		});

		it('matches values with & , ( ) . quotes % + = literally, encoded the PostgREST way', async () => {
			const eq = (value: string) => `name=eq.${encodeURIComponent(value)}`;
			for (const name of TRICKY) expect(await namesMatching(eq(name))).toEqual([name]);

			const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
			const inList = (values: string[]) => `name=in.(${values.map((value) => encodeURIComponent(quote(value))).join(',')})`;
			expect(await namesMatching(inList(['x,y', 'f(x)', 'say "hi"', 'back\\slash', 'a&b']))).toEqual(['a&b', 'x,y', 'f(x)', 'say "hi"', 'back\\slash']);
			const orTree = `or=(${['1.5', 'a,b', 'O\'Brien'].map((value) => `name.eq.${encodeURIComponent(quote(value))}`).join(',')})`;
			expect(await namesMatching(orTree)).toEqual(['1.5', "O'Brien"]);
			expect(await namesMatching('name=not.in.("x,y",x,y)&rank=lt.10')).toEqual(['a&b', 'a', 'b', 'f(x)', 'f', '1.5', '1']);
		});

		it('never widens a filter whose special characters were not encoded', async () => {
			// `&` unencoded splits the expression: "b" is not column=op.value, so the request fails.
			const split = await select('names', 'name=eq.a&b');
			expect(split.status).toBe(400);
			expect(split.body.msg).toContain('"b" is not column=operator.value');
			// Unquoted in-list elements split at commas: matches x and y, never "x,y" or anything else.
			expect(await namesMatching('name=in.(x,y)')).toEqual(['x', 'y']);
			// `+` unencoded is a space, `%` starts an escape.
			expect(await namesMatching('name=eq.a+b')).toEqual(['a b']);
			expect(await namesMatching('name=eq.a%2Bb')).toEqual(['a+b']);
			expect(await namesMatching('name=eq.50%')).toEqual(['50%']);
		});

		it('supports neq, gt/gte/lt/lte, like/ilike with *, is, not and nested and/or', async () => {
			expect(await namesMatching('rank=gte.17')).toEqual(['a b', 'a=b', '王一一', null]);
			expect(await namesMatching('rank=lt.2&name=neq.a&name=not.is.null')).toEqual(['a&b']);
			expect(await namesMatching('name=like.a*')).toEqual(['a&b', 'a', 'a+b', 'a b', 'a=b']);
			expect(await namesMatching('name=ilike.*BRIEN')).toEqual(["O'Brien"]);
			expect(await namesMatching('name=is.null')).toEqual([null]);
			expect(await namesMatching('or=(rank.eq.0,and(rank.gt.5,rank.lte.7),not.and(rank.lt.100,name.neq.b))')).toEqual(['a&b', 'b', 'f(x)', 'f', null]);
			expect(await namesMatching('not.or=(rank.lt.17,name.is.null)')).toEqual(['a b', 'a=b', '王一一']);
			// The documented example value is shown URL-encoded; it is decoded once more.
			expect(await namesMatching('rank%3Dgt.17')).toEqual(['a=b', '王一一', null]);
		});

		it('select and order', async () => {
			const { rows } = await select('names', 'rank=lt.3', { select: 'name', order: 'name.desc' });
			expect(rows).toEqual([{ name: 'b' }, { name: 'a&b' }, { name: 'a' }]);
			const nullsFirst = await select('names', 'rank=gt.16', { select: 'rank,name', order: 'name.asc.nullsfirst' });
			expect(nullsFirst.rows).toEqual([{ rank: 100, name: null }, { rank: 17, name: 'a b' }, { rank: 18, name: 'a=b' }, { rank: 19, name: '王一一' }]);
			expect((await select('names', 'rank=eq.1', { order: 'rank.sideways' })).body.msg).toContain('Invalid order');
			expect((await select('names', 'rank=eq.1', { select: 'secret' })).body.msg).toContain('column secret does not exist');
		});

		it('keeps SQL-looking values inert and quotes identifiers', async () => {
			const injection = "x'; DROP TABLE names; --";
			expect(await namesMatching(`name=eq.${encodeURIComponent(injection)}`)).toEqual([]);
			expect(await namesMatching(`name=in.(${encodeURIComponent(`"${injection}"`)},a)`)).toEqual(['a']);
			const column = await select('names', `${encodeURIComponent('name" = name OR "rank')}=eq.1`);
			expect(column.status).toBe(400);
			expect(column.body.msg).toContain('does not exist');
			const order = await select('names', 'rank=eq.1', { order: 'rank; DELETE FROM names' });
			expect(order.status).toBe(400);
			const table = await call('GET', `/${encodeURIComponent('names"; DROP TABLE "names')}/records`);
			expect(table.body).toMatchObject({ code: 2320001, msg: expect.stringContaining('does not exist') });
			expect(await emulator.rows(WORKSPACE, 'names')).toHaveLength(TRICKY.length + 1);
		});
	});

	describe('authentication and rate limit', () => {
		it('accepts only valid, unexpired user tokens', async () => {
			const codeOf = async (bearer: string | null, headers: Record<string, string> = {}) => {
				const response = await call('GET', '/names/records', { token: bearer, headers });
				return [response.status, response.body.code];
			};
			expect(await codeOf(null)).toEqual([400, 99991661]);
			expect(await codeOf(null, { authorization: 'Basic abc' })).toEqual([400, 99991661]);
			expect(await codeOf('t-tenant-token')).toEqual([400, 99991663]);
			expect(await codeOf('u-unknown')).toEqual([400, 99991668]);
			expect(await codeOf(token)).toEqual([200, 0]);
			emulator.expireAccessTokens();
			expect(await codeOf(token)).toEqual([400, 99991677]);
		});

		it('answers 429 with x-ogw-ratelimit headers and code 99991400 beyond 10 requests per second', async () => {
			emulator.rateLimitPerSecond = 10;
			const responses = await Promise.all(Array.from({ length: 14 }, async () => await call('GET', '/names/records')));
			const limited = responses.filter((response) => response.status === 429);
			expect(responses.filter((response) => response.status === 200)).toHaveLength(10);
			expect(limited).toHaveLength(4);
			expect(limited[0].body).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
			expect(limited[0].headers.get('x-ogw-ratelimit-limit')).toBe('10');
			expect(Number(limited[0].headers.get('x-ogw-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
			// Each API has its own budget.
			expect((await call('GET', '/names')).status).toBe(200);
		});
	});

	describe('OAuth 2.0 (v2) user tokens', () => {
		const redirectUri = 'http://localhost:5678/rest/oauth2-credential/callback';

		async function authorize(query: Record<string, string>): Promise<Response> {
			const url = new URL(`${emulator.url}/open-apis/authen/v1/authorize`);
			for (const [name, value] of Object.entries({ client_id: emulator.clientId, response_type: 'code', redirect_uri: redirectUri, ...query })) {
				url.searchParams.set(name, value);
			}
			return await fetch(url, { redirect: 'manual' });
		}

		async function codeFor(query: Record<string, string> = {}): Promise<string> {
			const response = await authorize({ scope: 'offline_access app_engine:workspace.table.record:read', state: 's1', ...query });
			expect(response.status).toBe(302);
			const location = new URL(response.headers.get('location')!);
			expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
			expect(location.searchParams.get('state')).toBe('s1');
			return location.searchParams.get('code')!;
		}

		/** Like n8n's OAuth2 client: form body, client credentials in Basic auth. */
		async function tokenForm(params: Record<string, string>, basic = true) {
			const response = await fetch(`${emulator.url}/open-apis/authen/v2/oauth/token`, {
				method: 'POST',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					...(basic ? { authorization: `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}` } : {}),
				},
				body: new URLSearchParams(params).toString(),
			});
			return { status: response.status, body: (await response.json()) as Record<string, unknown> };
		}

		async function tokenJson(params: Record<string, string>) {
			const response = await fetch(`${emulator.url}/open-apis/authen/v2/oauth/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/json; charset=utf-8' },
				body: JSON.stringify({ client_id: emulator.clientId, client_secret: emulator.clientSecret, ...params }),
			});
			return { status: response.status, body: (await response.json()) as Record<string, unknown> };
		}

		it('exchanges a single-use code, then rotates single-use refresh tokens', async () => {
			const code = await codeFor();
			const granted = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
			expect(granted.status).toBe(200);
			expect(granted.body).toMatchObject({
				code: 0,
				token_type: 'Bearer',
				expires_in: 7200,
				refresh_token_expires_in: 604800,
				scope: 'offline_access app_engine:workspace.table.record:read',
			});
			expect(String(granted.body.access_token)).toMatch(/^u-/);
			const reused = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
			expect(reused).toMatchObject({ status: 400, body: { code: 20065, error: 'invalid_grant' } });

			token = String(granted.body.access_token);
			expect((await call('GET', '/names/records')).status).toBe(200);
			emulator.expireAccessTokens();
			expect((await call('GET', '/names/records')).body.code).toBe(99991677);

			const refreshToken = String(granted.body.refresh_token);
			const refreshed = await tokenJson({ grant_type: 'refresh_token', refresh_token: refreshToken });
			expect(refreshed.body).toMatchObject({ code: 0, token_type: 'Bearer' });
			expect(refreshed.body.refresh_token).not.toBe(refreshToken);
			token = String(refreshed.body.access_token);
			expect((await call('GET', '/names/records')).status).toBe(200);

			const replay = await tokenJson({ grant_type: 'refresh_token', refresh_token: refreshToken });
			expect(replay).toEqual({ status: 400, body: { code: 20073, error: 'invalid_grant', error_description: 'The refresh token has been used.' } });
			expect((await tokenForm({ grant_type: 'refresh_token', refresh_token: String(refreshed.body.refresh_token) })).status).toBe(200);
			expect(emulator.tokenRequests).toBe(5);
		});

		it('checks PKCE, redirect_uri, client credentials and grant type', async () => {
			const verifier = 'v'.repeat(50);
			const challenge = createHash('sha256').update(verifier).digest('base64url');
			const pkceCode = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
			expect((await tokenJson({ grant_type: 'authorization_code', code: pkceCode, code_verifier: 'wrong' })).body.code).toBe(20049);
			const goodPkce = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
			expect((await tokenJson({ grant_type: 'authorization_code', code: goodPkce, code_verifier: verifier })).body.code).toBe(0);

			const elsewhere = await tokenJson({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: 'http://evil.example/cb' });
			expect(elsewhere.body.code).toBe(20071);
			const badSecret = await tokenJson({ grant_type: 'authorization_code', code: await codeFor(), client_secret: 'nope' });
			expect(badSecret).toMatchObject({ status: 400, body: { code: 20002, error: 'invalid_client' } });
			const both = await tokenForm({ grant_type: 'authorization_code', code: await codeFor(), client_secret: emulator.clientSecret });
			expect(both.body.code).toBe(20070);
			expect((await tokenJson({ grant_type: 'password' })).body.code).toBe(20036);
			expect((await tokenJson({ grant_type: 'refresh_token', refresh_token: 'ur-unknown' })).body.code).toBe(20026);

			const noOffline = await tokenJson({ grant_type: 'authorization_code', code: await codeFor({ scope: 'app_engine:workspace.table.record:read' }) });
			expect(noOffline.body.code).toBe(0);
			expect(noOffline.body.refresh_token).toBeUndefined();

			expect((await authorize({ client_id: 'cli_other' })).status).toBe(400);
		});
	});
});
