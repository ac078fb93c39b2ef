import type { INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import { CONTACTS, USER_PRODUCTS, WORKSPACE, autoMapColumns, purchases, run, target, useFeishuDataTableEmulator } from './setup';

const TABLE = USER_PRODUCTS.name;
const isWrite = (request: RecordedRequest) => request.method === 'POST' && request.path.endsWith('/records');

describe('Feishu Data Table: rate limits (10 requests per second)', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);
	let insert: INodeParameters;

	beforeEach(async () => {
		const insertBase = { ...target(TABLE), operation: 'insert' };
		insert = { ...insertBase, columns: await autoMapColumns(dataTable.env, insertBase) } as INodeParameters;
		dataTable.emulator.server.reset();
	});

	it('waits and retries when rate limited (HTTP 429 with x-ogw-ratelimit-reset)', async () => {
		dataTable.emulator.server.inject({
			match: isWrite,
			times: 2,
			action: {
				kind: 'respond',
				reply: {
					status: 429,
					headers: { 'x-ogw-ratelimit-limit': '10', 'x-ogw-ratelimit-reset': '0' },
					body: { code: 99991400, msg: 'request trigger frequency limit' },
				},
			},
		});

		const result = await run(dataTable.env, insert, purchases(5));

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.server.requests.filter(isWrite)).toHaveLength(3);
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(5);
	});

	it('keeps to 10 requests per second, so the service never has to refuse one', async () => {
		await dataTable.emulator.createTable(WORKSPACE, CONTACTS);
		const deleteEach = {
			...target(CONTACTS.name),
			operation: 'delete',
			filterType: 'conditions',
			combinator: 'and',
			conditions: { condition: [{ column: 'email', operator: 'eq', value: '={{ $json.email }}' }] },
		};

		const result = await run(dataTable.env, deleteEach, Array.from({ length: 25 }, (_, index) => ({ email: `${index}@x.test` })));

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.server.requests).toHaveLength(25);
		expect(dataTable.emulator.server.fates.every((fate) => fate === 'handled')).toBe(true);
		expect(result.outputs[0].every((item) => item.json.deleted === true)).toBe(true);
	});
});
