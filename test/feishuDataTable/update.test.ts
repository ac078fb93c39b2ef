import type { IDataObject, INodeParameters } from 'n8n-workflow';

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

describe('Feishu Data Table: update by row ID', () => {
	const TABLE = USER_PRODUCTS.name;
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

describe('Feishu Data Table: update by filter, and the row IDs of the answer', () => {
	const TABLE = CONTACTS.name;
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	async function seedContacts(names: string[]) {
		await dataTable.emulator.insertRows(WORKSPACE, TABLE, contactRows(names));
	}

	it('updates by filter only the rows that match literally, and an injection attempt matches nothing', async () => {
		await seedContacts(['a&b', 'a', 'b', 'x",name.neq."', 'x']);
		const parameters = {
			...target(TABLE),
			operation: 'update',
			updateBy: 'filter',
			...byConditions([condition('name', 'eq', '={{ $json.match }}')]),
			columns: { mappingMode: 'defineBelow', value: { score: '={{ $json.score }}' }, matchingColumns: [], schema: [] },
		};

		const result = await run(dataTable.env, parameters as INodeParameters, [
			{ match: 'a&b', score: 100 },
			{ match: 'x",name.neq."', score: 200 },
			{ match: 'nobody",name.eq."a', score: 300 },
		]);

		expect(result.error).toBeUndefined();
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE, ['email']);
		expect(rows.map((row) => [row.name, row.score])).toEqual([
			['a&b', 100],
			['a', 1],
			['b', 2],
			['x",name.neq."', 200],
			['x', 4],
		]);
		expect(result.outputs[0].map((item) => item.json.updatedRows)).toEqual([1, 1, 0]);
	});

	it('Update by row ID: an _id sent in capitals is matched with the lowercase one the service answers with', async () => {
		const [id] = await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, [{ email: 'a@example.com', name: 'old' }]);
		const base = { ...target(CONTACTS.name), operation: 'update', updateBy: 'id' };
		const parameters = { ...base, columns: await autoMapColumns(dataTable.env, base, ['_id']) } as INodeParameters;

		const result = await run(dataTable.env, parameters, [{ _id: id.toUpperCase(), name: 'new' }]);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toEqual({ _id: id.toUpperCase(), name: 'new' });
		expect((await dataTable.emulator.rows(WORKSPACE, CONTACTS.name))[0].name).toBe('new');
	});
});
