import type { INodeListSearchResult, INodeParameters, INodePropertyOptions, ResourceMapperField } from 'n8n-workflow';

import { FeishuDataTable } from '../../nodes/FeishuDataTable/FeishuDataTable.node';

import type { TableSpec } from '../emulators/feishuDataTable';
import { editorDefaults } from '../harness/editor';
import type { TestEnvironment } from '../harness/workflow';
import { callNodeMethod } from '../harness/loadOptions';
import {
	CONTACTS,
	USER_PRODUCTS,
	WORKSPACE,
	credentialData,
	environment,
	loadSchema,
	nodeUnderTest,
	run,
	sqlEnvironment,
	target,
	useFeishuDataTableEmulator,
} from './setup';

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

	const keysFor = async (env: TestEnvironment, parameters: INodeParameters) =>
		await callNodeMethod<INodePropertyOptions[]>(env, nodeUnderTest(parameters), 'loadOptions', 'getUniqueKeys');
	const matchedIn = (fields: ResourceMapperField[]) => ({
		defaultMatch: fields.filter((field) => field.defaultMatch).map((field) => field.id),
		canBeUsedToMatch: fields.filter((field) => field.canBeUsedToMatch).map((field) => field.id),
	});

	it('upsert: offers each unique key once, a key of several columns as one choice, and matches on the first besides _id', async () => {
		const env = sqlEnvironment(dataTable.emulator);
		const parameters = { ...target('user_products'), operation: 'upsert' };

		expect(await keysFor(env, parameters)).toEqual([
			{ name: 'user_id + product_id (unique)', value: 'user_id,product_id', description: undefined },
			{ name: '_id (primary key)', value: '_id', description: undefined },
		]);
		const fields = (await loadSchema(env, parameters)).fields;
		expect(matchedIn(fields)).toEqual({ defaultMatch: ['user_id', 'product_id'], canBeUsedToMatch: ['user_id', 'product_id'] });
		expect(fields.find((field) => field.id === '_id')).toMatchObject({ removed: true });

		// Choosing _id in Unique Key makes the mapper match on it, and on nothing else.
		const byId = (await loadSchema(env, { ...parameters, uniqueKey: '_id' })).fields;
		expect(matchedIn(byId)).toEqual({ defaultMatch: ['_id'], canBeUsedToMatch: ['_id'] });
		expect(byId.find((field) => field.id === '_id')).toMatchObject({ removed: false });
	});

	it('upsert without the SQL scope: the single-column keys of the table description, saying how to get the others', async () => {
		const contacts = { ...target('contacts'), operation: 'upsert' };
		const keys = await keysFor(dataTable.env, contacts);
		expect(keys.map((key) => [key.name, key.value])).toEqual([
			['email (unique)', 'email'],
			['_id (primary key)', '_id'],
		]);
		expect(keys[0].description).toBe(
			'Keys of several columns are listed once the credential has "Read Keys of Several Columns" on (scope app_engine:workspace.sql_commands:write); until then, enter one as an expression, e.g. warehouse,sku',
		);
		expect(matchedIn(await fieldsFor(contacts))).toEqual({ defaultMatch: ['email'], canBeUsedToMatch: ['email'] });

		// user_products has no single-column key but _id: nothing is preselected, and a key typed as an expression is taken.
		const purchases = { ...target('user_products'), operation: 'upsert' };
		expect((await keysFor(dataTable.env, purchases)).map((key) => key.value)).toEqual(['_id']);
		expect(matchedIn(await fieldsFor(purchases))).toEqual({ defaultMatch: [], canBeUsedToMatch: [] });
		expect(matchedIn(await fieldsFor({ ...purchases, uniqueKey: '={{ "user_id, product_id" }}' }))).toEqual({
			defaultMatch: ['user_id', 'product_id'],
			canBeUsedToMatch: ['user_id', 'product_id'],
		});
	});

	it('the node says what its "... to Match On" selectors mean, not n8n\'s "Usually an ID"', () => {
		const mappers = new FeishuDataTable().description.properties.filter((property) => property.name === 'columns');
		const labelsOf = (operation: string, updateBy?: string) =>
			mappers.find(
				(property) =>
					property.displayOptions?.show?.operation?.includes(operation) &&
					(updateBy === undefined || property.displayOptions?.show?.updateBy?.includes(updateBy)),
			)?.typeOptions?.resourceMapper?.matchingFieldsLabels;
		expect(labelsOf('upsert')).toMatchObject({
			title: 'Columns to Match On',
			hint: 'The columns of the Unique Key chosen above. Each item needs a value in each of them.',
		});
		expect(labelsOf('update', 'id')).toMatchObject({ title: 'Column to Match On', hint: 'Each item updates the row whose _id it gives' });
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
		const [write] = dataTable.emulator.server.requests.filter((request) => request.method !== 'GET' && !request.path.endsWith('/sql_commands'));
		expect(JSON.parse((write.body as { records: string }).records)).toEqual([{ ...key, name: 'Anne' }]);
		const [row] = await dataTable.emulator.rows(WORKSPACE, CONTACTS.name);
		expect(row).toMatchObject({ name: 'Anne', score: 5, active: false });
	});

	describe('a wrong target or credential is said, with what to do', () => {
		const WHERE =
			'Check the workspace ID and the table name. The workspace ID is the part of the data platform address that starts with workspace_ (e.g. workspace_aadimx5uzpsls); the table name is the one its table list shows (not its display name).';
		const inWorkspace = (workspace: string, table: string): INodeParameters => ({
			...target(table),
			workspace: { __rl: true, mode: 'id', value: workspace },
			operation: 'upsert',
		});

		it('a table name typo empties the mapper with Feishu\'s "not found" answer and the fix, instead of nothing', async () => {
			expect(await loadSchema(dataTable.env, inWorkspace(WORKSPACE, 'user_prodcts'))).toEqual({
				fields: [],
				emptyFieldsNotice: `Table "user_prodcts" was not found in workspace "${WORKSPACE}" (Feishu: [2320001] table user_prodcts does not exist in workspace ${WORKSPACE}). ${WHERE}`,
			});
			const notice = (await loadSchema(dataTable.env, inWorkspace('workspace_typo', 'user_products'))).emptyFieldsNotice;
			expect(notice).toBe(
				`Table "user_products" was not found in workspace "workspace_typo" (Feishu: [2320001] workspace workspace_typo does not exist). ${WHERE}`,
			);
		});

		it('a token Feishu refuses is a credential notice, with Feishu\'s code', async () => {
			const tenantToken = { ...credentialData(dataTable.emulator), oauthTokenData: { access_token: 't-tenant', token_type: 'Bearer' } };
			const result = await loadSchema(environment(dataTable.emulator, tenantToken), inWorkspace(WORKSPACE, 'contacts'));

			expect(result).toEqual({
				fields: [],
				emptyFieldsNotice:
					'Feishu did not accept the credential (Feishu: [99991663] Invalid access token for authorization. This API accepts a user_access_token only.). Open the Feishu Data Table credential and reconnect it.',
			});
		});

		it('the table list and the column list throw the same clear errors', async () => {
			const list = callNodeMethod(dataTable.env, nodeUnderTest(inWorkspace('workspace_typo', '')), 'listSearch', 'searchTables');
			await expect(list).rejects.toMatchObject({
				message: 'Workspace "workspace_typo" was not found (Feishu: [2320001] workspace workspace_typo does not exist)',
				description: WHERE,
			});
			// Unique Key stays empty instead: the mapper below it says why.
			expect(await keysFor(dataTable.env, inWorkspace(WORKSPACE, 'nope'))).toEqual([]);
			const columns = callNodeMethod(dataTable.env, nodeUnderTest(inWorkspace(WORKSPACE, 'nope')), 'loadOptions', 'getColumnNames');
			await expect(columns).rejects.toMatchObject({
				message: `Table "nope" was not found in workspace "${WORKSPACE}" (Feishu: [2320001] table nope does not exist in workspace ${WORKSPACE})`,
			});
		});

		it('before a table is chosen nothing is asked of Feishu, and the mapper says what to choose', async () => {
			dataTable.emulator.server.reset();
			expect(await loadSchema(dataTable.env, inWorkspace(WORKSPACE, ''))).toEqual({
				fields: [],
				emptyFieldsNotice: 'Choose a workspace and a table first',
			});
			expect(await keysFor(dataTable.env, inWorkspace(WORKSPACE, ''))).toEqual([]);
			expect(dataTable.emulator.server.requests).toHaveLength(0);
		});
	});
});
