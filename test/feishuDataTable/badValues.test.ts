import type { INodeParameters } from 'n8n-workflow';

import type { FeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import type { TestEnvironment } from '../harness/workflow';
import { CONTACTS, WORKSPACE, autoMapColumns, environment, run, target } from './setup';

/** Values found by the hardening fuzzing that must never reach a request. */
describe('Feishu Data Table: values that cannot be sent', () => {
	let emulator: FeishuDataTableEmulator;
	let env: TestEnvironment;

	beforeAll(async () => {
		emulator = await startFeishuDataTableEmulator();
	});
	afterAll(async () => await emulator.close());
	beforeEach(async () => {
		await emulator.reset();
		await emulator.createTable(WORKSPACE, CONTACTS);
		env = environment(emulator);
	});

	it('a later item of the same key with broken text fails alone; its value is not merged into the row sent', async () => {
		const base = { ...target(CONTACTS.name), operation: 'upsert', resolution: 'merge-duplicates' } as INodeParameters;
		const parameters = { ...base, columns: await autoMapColumns(env, base, ['email']) } as INodeParameters;
		emulator.server.reset();

		const result = await run(
			env,
			parameters,
			[
				{ email: 'a@example.com', name: 'Ann' },
				{ email: 'a@example.com', name: 'half an emoji \uD83D' },
			],
			{ onError: 'continueRegularOutput' },
		);

		const [written, refused] = result.outputs[0];
		expect(written.json).toMatchObject({ email: 'a@example.com', name: 'Ann' });
		expect(refused.json.details).toMatchObject({ outcome: 'notSent', fields: ['name'] });
		const [post] = emulator.server.requests.filter((request) => request.method === 'POST');
		expect(JSON.parse((post.body as { records: string }).records)).toEqual([{ email: 'a@example.com', name: 'Ann' }]);
		expect((await emulator.rows(WORKSPACE, CONTACTS.name)).map((row) => row.name)).toEqual(['Ann']);
	});
});
