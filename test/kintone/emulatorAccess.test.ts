import type { KintoneRestAPIClient } from '@kintone/rest-api-client';
import { KintoneRestAPIError } from '@kintone/rest-api-client';
import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import { createSampleApp, CUSTOMER_FIELDS, SAMPLE_FIELDS as F, startKintoneEmulator, tooManyRequests } from '../emulators/kintone';
import { item, kintoneError, sdk } from './setup';

// The kintone emulator driven by the official client: if the client accepts its answers and
// raises the right errors, its wire format is what real kintone sends.
// Reads (cursors, long queries), apps and form fields, authentication, guest spaces and limits
// (record writes: emulator.test.ts).

const GUEST_SPACE = 7;

describe('kintone emulator through @kintone/rest-api-client: reads, apps and access', () => {
	let emulator: KintoneEmulator;
	let sample: SampleApp;
	let guest: SampleApp;
	let client: KintoneRestAPIClient;

	beforeAll(async () => {
		emulator = await startKintoneEmulator({ users: { Administrator: 'admin-pass' } });
		sample = createSampleApp(emulator);
		guest = createSampleApp(emulator, { name: 'ゲスト案件', guestSpaceId: GUEST_SPACE });
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => {
		emulator.reset();
		client = sdk(emulator, { apiToken: [sample.token, sample.customersToken] });
	});

	it('reads 12,345 records through the cursor API and by $id seek, leaving no cursor open', async () => {
		emulator.seedRecords(
			sample.app,
			Array.from({ length: 12_345 }, (_, index) => item(`N-${index + 1}`, { [F.quantity]: String(index % 7) })),
		);
		const viaCursor = await client.record.getAllRecordsWithCursor({ app: sample.app, fields: ['$id', F.code] });
		expect(viaCursor).toHaveLength(12_345);
		expect(new Set(viaCursor.map((record) => record[F.code].value)).size).toBe(12_345);
		expect(emulator.openCursors()).toBe(0);

		const viaSeek = await client.record.getAllRecords({ app: sample.app, fields: [F.code], condition: `${F.quantity} = 3` });
		expect(viaSeek).toHaveLength(1_764);
		expect(viaSeek.map((record) => Number(record.$id.value))).toEqual([...viaSeek.map((record) => Number(record.$id.value))].sort((a, b) => a - b));

		const ordered = await client.record.getAllRecords({ app: sample.app, fields: [F.code], orderBy: `${F.code} desc` });
		expect(ordered).toHaveLength(12_345);
		expect(ordered[0][F.code].value).toBe('N-9999');
		expect(emulator.openCursors()).toBe(0);
		const cursorReads = emulator.server.requests.filter((request) => request.path.endsWith('/records/cursor.json'));
		expect(cursorReads.filter((request) => request.method === 'GET').length).toBe(50);
	});

	it('allows 10 open cursors per domain (429 GAIA_TM12); a cursor read to the end is gone (404 GAIA_CN01)', async () => {
		emulator.seedRecords(sample.app, [item('Q-1'), item('Q-2'), item('Q-3')]);
		const ids: string[] = [];
		for (let index = 0; index < 10; index++) ids.push((await client.record.createCursor({ app: sample.app, size: 2 })).id);
		const full = await kintoneError(client.record.createCursor({ app: sample.app }));
		expect([full.status, full.code]).toEqual([429, 'GAIA_TM12']);
		expect(emulator.openCursors()).toBe(10);

		const page1 = (await client.record.getRecordsByCursor({ id: ids[0] })) as unknown as { records: unknown[]; next: boolean };
		const page2 = (await client.record.getRecordsByCursor({ id: ids[0] })) as unknown as { records: unknown[]; next: boolean };
		expect([page1.records.length, page1.next, page2.records.length, page2.next]).toEqual([2, true, 1, false]);
		const gone = await kintoneError(client.record.deleteCursor({ id: ids[0] }));
		expect([gone.status, gone.code]).toEqual([404, 'GAIA_CN01']);
		await client.record.deleteCursor({ id: ids[1] });
		expect(emulator.openCursors()).toBe(8);
		const withLimit = await kintoneError(client.record.createCursor({ app: sample.app, query: 'limit 5' }));
		expect(Object.keys(withLimit.errors!)).toEqual(['query']);
	});

	it('serves form fields, app and apps (API tokens see only their apps)', async () => {
		const { properties, revision } = await client.app.getFormFields({ app: sample.app, lang: 'default' });
		expect(revision).toBe('1');
		expect(properties[F.code]).toMatchObject({ type: 'SINGLE_LINE_TEXT', code: F.code, unique: true, required: true });
		expect(properties[F.serial]).toMatchObject({ type: 'NUMBER', unique: true });
		expect(properties[F.customerCode]).toMatchObject({
			lookup: { relatedApp: { app: String(sample.customersApp) }, fieldMappings: [{ field: F.customerName, relatedField: CUSTOMER_FIELDS.name }] },
		});
		expect(properties[F.table]).toMatchObject({ type: 'SUBTABLE', fields: { [F.tableItem]: { type: 'SINGLE_LINE_TEXT', code: F.tableItem } } });
		expect(properties[F.dropDown]).toMatchObject({ type: 'DROP_DOWN', options: { 高: { label: '高', index: '0' } } });

		const viaTokens = await client.app.getApps({});
		expect(viaTokens.apps.map((app) => app.appId)).toEqual([String(sample.customersApp), String(sample.app)]);
		const admin = sdk(emulator, { username: 'Administrator', password: 'admin-pass' });
		const all = await admin.app.getApps({ name: '案件', limit: 100 });
		expect(all.apps.map((app) => [app.appId, app.name, app.spaceId])).toEqual([[String(sample.app), '案件管理', null]]);
		const inGuest = await sdk(emulator, { username: 'Administrator', password: 'admin-pass' }, { guestSpaceId: GUEST_SPACE }).app.getApps({});
		expect(inGuest.apps.map((app) => [app.appId, app.spaceId])).toEqual([
			[String(guest.customersApp), String(GUEST_SPACE)],
			[String(guest.app), String(GUEST_SPACE)],
		]);
		const paged = await admin.app.getApps({ ids: [sample.app, sample.customersApp], offset: 1, limit: 1 });
		expect(paged.apps.map((app) => app.appId)).toEqual([String(sample.app)]);
		const tooMany = await kintoneError(admin.app.getApps({ limit: 101 }));
		expect(Object.keys(tooMany.errors!)).toEqual(['limit']);
		expect((await client.app.getApp({ id: sample.app })).name).toBe('案件管理');
	});

	it('authenticates by password, API tokens (at most 9, of the app) or neither', async () => {
		emulator.seedRecords(sample.app, [item('P-1')]);
		const byPassword = sdk(emulator, { username: 'sato', password: 'sato-pass' });
		await byPassword.record.updateRecord({ app: sample.app, id: 1, record: { [F.text]: { value: 'edited by sato' } } });
		expect(emulator.record(sample.app, 1)!.record[F.modifier].value).toEqual({ code: 'sato', name: '佐藤 昇' });
		expect(emulator.server.requests.at(-1)!.headers['x-cybozu-authorization']).toBe(Buffer.from('sato:sato-pass').toString('base64'));

		const wrongPassword = await kintoneError(sdk(emulator, { username: 'sato', password: 'nope' }).record.getRecords({ app: sample.app }));
		expect([wrongPassword.status, wrongPassword.code]).toEqual([401, 'CB_WA01']);
		const otherAppToken = await kintoneError(sdk(emulator, { apiToken: guest.token }).record.getRecords({ app: sample.app }));
		expect([otherAppToken.status, otherAppToken.code]).toEqual([400, 'GAIA_IA02']);
		const unknownToken = await kintoneError(sdk(emulator, { apiToken: 'forged' }).record.getRecords({ app: sample.app }));
		expect(unknownToken.code).toBe('GAIA_IA02');
		const nineTokens = [sample.token, ...Array.from({ length: 8 }, () => sample.customersToken)];
		await sdk(emulator, { apiToken: nineTokens }).record.getRecords({ app: sample.app });
		const tenTokens = await kintoneError(sdk(emulator, { apiToken: [...nineTokens, sample.token] }).record.getRecords({ app: sample.app }));
		expect(tenTokens.status).toBe(400);

		const anonymous = await fetch(`${emulator.url}/k/v1/records.json?app=${sample.app}`);
		expect(anonymous.status).toBe(401);
		expect(await anonymous.json()).toMatchObject({ code: 'CB_AU01', message: 'Please login.' });
	});

	it('requires Basic authentication when the domain has it', async () => {
		const basic = await startKintoneEmulator({ basicAuth: { user: 'gate', password: 'keeper' } });
		try {
			const app = createSampleApp(basic);
			const withBasic = sdk(basic, { apiToken: app.token }, { basicAuth: { username: 'gate', password: 'keeper' } });
			expect((await withBasic.record.getRecords({ app: app.app })).records).toEqual([]);
			const without = await sdk(basic, { apiToken: app.token }).record.getRecords({ app: app.app }).then(
				() => undefined,
				(error: unknown) => error,
			);
			expect(String(without)).toContain('401');
			expect(basic.server.requests.at(-1)!.headers.authorization).toBeUndefined();
		} finally {
			await basic.close();
		}
	});

	it('serves guest-space apps only through /k/guest/{space}/v1 (GAIA_IL23 otherwise)', async () => {
		const guestClient = sdk(emulator, { apiToken: guest.tokens }, { guestSpaceId: GUEST_SPACE });
		await guestClient.record.addRecord({ app: guest.app, record: item('G-1', { [F.customerCode]: 'C002' }) });
		expect(emulator.server.requests.at(-1)!.path).toBe(`/k/guest/${GUEST_SPACE}/v1/record.json`);
		expect(emulator.record(guest.app, 1)!.record[F.customerName].value).toBe('株式会社ジャスミン');

		const viaNormalPath = await kintoneError(sdk(emulator, { apiToken: guest.tokens }).record.getRecords({ app: guest.app }));
		expect([viaNormalPath.status, viaNormalPath.code]).toEqual([400, 'GAIA_IL23']);
		const viaOtherSpace = await kintoneError(
			sdk(emulator, { apiToken: guest.tokens }, { guestSpaceId: GUEST_SPACE + 1 }).record.getRecords({ app: guest.app }),
		);
		expect(viaOtherSpace.code).toBe('GAIA_IL23');
		const normalViaGuest = await kintoneError(
			sdk(emulator, { apiToken: sample.tokens }, { guestSpaceId: GUEST_SPACE }).record.getRecords({ app: sample.app }),
		);
		expect(normalViaGuest.code).toBe('GAIA_IL23');
	});

	it('answers long GET queries sent as POST with X-HTTP-Method-Override: GET', async () => {
		emulator.seedRecords(sample.app, [item('H-1'), item('H-2')]);
		const codes = ['H-2', ...Array.from({ length: 400 }, (_, index) => `absent-${index}`)];
		const { records } = await client.record.getRecords({ app: sample.app, query: `${F.code} in (${codes.map((code) => `"${code}"`).join(', ')})` });
		expect(records.map((record) => record[F.code].value)).toEqual(['H-2']);
		const request = emulator.server.requests.at(-1)!;
		expect([request.method, request.headers['x-http-method-override']]).toEqual(['POST', 'GET']);
	});

	it('sends X-ConcurrencyLimit headers, and 429 GAIA_TO04 when injected or over the limit', async () => {
		await client.record.getRecords({ app: sample.app });
		emulator.server.inject({ action: tooManyRequests() });
		const injected = await kintoneError(client.record.getRecords({ app: sample.app }));
		expect([injected.status, injected.code]).toEqual([429, 'GAIA_TO04']);
		expect(injected.headers).toMatchObject({ 'x-cybozu-error': 'GAIA_TO04', 'x-concurrencylimit-limit': '100' });

		const busy = await startKintoneEmulator({ maxConcurrent: 2, latencyMs: 1000 });
		try {
			const app = createSampleApp(busy);
			const busyClient = sdk(busy, { apiToken: app.token });
			const outcomes = await Promise.all(
				Array.from({ length: 6 }, () =>
					busyClient.record.getRecords({ app: app.app }).then(
						() => 'ok',
						(error: unknown) => (error instanceof KintoneRestAPIError ? `${error.status} ${error.code}` : String(error)),
					),
				),
			);
			expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(2);
			expect(outcomes.filter((outcome) => outcome === '429 GAIA_TO04')).toHaveLength(4);
			expect(busy.peakConcurrency()).toBeGreaterThan(2);
		} finally {
			await busy.close();
		}
	});
});
