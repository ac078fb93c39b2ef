import type { INodeParameters } from 'n8n-workflow';

import type { FeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { USER_PRODUCTS, WORKSPACE, environment, run } from './setup';

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
