import type { INodeParameters } from 'n8n-workflow';

import type { FeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { CONTACTS, WORKSPACE, environment, run, target } from './setup';

/** Found by the hardening suite: the node had no Timeout option, so a hung answer held the run for n8n's default. */
describe('Feishu Data Table: the Timeout option', () => {
	let emulator: FeishuDataTableEmulator;

	beforeAll(async () => {
		emulator = await startFeishuDataTableEmulator();
		await emulator.createTable(WORKSPACE, CONTACTS);
	});
	afterAll(async () => await emulator.close());

	it('an insert slower than the timeout is given up, not resent, and reported as unknown', async () => {
		emulator.server.inject({ match: (request) => request.method === 'POST', action: { kind: 'delay', ms: 1_500 } });

		const result = await run(
			environment(emulator),
			{
				...target(CONTACTS.name),
				operation: 'insert',
				columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
				options: { timeout: 300 },
			} as INodeParameters,
			[{ email: 'slow@example.com' }],
			{ onError: 'continueRegularOutput' },
		);

		expect(result.outputs[0][0].json.details).toMatchObject({ outcome: 'unknown' });
		expect(emulator.server.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
		// The service still applies it: that is why the outcome is unknown rather than failed.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(await emulator.rows(WORKSPACE, CONTACTS.name)).toHaveLength(1);
	});
});
