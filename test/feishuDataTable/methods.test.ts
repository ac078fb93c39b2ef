import type { INodeListSearchResult, INodeParameters, INodePropertyOptions } from 'n8n-workflow';

import type { TableSpec } from '../emulators/feishuDataTable';
import { editorDefaults } from '../harness/editor';
import { callNodeMethod } from '../harness/loadOptions';
import { CONTACTS, USER_PRODUCTS, WORKSPACE, loadSchema, nodeUnderTest, run, target, useFeishuDataTableEmulator } from './setup';

/** One column of each kind the field mapping converts. */
const KINDS: TableSpec = {
	name: 'kinds',
	columns: [
		{ name: 'counter', data_type: 'int8', is_auto_increment: true, is_allow_null: false },
		{ name: 'price', data_type: 'numeric' },
		{ name: 'paid', data_type: 'bool' },
		{ name: 'due', data_type: 'timestamptz' },
		{ name: 'day', data_type: 'date' },
		{ name: 'tags', data_type: 'varchar', is_array: true },
		{ name: 'meta', data_type: 'jsonb' },
		{ name: 'code', data_type: 'varchar', is_unique: true, is_allow_null: false },
	],
};

describe('Feishu Data Table: editor methods (tables, columns, field mapping)', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS, CONTACTS, KINDS]);

	const fieldsFor = async (parameters: INodeParameters) => (await loadSchema(dataTable.env, parameters)).fields;

	it('lists the workspace tables, filtered as the user types, from the workspace URL', async () => {
		const parameters = {
			...target(''),
			workspace: { __rl: true, mode: 'url', value: `https://apaas.feishu.cn/suda/workspace/${WORKSPACE}/table-manage/main?tab=x` },
		};
		const all = await callNodeMethod<INodeListSearchResult>(dataTable.env, nodeUnderTest(parameters), 'listSearch', 'searchTables');
		expect(all.results.map((result) => result.value)).toEqual(['contacts', 'kinds', 'user_products']);
		expect(all.results.find((result) => result.value === 'user_products')?.name).toBe('user_products (Purchases per user)');

		const some = await callNodeMethod<INodeListSearchResult>(dataTable.env, nodeUnderTest(parameters), 'listSearch', 'searchTables', 'purchase');
		expect(some.results.map((result) => result.value)).toEqual(['user_products']);
	});

	it('maps column types to n8n types; required = not null without a default; system columns hidden', async () => {
		const fields = await fieldsFor({ ...target('kinds'), operation: 'insert' });
		const byId = Object.fromEntries(fields.map((field) => [field.id, field]));

		expect(Object.fromEntries(fields.map((field) => [field.id, field.type]))).toEqual({
			_id: 'string',
			_created_at: 'dateTime',
			counter: 'number',
			price: 'number',
			paid: 'boolean',
			due: 'dateTime',
			day: 'dateTime',
			tags: 'array',
			meta: 'object',
			code: 'string',
		});
		expect(fields.filter((field) => field.required).map((field) => field.id)).toEqual(['code']);
		expect(byId._created_at).toMatchObject({ readOnly: true, removed: true });
		expect(byId._id).toMatchObject({ removed: true, canBeUsedToMatch: false });
		expect(fields.some((field) => field.canBeUsedToMatch)).toBe(false);
	});

	it('offers the key columns for upsert matching, with the primary key preselected and unique columns marked', async () => {
		const fields = await fieldsFor({ ...target('contacts'), operation: 'upsert' });
		const byId = Object.fromEntries(fields.map((field) => [field.id, field]));

		expect(byId._id).toMatchObject({ displayName: '_id (primary key)', defaultMatch: true, canBeUsedToMatch: true, removed: false });
		expect(byId.email).toMatchObject({ displayName: 'email (unique)', defaultMatch: false, canBeUsedToMatch: true });
		// Composite unique constraints are not in the table description, so every column can be chosen.
		const composite = await fieldsFor({ ...target('user_products'), operation: 'upsert' });
		expect(composite.filter((field) => field.canBeUsedToMatch).map((field) => field.id)).toEqual([
			'_id',
			'user_id',
			'product_id',
			'qty',
			'status',
			'note',
		]);
	});

	it('matches update by row ID on _id only', async () => {
		const fields = await fieldsFor({ ...target('contacts'), operation: 'update', updateBy: 'id' });
		expect(fields.filter((field) => field.canBeUsedToMatch).map((field) => field.id)).toEqual(['_id']);
		expect(fields.find((field) => field.id === '_id')).toMatchObject({ defaultMatch: true, removed: false });
	});

	it('lists column names for filters, sorting and selection', async () => {
		const options = await callNodeMethod<INodePropertyOptions[]>(
			dataTable.env,
			nodeUnderTest({ ...target('contacts'), operation: 'getAll' }),
			'loadOptions',
			'getColumnNames',
		);
		expect(options.map((option) => option.value)).toEqual(['_id', '_created_at', 'email', 'name', 'score', 'active']);
		expect(options[2].description).toBe('varchar');
	});

	it('writes with a schema saved in the editor, converting mapped values to the column types', async () => {
		const base = { ...target('kinds'), operation: 'insert' };
		const { fields } = await loadSchema(dataTable.env, base);
		const columns = {
			mappingMode: 'defineBelow',
			value: {
				code: '={{ $json.code }}',
				price: '={{ $json.price }}',
				paid: '={{ $json.paid }}',
				tags: '={{ $json.tags }}',
				meta: '={{ $json.meta }}',
				due: '={{ $json.due }}',
			},
			matchingColumns: [],
			schema: fields,
			attemptToConvertTypes: true,
			convertFieldsToString: false,
		};

		const result = await run(dataTable.env, { ...base, columns } as unknown as INodeParameters, [
			{ code: 'A-1', price: '12.5', paid: 'true', tags: ['x', 'y,z'], meta: { deep: [1] }, due: '2026-01-02T03:04:05.000Z' },
		]);

		expect(result.error).toBeUndefined();
		const [row] = await dataTable.emulator.rows(WORKSPACE, 'kinds');
		expect(row).toMatchObject({ code: 'A-1', price: 12.5, paid: true, tags: ['x', 'y,z'], meta: { deep: [1] } });
		expect(new Date(row.due as string).toISOString()).toBe('2026-01-02T03:04:05.000Z');
		expect(typeof row.counter).toBe('number');
	});

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
