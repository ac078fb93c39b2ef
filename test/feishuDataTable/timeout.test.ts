import type { IDataObject, INodeParameters } from 'n8n-workflow';

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

	/** An insert of `row` whose request is handled 1.5 s late, with a timeout of 300 ms. */
	async function slowInsert(row: IDataObject) {
		emulator.server.reset();
		emulator.server.inject({ match: (request) => request.method === 'POST', action: { kind: 'delay', ms: 1_500 } });
		const result = await run(
			environment(emulator),
			{
				...target(CONTACTS.name),
				operation: 'insert',
				columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
				options: { timeout: 300 },
			} as INodeParameters,
			[row],
			{ onError: 'continueRegularOutput' },
		);
		return { json: result.outputs[0][0].json, posts: emulator.server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/records')) };
	}

	it('an insert slower than the timeout is given up and read back by its unique key; not found yet, it is sent once more, and the late first attempt is refused for the key', async () => {
		const { json, posts } = await slowInsert({ email: 'slow@example.com' });

		expect(json).toMatchObject({ email: 'slow@example.com', _resolvedBy: 'readBack', _resent: 1 });
		expect(posts).toHaveLength(2);
		// The service still handles the first attempt: the key lets only one of the two in.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const rows = await emulator.rows(WORKSPACE, CONTACTS.name);
		expect(rows.map((row) => row._id)).toEqual([json._id]);
	});

	it('an insert without a unique key slower than the timeout is given up, not resent, and reported as unknown', async () => {
		// No email: the row has no key to read it back by (the service would refuse it, but only once it handles it).
		const { json, posts } = await slowInsert({ name: 'no key' });

		expect(json.details).toMatchObject({ outcome: 'unknown' });
		expect(json.error).toContain('there is no key to check it by');
		expect(posts).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 1_500));
	});
});
