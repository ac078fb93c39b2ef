import type { INodeParameters } from 'n8n-workflow';

import type { FeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { USER_PRODUCTS, WORKSPACE, autoMapColumns, environment, purchases, run, target, useFeishuDataTableEmulator } from './setup';

/** Found by the hardening suite: a table name that resolves to nothing must not turn a write into a request on the table list. */
describe('Feishu Data Table: an empty table name', () => {
	let emulator: FeishuDataTableEmulator;

	beforeAll(async () => {
		emulator = await startFeishuDataTableEmulator();
		await emulator.createTable(WORKSPACE, USER_PRODUCTS);
	});
	afterAll(async () => await emulator.close());

	it.each(['insert', 'delete'])('%s: is refused before any request, instead of going to .../tables', async (operation) => {
		emulator.server.reset();
		const result = await run(
			environment(emulator),
			{
				resource: 'row',
				operation,
				workspace: { __rl: true, mode: 'id', value: WORKSPACE },
				table: { __rl: true, mode: 'name', value: '={{ $json.table }}' },
				columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [{ id: 'user_id' }, { id: 'product_id' }, { id: 'table', removed: true }] },
				filterType: 'expression',
				filterExpression: 'user_id=eq.1',
			} as INodeParameters,
			[{ table: '', user_id: 1, product_id: 'p' }],
		);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Table "" is not valid');
		expect(emulator.server.requests).toEqual([]);
	});
});

describe('Feishu Data Table: a table or workspace that does not exist or is not valid', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);
	let insert: INodeParameters;

	beforeEach(async () => {
		const insertBase = { ...target(USER_PRODUCTS.name), operation: 'insert' };
		insert = { ...insertBase, columns: await autoMapColumns(dataTable.env, insertBase) } as INodeParameters;
		dataTable.emulator.server.reset();
	});

	it('names the table and the workspace problems clearly, without leaking the token', async () => {
		const missing = { ...insert, table: { __rl: true, mode: 'name', value: 'no_such_table' } };

		const result = await run(dataTable.env, missing, purchases(2));

		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('no_such_table does not exist');
		const token = (dataTable.env.credentials!.feishuDataTableOAuth2Api.oauthTokenData as { access_token: string }).access_token;
		expect(JSON.stringify(result.run.data)).not.toContain(token);

		const traversal = await run(dataTable.env, { ...insert, workspace: { __rl: true, mode: 'id', value: '..' } }, purchases(1));
		expect(traversal.error?.message).toContain('Workspace ID ".." is not valid');
	});
});
