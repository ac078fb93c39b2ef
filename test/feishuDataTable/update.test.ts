import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { editorDefaults } from '../harness/editor';
import { CONTACTS, USER_PRODUCTS, WORKSPACE, autoMapColumns, loadSchema, purchases, run, target, useFeishuDataTableEmulator } from './setup';

const TABLE = USER_PRODUCTS.name;

describe('Feishu Data Table: update by row ID', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);
	let ids: string[];
	let parameters: INodeParameters;

	beforeEach(async () => {
		ids = await dataTable.emulator.insertRows(WORKSPACE, TABLE, purchases(700));
		const base = { ...target(TABLE), operation: 'update', updateBy: 'id' };
		parameters = { ...base, columns: await autoMapColumns(dataTable.env, base, ['_id']) } as INodeParameters;
		dataTable.emulator.server.reset();
	});

	const batchUpdates = () => dataTable.emulator.server.requests.filter((request) => request.path.endsWith('/records_batch_update'));
	const sentRows = (request: { body: unknown }) => JSON.parse((request.body as { records: string }).records) as IDataObject[];

	it('groups rows by the columns they set: every request updates one column set, at most 500 rows', async () => {
		// Even items set qty, odd items set qty and status: two column sets.
		const items = ids.map((_id, index) => (index % 2 === 0 ? { _id, qty: 1000 + index } : { _id, qty: 1000 + index, status: 'shipped' }));

		const result = await run(dataTable.env, parameters, items);

		expect(result.error).toBeUndefined();
		const requests = batchUpdates();
		expect(requests.map((request) => sentRows(request).length)).toEqual([350, 350]);
		for (const request of requests) {
			const columnSets = new Set(sentRows(request).map((row) => Object.keys(row).sort().join(',')));
			expect(columnSets.size).toBe(1);
		}
		const rows = new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [row._id, row]));
		ids.forEach((id, index) => {
			expect(rows.get(id)!.qty).toBe(1000 + index);
			expect(rows.get(id)!.status).toBe(index % 2 === 0 ? 'pending' : 'shipped');
		});
		const [output] = result.outputs;
		expect(output).toHaveLength(700);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual(items[index]);
		});
	});

	it('sends 700 rows with the same columns as 500 + 200', async () => {
		const result = await run(dataTable.env, parameters, ids.map((_id) => ({ _id, note: 'bulk' })));

		expect(result.error).toBeUndefined();
		expect(batchUpdates().map((request) => sentRows(request).length)).toEqual([500, 200]);
		expect((await dataTable.emulator.rows(WORKSPACE, TABLE)).every((row) => row.note === 'bulk')).toBe(true);
	});

	it('reports a row ID that does not exist on the error output and updates the others', async () => {
		const missing = '00000000-0000-4000-8000-000000000000';
		const items = [{ _id: ids[0], qty: 5 }, { _id: missing, qty: 6 }, { _id: ids[2], qty: 7 }];

		const result = await run(dataTable.env, parameters, items, { onError: 'continueErrorOutput' });

		expect(result.status).toBe('success');
		const [success, errors] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 1 });
		expect(errors[0].json.error).toContain(`No row with _id "${missing}"`);
		expect(errors[0].json.details).toMatchObject({ itemIndex: 1, code: 'ROW_NOT_FOUND', outcome: 'failed' });
		const rows = new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [row._id, row]));
		expect([rows.get(ids[0])!.qty, rows.get(ids[2])!.qty]).toEqual([5, 7]);
	});

	it('takes rows as Get Many returns them (with _created_at) and writes back only the user columns', async () => {
		const read = (await dataTable.emulator.rows(WORKSPACE, TABLE)).slice(0, 3);
		const items = read.map((row) => ({ ...row, qty: 77 }));

		const result = await run(dataTable.env, parameters, items as never);

		expect(result.error).toBeUndefined();
		const [request] = batchUpdates();
		expect(Object.keys(sentRows(request)[0]).sort()).toEqual(['_id', 'note', 'product_id', 'qty', 'status', 'user_id']);
		const after = new Map((await dataTable.emulator.rows(WORKSPACE, TABLE)).map((row) => [row._id, row]));
		for (const row of read) expect(after.get(row._id)).toEqual({ ...row, qty: 77 });
	});

	it('refuses items without _id or without any column to update before sending anything', async () => {
		const result = await run(dataTable.env, parameters, [{ _id: ids[0], qty: 1 }, { qty: 2 }]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Item 1: Column to match on "_id" has no value');

		const onlyId = await run(dataTable.env, parameters, [{ _id: ids[0] }]);
		expect(onlyId.error?.message).toContain('No column to update');
		expect(batchUpdates()).toHaveLength(0);
	});
});

describe('Feishu Data Table: update and upsert as the editor sets them up', () => {
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	it.each(['update', 'upsert'])('%s: a yes/no column is a choice with nothing chosen; untouched columns are not written', async (operation) => {
		const [id] = await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, [{ email: 'a@example.com', name: 'Ann', score: 5, active: false }]);
		const base = { ...target(CONTACTS.name), operation, ...(operation === 'update' ? { updateBy: 'id' } : { resolution: 'merge-duplicates' }) };
		const { fields } = await loadSchema(dataTable.env, base as INodeParameters);
		expect(fields.find((field) => field.id === 'active')).toMatchObject({
			type: 'options',
			options: [{ name: 'True', value: true }, { name: 'False', value: false }],
		});
		// The form as n8n's editor fills it when the columns load, then the user sets one column.
		const key = operation === 'update' ? { _id: id } : { email: 'a@example.com' };
		const value = { ...editorDefaults(fields), ...key, name: 'Anne' };
		const columns = { mappingMode: 'defineBelow', value, matchingColumns: Object.keys(key), schema: fields };
		dataTable.emulator.server.reset();

		const result = await run(dataTable.env, { ...base, columns } as unknown as INodeParameters, [{}]);

		expect(result.error).toBeUndefined();
		const [write] = dataTable.emulator.server.requests.filter((request) => request.method !== 'GET');
		expect(JSON.parse((write.body as { records: string }).records)).toEqual([{ ...key, name: 'Anne' }]);
		const [row] = await dataTable.emulator.rows(WORKSPACE, CONTACTS.name);
		expect(row).toMatchObject({ name: 'Anne', score: 5, active: false });
	});
});
