import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { TableSpec } from '../emulators/feishuDataTable';
import type { RecordedRequest } from '../emulators/server';
import type { NodeRun } from '../harness/workflow';
import {
	CONTACTS,
	USER_PRODUCTS,
	WORKSPACE,
	autoMapColumns,
	byConditions,
	condition,
	contactRows,
	purchases,
	run,
	target,
	useFeishuDataTableEmulator,
} from './setup';

/** `orders`: no unique key, so the same values twice are two rows. */
const ORDERS: TableSpec = {
	name: 'orders',
	columns: [
		{ name: 'order_no', data_type: 'varchar', is_allow_null: false },
		{ name: 'customer', data_type: 'varchar' },
		{ name: 'amount', data_type: 'int4' },
		{ name: 'note', data_type: 'text' },
	],
};

const TABLES_PATH = `/open-apis/apaas/v1/workspaces/${WORKSPACE}/tables`;
/** The write endpoints of the data table API: POST/PATCH/DELETE on records, PATCH on records_batch_update. */
const WRITE_PATH = new RegExp(`^${TABLES_PATH}/[^/]+/(records|records_batch_update)$`);
const isWrite = (request: RecordedRequest) => request.method !== 'GET' && WRITE_PATH.test(request.path);
/** What a run may send besides writes: reads, SQL key reads (a SELECT), token requests. */
const isAllowedRead = (request: RecordedRequest) =>
	request.method === 'GET' ||
	(request.method === 'POST' && request.path === `/open-apis/apaas/v1/workspaces/${WORKSPACE}/sql_commands`) ||
	(request.method === 'POST' && request.path === '/open-apis/authen/v2/oauth/token');

type Action = 'create' | 'update' | 'create or update' | 'delete';

interface Preview {
	dryRun: true;
	action: Action;
	batch: number;
	request: string;
	record: unknown;
	sentWithItem?: number;
}

/** The records a real write request carries, in the shape Dry Run previews them. */
function recordsOf(request: RecordedRequest): unknown[] {
	const body = request.body as { records?: string; record?: string } | undefined;
	if (request.method === 'DELETE') return [{ filter: request.query.get('filter') }];
	if (request.method === 'PATCH' && request.path.endsWith('/records')) {
		return [{ filter: request.query.get('filter'), row: JSON.parse(body!.record!) as unknown }];
	}
	return JSON.parse(body!.records!) as unknown[];
}

const itemOf = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;
const hintsOf = (result: NodeRun) => (result.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);

describe('Feishu Data Table: Dry Run previews exactly what the real run writes', () => {
	const dataTable = useFeishuDataTableEmulator([ORDERS, USER_PRODUCTS, CONTACTS]);

	beforeEach(() => {
		// Many requests in little time; rate limiting is tested elsewhere.
		dataTable.emulator.rateLimitPerSecond = 10_000;
	});

	const requests = () => dataTable.emulator.server.requests;
	const rows = async (table: string) => await dataTable.emulator.rows(WORKSPACE, table);

	async function mapped(parameters: INodeParameters, matching: string[] = []): Promise<INodeParameters> {
		return { ...parameters, columns: await autoMapColumns(dataTable.env, parameters, matching) } as INodeParameters;
	}

	interface Expectation {
		table: string;
		action: Action;
		/** `METHOD path` of every write request. */
		request: string;
		/** The items that cannot be sent, with a word of their message. */
		bad: Record<number, string>;
		/** Items whose values travel in an earlier item's request: item -> that item. */
		travelling?: Record<number, number>;
		/** The number of write requests the real run sends. */
		requestCount: number;
	}

	/**
	 * Runs the items with Dry Run on, then off, and checks that the preview sent nothing, changed
	 * nothing and announced exactly the requests the real run then sent.
	 */
	async function previewThenWrite(parameters: INodeParameters, items: IDataObject[], expected: Expectation): Promise<void> {
		const { options = {} } = parameters as { options?: IDataObject };
		const before = await rows(expected.table);
		dataTable.emulator.server.reset();

		// 1. Dry Run: nothing written, every sendable item previewed, the bad item failed as for real.
		const dry = await run(dataTable.env, { ...parameters, options: { ...options, dryRun: true } }, items, {
			onError: 'continueErrorOutput',
		});
		expect(dry.error).toBeUndefined();
		expect(requests().filter(isWrite)).toEqual([]);
		expect(requests().filter((request) => !isAllowedRead(request))).toEqual([]);
		expect(await rows(expected.table)).toEqual(before);

		const [previewed, dryErrors] = dry.outputs;
		expect(dryErrors.map(itemOf)).toEqual(Object.keys(expected.bad).map(Number));
		for (const error of dryErrors) {
			expect(error.json.details).toMatchObject({ outcome: 'notSent' });
			expect(String(error.json.error)).toContain(expected.bad[itemOf(error)]);
		}
		expect(previewed).toHaveLength(items.length - dryErrors.length);
		const previews = new Map(previewed.map((item) => [itemOf(item), item.json as unknown as Preview]));
		for (const [itemIndex, preview] of previews) {
			expect(Object.keys(preview).sort()).toEqual(
				['action', 'batch', 'dryRun', 'record', 'request', ...(preview.sentWithItem === undefined ? [] : ['sentWithItem'])].sort(),
			);
			expect(preview).toMatchObject({ dryRun: true, action: expected.action, request: expected.request });
			expect(Number.isInteger(preview.batch) && preview.batch >= 1).toBe(true);
			const carrier = expected.travelling?.[itemIndex];
			expect(preview.sentWithItem).toBe(carrier);
			if (carrier !== undefined) {
				// Carried by the earlier item's request: same batch, the record that request carries.
				expect(preview.batch).toBe(previews.get(carrier)!.batch);
				expect(preview.record).toEqual(previews.get(carrier)!.record);
			}
		}

		// The batches the preview announces: batch number -> its records, in item order.
		const batches = new Map<number, unknown[]>();
		for (const [, preview] of [...previews].sort(([a], [b]) => a - b)) {
			if (preview.sentWithItem !== undefined) continue;
			batches.set(preview.batch, [...(batches.get(preview.batch) ?? []), preview.record]);
		}
		expect([...batches.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: expected.requestCount }, (_, index) => index + 1));

		const records = [...batches.values()].reduce((sum, batch) => sum + batch.length, 0);
		const requestWord = expected.requestCount === 1 ? '1 request' : `${expected.requestCount} requests`;
		const recordWord = records === 1 ? '1 row' : `${records.toLocaleString('en-US')} rows`;
		expect(hintsOf(dry)).toContain(
			`Dry run: nothing was written. ${recordWord} would be sent (${expected.action}) in ${requestWord} to ${expected.request}; see each item's "batch". Turn Options > Dry Run off to write.`,
		);

		// 2. The same items for real: the write requests are the previewed batches, record for record.
		dataTable.emulator.server.reset();
		const real = await run(dataTable.env, parameters, items, { onError: 'continueErrorOutput' });
		expect(real.error).toBeUndefined();

		const writes = requests().filter(isWrite);
		expect(writes.every((request) => request.status === 200)).toBe(true);
		for (const write of writes) expect(`${write.method} ${write.path}`).toBe(expected.request);
		const sent = writes.map((write) => JSON.stringify(recordsOf(write))).sort();
		const announced = [...batches.values()].map((batch) => JSON.stringify(batch)).sort();
		expect(sent).toEqual(announced);

		const [written, realErrors] = real.outputs;
		expect(written.map(itemOf)).toEqual(previewed.map(itemOf));
		expect(realErrors.map((item) => item.json)).toEqual(dryErrors.map((item) => item.json));
		expect(hintsOf(real).some((hint) => hint.startsWith('Dry run'))).toBe(false);
	}

	it('Create Many: 520 orders in two column sets (500 + 16, and 3) plus a bad amount; the same values twice are two rows', async () => {
		await dataTable.emulator.insertRows(WORKSPACE, ORDERS.name, [{ order_no: 'old-1', customer: 'Kim', amount: 5 }]);
		const items: IDataObject[] = Array.from({ length: 520 }, (_, index) =>
			// Every 200th order has no note: a column set of its own, sent in a request of its own.
			index % 200 === 7
				? { order_no: `o-${index}`, customer: `customer ${index % 37}`, amount: index }
				: { order_no: `o-${index}`, customer: `customer ${index % 37}`, amount: index, note: `order ${index}` },
		);
		items[42] = { ...items[42], amount: 'forty-two' };
		items[300] = { ...items[299] };

		await previewThenWrite(await mapped({ ...target(ORDERS.name), operation: 'insert' }), items, {
			table: ORDERS.name,
			action: 'create',
			request: `POST ${TABLES_PATH}/orders/records`,
			bad: { 42: 'amount' },
			requestCount: 3,
		});
		expect(await rows(ORDERS.name)).toHaveLength(1 + 519);
	});

	for (const resolution of ['merge-duplicates', 'ignore-conflicts'] as const) {
		it(`Create or Update (${resolution}): 530 purchases, 200 of them existing, in 500 + 27 or 28; a bad qty; a key twice travels with the first`, async () => {
			await dataTable.emulator.insertRows(WORKSPACE, USER_PRODUCTS.name, purchases(200).map((row) => ({ ...row, qty: 0, note: 'before' })));
			const items = purchases(530);
			items[17] = { ...items[17], qty: 'a dozen' };
			// Item 3's key again, later in the input (in the second batch's range).
			items[510] = { user_id: 0, product_id: 'p-3', qty: 99, status: 'shipped' };

			const parameters = await mapped({ ...target(USER_PRODUCTS.name), operation: 'upsert', resolution }, ['user_id', 'product_id']);
			await previewThenWrite(parameters, items, {
				table: USER_PRODUCTS.name,
				action: 'create or update',
				request: `POST ${TABLES_PATH}/user_products/records`,
				bad: { 17: 'qty' },
				travelling: { 510: 3 },
				// Item 510 (in the second batch's range) travels in item 3's request, of the first batch.
				// Merged, item 3's row sets status too: a column set of its own, in a request of its own.
				requestCount: resolution === 'merge-duplicates' ? 3 : 2,
			});
			const row = (await rows(USER_PRODUCTS.name)).find((each) => each.user_id === 0 && each.product_id === 'p-3')!;
			expect([row.qty, row.status]).toEqual(resolution === 'merge-duplicates' ? [99, 'shipped'] : [0, 'pending']);
		});
	}

	it('Update Many by ID: 520 rows in 500 + 18 and a merged row of its own column set; a bad qty; an _id twice', async () => {
		const ids = await dataTable.emulator.insertRows(WORKSPACE, USER_PRODUCTS.name, purchases(520));
		const items: IDataObject[] = ids.map((_id, index) => ({ _id, qty: 1000 + index }));
		items[9] = { _id: ids[9], qty: 'many' };
		// Item 5's row again: merged into item 5's, which then sets qty and status (a column set of its own).
		items.push({ _id: ids[5], status: 'shipped' });

		const parameters = await mapped({ ...target(USER_PRODUCTS.name), operation: 'update', updateBy: 'id' }, ['_id']);
		await previewThenWrite(parameters, items, {
			table: USER_PRODUCTS.name,
			action: 'update',
			request: `PATCH ${TABLES_PATH}/user_products/records_batch_update`,
			bad: { 9: 'qty' },
			travelling: { 520: 5 },
			requestCount: 3,
		});
		const after = new Map((await rows(USER_PRODUCTS.name)).map((row) => [row._id, row]));
		expect([after.get(ids[5])!.qty, after.get(ids[5])!.status]).toEqual([1005, 'shipped']);
		expect(after.get(ids[9])!.qty).toBe(9);
	});

	it('Update Many by filter: one request per item, the same filter twice, a filter without a value', async () => {
		await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, contactRows(['ann', 'bob', 'cy', 'dee', 'bob']));
		const parameters = {
			...target(CONTACTS.name),
			operation: 'update',
			updateBy: 'filter',
			...byConditions([condition('name', 'eq', '={{ $json.match }}')]),
			columns: { mappingMode: 'defineBelow', value: { score: '={{ $json.score }}' }, matchingColumns: [], schema: [] },
		} as INodeParameters;
		const items = [
			{ match: 'ann', score: 10 },
			{ match: 'bob', score: 20 },
			{ match: '', score: 30 },
			{ match: 'dee', score: 40 },
			{ match: 'bob', score: 50 },
			{ match: 'nobody', score: 60 },
		];

		await previewThenWrite(parameters, items, {
			table: CONTACTS.name,
			action: 'update',
			request: `PATCH ${TABLES_PATH}/contacts/records`,
			bad: { 2: 'has no value' },
			requestCount: 5,
		});
		expect((await dataTable.emulator.rows(WORKSPACE, CONTACTS.name, ['email'])).map((row) => [row.name, row.score])).toEqual([
			['ann', 10],
			['bob', 50],
			['cy', 2],
			['dee', 40],
			['bob', 50],
		]);
	});

	it('Delete Many by filter: one request per item, the same filter twice, a filter without a value', async () => {
		await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, contactRows(['ann', 'bob', 'cy', 'dee', 'eve']));
		const parameters = { ...target(CONTACTS.name), operation: 'delete', ...byConditions([condition('name', 'eq', '={{ $json.name }}')]) };
		const items = [{ name: 'bob' }, { name: 'dee' }, { other: 'no name' }, { name: 'bob' }, { name: 'zed' }];

		await previewThenWrite(parameters as INodeParameters, items, {
			table: CONTACTS.name,
			action: 'delete',
			request: `DELETE ${TABLES_PATH}/contacts/records`,
			bad: { 2: 'has no value' },
			requestCount: 4,
		});
		expect((await dataTable.emulator.rows(WORKSPACE, CONTACTS.name, ['email'])).map((row) => row.name)).toEqual(['ann', 'cy', 'eve']);
	});
});
