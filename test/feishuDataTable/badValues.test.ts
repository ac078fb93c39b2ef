import type { INodeParameters } from 'n8n-workflow';

import { CONTACTS, WORKSPACE, autoMapColumns, run, target, useFeishuDataTableEmulator } from './setup';

/** Values found by the hardening fuzzing that must never reach a request. */
describe('Feishu Data Table: values that cannot be sent', () => {
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	it('a later item of the same key with broken text fails alone; its value is not merged into the row sent', async () => {
		const base = { ...target(CONTACTS.name), operation: 'upsert', resolution: 'merge-duplicates' } as INodeParameters;
		const parameters = { ...base, columns: await autoMapColumns(dataTable.env, base, ['email']) } as INodeParameters;
		dataTable.emulator.server.reset();

		const result = await run(
			dataTable.env,
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
		const [post] = dataTable.emulator.server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/records'));
		expect(JSON.parse((post.body as { records: string }).records)).toEqual([{ email: 'a@example.com', name: 'Ann' }]);
		expect((await dataTable.emulator.rows(WORKSPACE, CONTACTS.name)).map((row) => row.name)).toEqual(['Ann']);
	});
});
