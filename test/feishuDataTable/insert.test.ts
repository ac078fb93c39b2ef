import type { INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import { USER_PRODUCTS, WORKSPACE, autoMapColumns, purchases, run, target, useFeishuDataTableEmulator } from './setup';

const TABLE = USER_PRODUCTS.name;
const isWrite = (request: RecordedRequest) => request.method === 'POST' && request.path.endsWith('/records');

describe('Feishu Data Table: Insert', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);
	let insert: INodeParameters;

	const writes = () => dataTable.emulator.server.requests.filter(isWrite);

	beforeEach(async () => {
		const insertBase = { ...target(TABLE), operation: 'insert' };
		insert = { ...insertBase, columns: await autoMapColumns(dataTable.env, insertBase) } as INodeParameters;
		dataTable.emulator.server.reset();
	});

	it('a mapping n8n emptied (the table or the operation changed) fails once, before anything is sent, saying to map columns', async () => {
		for (const value of [null, { user_id: null, product_id: '' }]) {
			const emptied = { ...insert, columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] } } as INodeParameters;
			const result = await run(dataTable.env, emptied, purchases(3), { onError: 'continueErrorOutput' });
			expect(result.error?.message).toBe(
				`No column is mapped for table "${TABLE}": open the node and map the columns to write under "Columns", or choose "Map Automatically"`,
			);
		}
		expect(dataTable.emulator.server.requests).toHaveLength(0);
	});

	it('adds 1,234 rows in requests of 500, 500 and 234; each item gets the _id of its new row, paired with it', async () => {
		const items = purchases(1234);

		const result = await run(dataTable.env, insert, items);

		expect(result.error).toBeUndefined();
		expect(writes().map((request) => JSON.parse((request.body as { records: string }).records).length)).toEqual([500, 500, 234]);
		for (const request of writes()) {
			// A plain insert: no conflict target, no resolution.
			expect(request.query.get('on_conflict')).toBeNull();
			expect(request.headers.prefer).toBeUndefined();
			expect(request.query.get('columns')).toBe('user_id,product_id,qty,note');
		}
		const rows = new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [row._id, row]));
		expect(rows.size).toBe(1234);
		const [output] = result.outputs;
		expect(output).toHaveLength(1234);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual({ _id: expect.any(String), ...items[index] });
			// The row stored under that _id is this item's, with the column it lacks at its default.
			expect(rows.get(item.json._id as string)).toMatchObject({ ...items[index], status: 'pending' });
		});
		expect(new Set(output.map((item) => item.json._id)).size).toBe(1234);
	});

	it('finds the rows Feishu refuses in a request of 500, writes the rest, and routes the refused items to the error output', async () => {
		const items = purchases(500);
		// Numbers, but not whole ones: only PostgreSQL refuses them (int4 columns).
		items[123] = { ...items[123], qty: 1.5 };
		items[400] = { ...items[400], user_id: 2.5 };

		const result = await run(dataTable.env, insert, items, { onError: 'continueErrorOutput' });

		expect(result.status).toBe('success');
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(498);
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 123 }, { item: 400 }]);
		// The column is named from the value the service's message quotes; the advice is about values.
		expect(errors[0].json.error).toBe(
			'Feishu refused this row ("qty"): invalid input syntax for type integer: "1.5". Check the row\'s values: each column needs a value of its type, and the table\'s unique and not-null rules must hold.',
		);
		expect(errors[0].json.details).toMatchObject({ itemIndex: 123, outcome: 'failed', code: '2320001', httpCode: '400', fields: ['qty'] });
		expect(errors[1].json.details).toMatchObject({ itemIndex: 400, fields: ['user_id'] });
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE);
		expect(rows).toHaveLength(498);
		expect(new Set(success.map((item) => item.json._id))).toEqual(new Set(rows.map((row) => row._id)));
		// Halving finds two bad rows in a few dozen requests, far from one request per row.
		expect(dataTable.emulator.server.requests.filter(isWrite).length).toBeLessThan(40);
	});

	it('stops splitting when every row is refused for the same reason', async () => {
		const items = purchases(200).map((row) => ({ ...row, qty: 0.5 }));

		const result = await run(dataTable.env, insert, items, { onError: 'continueRegularOutput' });

		expect(result.outputs[0]).toHaveLength(200);
		expect(result.outputs[0].every((item) => typeof item.json.error === 'string')).toBe(true);
		expect(dataTable.emulator.server.requests.filter(isWrite)).toHaveLength(3);
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(0);
	});

	it('with On Error = Stop Workflow, stops at the first refused item and says how many were written', async () => {
		const items = purchases(3);
		items[1] = { ...items[1], qty: 1.5 };

		const result = await run(dataTable.env, insert, items);

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Item 1 \[2320001\]: Feishu refused this row/);
		expect(result.error?.description).toMatch(/^2 of 3 rows were written\. Written: items 0, 2\./);
	});

	it('refuses a value that does not fit its column before sending it, naming item and column', async () => {
		const items = purchases(3);
		items[1] = { ...items[1], qty: 'ten' };

		const result = await run(dataTable.env, insert, items, { onError: 'continueErrorOutput' });

		const [success, errors] = result.outputs;
		expect(success).toHaveLength(2);
		expect(errors[0].json).toMatchObject({ error: '"qty" needs a number, got "ten"', details: { itemIndex: 1, outcome: 'notSent', fields: ['qty'] } });
		const [request] = dataTable.emulator.server.requests.filter(isWrite);
		expect(JSON.parse((request.body as { records: string }).records)).toHaveLength(2);
	});

	it('writes an auto-mapped item without a field that is not a column, and says so on the item and in a hint', async () => {
		const items = purchases(3);
		items[1] = { ...items[1], colour: 'red', 'note ': 'trailing space' };

		const result = await run(dataTable.env, insert, items, { onError: 'continueErrorOutput' });

		const [success, errors] = result.outputs;
		expect(errors ?? []).toHaveLength(0);
		expect(success[1].json).toMatchObject({ qty: 1, _ignoredFields: ['colour', 'note '] });
		expect(success[0].json._ignoredFields).toBeUndefined();
		const [request] = dataTable.emulator.server.requests.filter(isWrite);
		expect(JSON.parse((request.body as { records: string }).records)[1]).toEqual({ user_id: 0, product_id: 'p-1', qty: 1, note: 'purchase 1' });
		const [hint] = result.run.data.resultData.runData['Node Under Test'][0].hints ?? [];
		expect(hint.message).toBe(
			'Not written: 2 input fields "colour", "note " are not columns of table "user_products" (in 1 of 3 items). Check the spelling (spaces count), or map the columns one by one. Each item lists them under "_ignoredFields".',
		);
	});

	it('never resends an insert whose answer was lost: the items say the outcome is unknown', async () => {
		dataTable.emulator.server.inject({ match: isWrite, action: { kind: 'resetAfterHandling' } });

		const result = await run(dataTable.env, insert, purchases(5), { onError: 'continueErrorOutput' });

		expect(dataTable.emulator.server.requests.filter(isWrite)).toHaveLength(1);
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(0);
		expect(errors).toHaveLength(5);
		expect(errors[0].json.details).toMatchObject({ outcome: 'unknown' });
		expect(errors[0].json.error).toContain('may or may not have applied');
		// It did apply: exactly why resending would have added the rows twice.
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(5);
	});

	it('fills the defaults of columns some items lack with missing=default, in one request', async () => {
		const items = [
			{ user_id: 1, product_id: 'a', status: 'paid', qty: 3 },
			{ user_id: 2, product_id: 'b' },
			{ user_id: 3, product_id: 'c', qty: 2 },
		];
		const parameters = { ...target(TABLE), operation: 'insert' };
		const columns = await autoMapColumns(dataTable.env, parameters);
		dataTable.emulator.server.reset();
		const result = await run(dataTable.env, { ...parameters, columns, options: { missingColumns: 'default' } }, items);

		expect(result.error).toBeUndefined();
		expect(writes()).toHaveLength(1);
		expect(writes()[0].headers.prefer).toBe('missing=default');
		expect(writes()[0].query.get('columns')).toBe('user_id,product_id,status,qty');
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE, ['user_id']);
		expect(rows.map((row) => [row.status, row.qty])).toEqual([
			['paid', 3],
			['pending', 1],
			['pending', 2],
		]);
	});
});
