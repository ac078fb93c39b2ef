import type { KintoneRestAPIClient } from '@kintone/rest-api-client';
import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import { createSampleApp, SAMPLE_FIELDS as F, startKintoneEmulator } from '../emulators/kintone';
import { item, kintoneError, sdk } from './setup';

// The kintone emulator's process management through @kintone/rest-api-client: the settings,
// status actions (one record, many, in bulkRequest) and their errors as observed on real kintone.

describe('kintone emulator through @kintone/rest-api-client: process management', () => {
	let emulator: KintoneEmulator;
	let sample: SampleApp;
	let client: KintoneRestAPIClient;
	let disabledApp: number;

	beforeAll(async () => {
		emulator = await startKintoneEmulator();
		sample = createSampleApp(emulator);
		disabledApp = emulator.addApp({
			name: 'プロセス無効',
			fields: { code: { type: 'SINGLE_LINE_TEXT' } },
			process: { enable: false, states: [{ name: '未処理', index: 0 }], actions: [] },
		});
		emulator.addApiToken('disabled-token', [disabledApp]);
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => {
		emulator.reset();
		client = sdk(emulator, { apiToken: [sample.token, sample.customersToken, 'disabled-token'] });
	});

	it('answers the process management settings of an app', async () => {
		const settings = await client.app.getProcessManagement({ app: sample.app });
		expect(settings.enable).toBe(true);
		expect(settings.states).toEqual({
			未処理: { name: '未処理', index: '0', assignee: { type: 'ONE', entities: [] } },
			処理中: {
				name: '処理中',
				index: '1',
				assignee: {
					type: 'ONE',
					entities: [
						{ entity: { type: 'USER', code: 'sato' }, includeSubs: false },
						{ entity: { type: 'USER', code: 'suzuki' }, includeSubs: false },
					],
				},
			},
			完了: { name: '完了', index: '2', assignee: { type: 'ONE', entities: [] } },
		});
		expect(settings.actions!.map((action) => [action.name, action.from, action.to])).toEqual([
			['処理開始', '未処理', '処理中'],
			['完了する', '処理中', '完了'],
			['差し戻す', '処理中', '未処理'],
		]);
		expect((await client.app.getProcessManagement({ app: disabledApp })).enable).toBe(false);
	});

	it('runs an action: new status and assignee, revision +2, visible in reads and queries', async () => {
		const [id] = emulator.seedRecords(sample.app, [item('S-1'), item('S-2')]);
		const fresh = (await client.record.getRecord({ app: sample.app, id })).record;
		expect(fresh[F.status]).toEqual({ type: 'STATUS', value: '未処理' });
		expect(fresh[F.assignee]).toEqual({ type: 'STATUS_ASSIGNEE', value: [] });

		const { revision } = await client.record.updateRecordStatus({ app: sample.app, id, action: '処理開始', assignee: 'sato', revision: 1 });
		expect(revision).toBe('3');
		const { record } = await client.record.getRecord({ app: sample.app, id });
		expect(record[F.status].value).toBe('処理中');
		expect(record[F.assignee].value).toEqual([{ code: 'sato', name: '佐藤 昇' }]);
		expect(record.$revision.value).toBe('3');

		const inProgress = await client.record.getRecords({ app: sample.app, query: `${F.status} in ("処理中") and ${F.assignee} in ("sato")` });
		expect(inProgress.records.map((found) => found[F.code].value)).toEqual(['S-1']);
		const notStarted = await client.record.getRecords({ app: sample.app, query: `${F.status} not in ("処理中")` });
		expect(notStarted.records.map((found) => found[F.code].value)).toEqual(['S-2']);

		await client.record.updateRecordStatus({ app: sample.app, id, action: '完了する' });
		const done = emulator.record(sample.app, id)!;
		expect([done.revision, done.record[F.status].value, done.record[F.assignee].value]).toEqual(['5', '完了', []]);
	});

	it('refuses an action not available from the status (GAIA_IL03) and a missing chosen assignee (GAIA_SA01)', async () => {
		const [id] = emulator.seedRecords(sample.app, [item('S-1')]);
		const unavailable = await kintoneError(client.record.updateRecordStatus({ app: sample.app, id, action: '完了する' }));
		expect([unavailable.status, unavailable.code]).toEqual([400, 'GAIA_IL03']);
		expect(unavailable.message).toContain('Failed to update the status. The settings or the status itself may have been changed by someone.');
		const noAssignee = await kintoneError(client.record.updateRecordStatus({ app: sample.app, id, action: '処理開始' }));
		expect([noAssignee.status, noAssignee.code]).toEqual([400, 'GAIA_SA01']);
		const notCandidate = await kintoneError(
			client.record.updateRecordStatus({ app: sample.app, id, action: '処理開始', assignee: 'Administrator' }),
		);
		expect(Object.keys(notCandidate.errors!)).toEqual(['assignee']);
		const ja = await fetch(`${emulator.url}/k/v1/record/status.json`, {
			method: 'PUT',
			headers: { 'X-Cybozu-API-Token': sample.token, 'Accept-Language': 'ja', 'Content-Type': 'application/json' },
			body: JSON.stringify({ app: sample.app, id, action: '完了する' }),
		});
		expect(await ja.json()).toMatchObject({
			code: 'GAIA_IL03',
			message: 'ステータスの変更に失敗しました。ほかのユーザーがステータス、またはステータスの設定を変更した可能性があります。',
		});
		expect(emulator.record(sample.app, id)!.revision).toBe('1');
	});

	it('refuses actions while process management is off (GAIA_ST02); such records have no status', async () => {
		const [id] = emulator.seedRecords(disabledApp, [{ code: { value: 'D-1' } }]);
		const { record } = await client.record.getRecord({ app: disabledApp, id });
		expect(Object.keys(record).sort()).toEqual(['$id', '$revision', 'code']);
		const error = await kintoneError(client.record.updateRecordStatus({ app: disabledApp, id, action: '処理開始' }));
		expect([error.status, error.code]).toEqual([400, 'GAIA_ST02']);
		expect(error.message).toContain('Your request failed. The process management feature has been disabled.');
	});

	it('updates many statuses all or nothing, with revision checks, unknown records and the 100 limit', async () => {
		const ids = emulator.seedRecords(sample.app, [item('M-1'), item('M-2'), item('M-3')]);
		const { records } = await client.record.updateRecordsStatus({
			app: sample.app,
			records: [
				{ id: ids[0], action: '処理開始', assignee: 'suzuki' },
				{ id: ids[1], action: '処理開始', assignee: 'sato', revision: 1 },
			],
		});
		expect(records).toEqual([
			{ id: '1', revision: '3' },
			{ id: '2', revision: '3' },
		]);

		const failing = await kintoneError(
			client.record.updateRecordsStatus({
				app: sample.app,
				records: [
					{ id: ids[2], action: '処理開始', assignee: 'sato' },
					{ id: ids[0], action: '処理開始', assignee: 'sato' },
				],
			}),
		);
		expect(failing.code).toBe('GAIA_IL03');
		expect(emulator.record(sample.app, ids[2])!.record[F.status].value).toBe('未処理');
		expect(emulator.record(sample.app, ids[2])!.revision).toBe('1');

		const stale = await kintoneError(
			client.record.updateRecordsStatus({ app: sample.app, records: [{ id: ids[0], action: '完了する', revision: 1 }] }),
		);
		expect([stale.status, stale.code]).toEqual([409, 'GAIA_CO02']);
		const unknown = await kintoneError(client.record.updateRecordsStatus({ app: sample.app, records: [{ id: 99, action: '完了する' }] }));
		expect([unknown.status, unknown.code]).toEqual([404, 'GAIA_RE01']);
		const tooMany = await kintoneError(
			client.record.updateRecordsStatus({
				app: sample.app,
				records: Array.from({ length: 101 }, () => ({ id: ids[0], action: '完了する' })),
			}),
		);
		expect([tooMany.status, tooMany.code, Object.keys(tooMany.errors!)]).toEqual([400, 'CB_VA01', ['records']]);
	});

	it('runs status actions inside bulkRequest, rolled back with the rest', async () => {
		const [id] = emulator.seedRecords(sample.app, [item('B-1')]);
		const { results } = await client.bulkRequest({
			requests: [
				{ method: 'PUT', api: '/k/v1/records/status.json', payload: { app: sample.app, records: [{ id, action: '処理開始', assignee: 'sato' }] } },
				{ method: 'PUT', api: '/k/v1/record/status.json', payload: { app: sample.app, id, action: '完了する' } },
			],
		});
		expect(results).toEqual([{ records: [{ id: '1', revision: '3' }] }, { revision: '5' }]);
		const failed = await kintoneError(
			client.bulkRequest({
				requests: [
					{ method: 'PUT', api: '/k/v1/record.json', payload: { app: sample.app, id, record: { [F.text]: { value: 'x' } } } },
					{ method: 'PUT', api: '/k/v1/record/status.json', payload: { app: sample.app, id, action: '処理開始' } },
				],
			}),
		);
		expect([failed.code, failed.bulkRequestIndex]).toEqual(['GAIA_IL03', 1]);
		expect(emulator.record(sample.app, id)!.revision).toBe('5');
	});
});
