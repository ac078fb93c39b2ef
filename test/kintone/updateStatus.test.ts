import type { IDataObject, INodeParameters, INodePropertyOptions } from 'n8n-workflow';

import type { KintoneEmulator } from '../emulators/kintone';
import { startKintoneEmulator } from '../emulators/kintone';
import { callNodeMethod } from '../harness/loadOptions';
import { runNode } from '../harness/workflow';
import { environment, requestsTo } from './setup';

const TOKEN = 'status-token';
const STATUS = 'Status';

describe('Kintone node: Update Status (process management)', () => {
	let emulator: KintoneEmulator;
	let app: number;
	let appWithoutProcess: number;

	beforeAll(async () => {
		emulator = await startKintoneEmulator();
		const fields = {
			code: { type: 'SINGLE_LINE_TEXT' as const, unique: true },
			[STATUS]: { type: 'STATUS' as const, enabled: true },
			Assignee: { type: 'STATUS_ASSIGNEE' as const, enabled: true },
		};
		app = emulator.addApp({
			name: 'requests',
			fields,
			process: {
				enable: true,
				states: [
					{ name: 'Not started', index: 0 },
					{ name: 'In progress', index: 1 },
					{ name: 'Done', index: 2 },
				],
				actions: [
					{ name: 'Start', from: 'Not started', to: 'In progress' },
					{ name: 'Finish', from: 'In progress', to: 'Done' },
				],
			},
		});
		appWithoutProcess = emulator.addApp({ name: 'plain', fields: { code: { type: 'SINGLE_LINE_TEXT', unique: true } } });
		emulator.addApiToken(TOKEN, [app, appWithoutProcess]);
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => emulator.reset());

	const seed = (count: number, target = app) =>
		emulator.seedRecords(target, Array.from({ length: count }, (_, index) => ({ code: { value: `R-${index}` } })));

	const run = async (parameters: INodeParameters, items: IDataObject[], target = app, onError?: 'continueErrorOutput') =>
		await runNode(
			environment({ domain: 'custom', baseUrl: emulator.url, authentication: 'apiToken', apiToken: TOKEN }),
			{
				type: 'kintone',
				parameters: { resource: 'record', operation: 'updateStatus', app: { __rl: true, mode: 'id', value: String(target) }, ...parameters },
				credentialTypes: ['kintoneApi'],
				onError,
			},
			items,
		);

	const statusOf = (id: string) => emulator.record(app, id)?.record[STATUS]?.value;

	it('moves 250 records on in 3 requests of up to 100, one output per item with the new revision', async () => {
		const ids = seed(250);
		const before = emulator.records(app).map((record) => Number(record.revision));

		const result = await run({ recordId: '={{ $json.id }}', action: 'Start' }, ids.map((id) => ({ id })));

		expect(result.error).toBeUndefined();
		const puts = requestsTo(emulator, 'PUT', 'records/status');
		expect(puts.map((request) => (request.body as { records: unknown[] }).records.length)).toEqual([100, 100, 50]);
		expect(ids.map(statusOf)).toEqual(ids.map(() => 'In progress'));
		expect(result.outputs[0]).toHaveLength(250);
		expect(result.outputs[0][7].json).toEqual({ id: ids[7], revision: String(before[7] + 2), action: 'Start' });
		expect(result.outputs[0][7].pairedItem).toEqual({ item: 7 });
	});

	it('names the record whose status does not offer the action; the others of its request are sent again and move on', async () => {
		const ids = seed(120);
		await run({ recordId: '={{ $json.id }}', action: 'Start' }, [{ id: ids[42] }]);
		emulator.server.requests.length = 0;

		const result = await run({ recordId: '={{ $json.id }}', action: 'Start' }, ids.map((id) => ({ id })), app, 'continueErrorOutput');

		expect(result.outputs[1]).toHaveLength(1);
		const failure = result.outputs[1][0].json as { error: string; details: IDataObject };
		expect(failure.details).toMatchObject({ itemIndex: 42, code: 'GAIA_IL03', outcome: 'failed' });
		expect(failure.error).toMatch(/kintone refused this record: .*current status does not offer this action.*sent again without it/);
		expect(result.outputs[0]).toHaveLength(119);
		expect(ids.map(statusOf)).toEqual(ids.map(() => 'In progress'));
		// The request of 100 was refused once, and sent again without the record at fault.
		expect(requestsTo(emulator, 'PUT', 'records/status').map((request) => (request.body as { records: unknown[] }).records.length)).toEqual(
			expect.arrayContaining([100, 99, 20]),
		);
	});

	it('in atomic mode a refused action holds back the whole bulk request, and names the record at fault', async () => {
		const ids = seed(150);
		await run({ recordId: ids[120], action: 'Start' }, [{}]);

		const result = await run({ recordId: '={{ $json.id }}', action: 'Start', options: { atomic: true } }, ids.map((id) => ({ id })), app, 'continueErrorOutput');

		expect(result.outputs[0]).toHaveLength(0);
		expect(result.outputs[1]).toHaveLength(150);
		const culprit = result.outputs[1].find((output) => (output.json.details as IDataObject).itemIndex === 120)!.json as { error: string };
		expect(culprit.error).toMatch(/^kintone refused this record: .*current status does not offer this action/);
		expect((result.outputs[1][0].json as { error: string }).error).toMatch(/^Not saved: kintone applies the atomic batch of 150 records .* all or nothing, and it refused item 120/);
		expect(requestsTo(emulator, 'POST', 'bulkRequest')).toHaveLength(1);
		expect(ids.filter((id) => statusOf(id) === 'In progress')).toEqual([ids[120]]);
	});

	it('finds records by a unique field, and fails an item whose record does not exist without holding back the others', async () => {
		seed(3);

		const result = await run(
			{ findBy: 'key', keyField: 'code', keyValue: '={{ $json.code }}', action: 'Start' },
			[{ code: 'R-2' }, { code: 'R-9' }, { code: 'R-0' }],
			app,
			'continueErrorOutput',
		);

		expect(result.outputs[0].map((output) => output.json.code)).toEqual(['R-2', 'R-0']);
		expect(result.outputs[1][0].json.error).toBe('No record of this app has code = "R-9", so no status was changed');
		expect(emulator.records(app).map((record) => record.record[STATUS]?.value)).toEqual(['In progress', 'Not started', 'In progress']);
	});

	it('says to turn process management on when the app has it off', async () => {
		const [id] = seed(1, appWithoutProcess);

		const result = await run({ recordId: id, action: 'Start' }, [{}], appWithoutProcess);

		expect(result.error?.message).toMatch(/GAIA_ST02/);
		expect(result.error?.message).toMatch(/Process management is off in this app/);
	});

	it('checks the revision when asked, and runs nothing on a Dry Run', async () => {
		const [id] = seed(1);

		const dry = await run({ recordId: id, action: 'Start', options: { dryRun: true } }, [{}]);
		expect(dry.error).toBeUndefined();
		expect(requestsTo(emulator, 'PUT', 'records/status')).toHaveLength(0);
		expect(statusOf(id)).toBe('Not started');

		const stale = await run({ recordId: id, action: 'Start', options: { revision: '99' } }, [{}], app, 'continueErrorOutput');
		expect(stale.outputs[1][0].json.details).toMatchObject({ code: 'GAIA_CO02' });
		expect(statusOf(id)).toBe('Not started');
	});

	it('the editor lists the actions with the statuses they move between, and the unique fields', async () => {
		const call = async (method: string, target: number) =>
			await callNodeMethod<INodePropertyOptions[]>(
				environment({ domain: 'custom', baseUrl: emulator.url, authentication: 'apiToken', apiToken: TOKEN }),
				{
					type: 'kintone',
					parameters: { resource: 'record', operation: 'updateStatus', app: { __rl: true, mode: 'id', value: String(target) } },
					credentialTypes: ['kintoneApi'],
				},
				'loadOptions',
				method,
			);

		expect(await call('getActions', app)).toEqual([
			{ name: 'Start', value: 'Start', description: 'Not started → In progress' },
			{ name: 'Finish', value: 'Finish', description: 'In progress → Done' },
		]);
		expect(await call('getUniqueFields', app)).toEqual([{ name: 'code', value: 'code' }]);
		await expect(call('getActions', appWithoutProcess)).rejects.toThrow(/Process management is off in app \d+: turn it on/);
	});
});
