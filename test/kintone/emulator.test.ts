import { KintoneAllRecordsError, KintoneRestAPIClient, KintoneRestAPIError } from '@kintone/rest-api-client';
import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import {
	createSampleApp,
	CUSTOMER_FIELDS,
	SAMPLE_FIELDS as F,
	startKintoneEmulator,
	tooManyRequests,
} from '../emulators/kintone';

// The kintone emulator driven by the official client: if the client accepts its answers and
// raises the right errors, its wire format is what real kintone sends.

const GUEST_SPACE = 7;

type Auth = NonNullable<ConstructorParameters<typeof KintoneRestAPIClient>[0]>['auth'];

/** The official client refuses plain http except for `localhost`. */
function sdk(emulator: KintoneEmulator, auth: Auth, options: { guestSpaceId?: number; basicAuth?: { username: string; password: string } } = {}) {
	return new KintoneRestAPIClient({ baseUrl: emulator.url.replace('127.0.0.1', 'localhost'), auth, ...options });
}

async function kintoneError(promise: Promise<unknown>): Promise<KintoneRestAPIError> {
	const error = await promise.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	if (!(error instanceof KintoneRestAPIError)) throw new Error(`Expected a KintoneRestAPIError, got ${String(error)}`);
	return error;
}

function item(code: string, extra: Record<string, unknown> = {}) {
	return { [F.code]: { value: code }, ...Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, { value }])) };
}

describe('kintone emulator through @kintone/rest-api-client', () => {
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

	it('adds records and reads them back with a query, in GET shape, with CJK field codes', async () => {
		const added = await client.record.addRecords({
			app: sample.app,
			records: [
				item('A-1', { [F.text]: '繁體中文', [F.quantity]: '2', [F.price]: '150', [F.customerCode]: 'C003' }),
				item('A-2', { [F.text]: '日本語', [F.quantity]: 5, [F.price]: '10', [F.checkBox]: ['A', 'C'] }),
				item('B-1', { [F.quantity]: '1', [F.dateTime]: '2024-03-01T18:30:45+09:00', [F.user]: [{ code: 'sato' }] }),
			],
		});
		expect(added.ids).toEqual(['1', '2', '3']);
		expect(added.revisions).toEqual(['1', '1', '1']);

		const { records, totalCount } = await client.record.getRecords({
			app: sample.app,
			query: `${F.code} in ("A-1", "A-2") and ${F.quantity} >= 2 order by ${F.quantity} desc`,
			totalCount: true,
		});
		expect(totalCount).toBe('2');
		expect(records.map((record) => record[F.code].value)).toEqual(['A-2', 'A-1']);
		const [second, first] = records;
		expect(second.$id).toEqual({ type: '__ID__', value: '2' });
		expect(second.$revision).toEqual({ type: '__REVISION__', value: '1' });
		expect(second[F.recordNumber]).toEqual({ type: 'RECORD_NUMBER', value: '2' });
		expect(second[F.text]).toEqual({ type: 'SINGLE_LINE_TEXT', value: '日本語' });
		expect(second[F.quantity]).toEqual({ type: 'NUMBER', value: '5' });
		expect(second[F.amount]).toEqual({ type: 'CALC', value: '50' });
		expect(second[F.checkBox]).toEqual({ type: 'CHECK_BOX', value: ['A', 'C'] });
		expect(second[F.creator]).toEqual({ type: 'CREATOR', value: { code: 'Administrator', name: 'Administrator' } });
		expect(first[F.text].value).toBe('繁體中文');
		expect(first[F.customerName]).toEqual({ type: 'SINGLE_LINE_TEXT', value: '台灣資訊有限公司' });

		const [third] = (await client.record.getRecords({ app: sample.app, query: `${F.code} = "B-1"`, fields: [F.dateTime, F.user] })).records;
		expect(third).toEqual({
			[F.dateTime]: { type: 'DATETIME', value: '2024-03-01T09:30:00Z' },
			[F.user]: { type: 'USER_SELECT', value: [{ code: 'sato', name: '佐藤 昇' }] },
		});
		const unfiltered = await client.record.getRecords({ app: sample.app });
		expect(unfiltered.totalCount).toBeNull();
		expect(unfiltered.records.map((record) => record.$id.value)).toEqual(['3', '2', '1']);
	});

	it('updates by record ID and by update key (text and number); revision -1 or none is not checked', async () => {
		emulator.seedRecords(sample.app, [item('K-1', { [F.serial]: '1001' }), item('K-2', { [F.serial]: '1002' }), item('K-3')]);
		const { records } = await client.record.updateRecords({
			app: sample.app,
			records: [
				{ id: 1, revision: 1, record: { [F.text]: { value: 'by id' } } },
				{ updateKey: { field: F.code, value: 'K-2' }, revision: -1, record: { [F.text]: { value: 'by text key' } } },
				{ updateKey: { field: F.serial, value: '1001' }, record: { [F.text2]: { value: 'by number key' } } },
			],
		});
		expect(records).toEqual([
			{ id: '1', revision: '2' },
			{ id: '2', revision: '2' },
			{ id: '1', revision: '3' },
		]);
		const stored = emulator.record(sample.app, 1)!;
		expect(stored.revision).toBe('3');
		expect(stored.record[F.text].value).toBe('by id');
		expect(stored.record[F.text2].value).toBe('by number key');
		expect(emulator.record(sample.app, 2)!.record[F.text].value).toBe('by text key');
		expect(emulator.record(sample.app, 3)!.revision).toBe('1');
	});

	it('upserts: missing keys are inserted, existing ones updated, each reported with its operation', async () => {
		emulator.seedRecords(sample.app, [item('U-1')]);
		const { records } = await client.record.updateRecords({
			app: sample.app,
			upsert: true,
			records: [
				{ updateKey: { field: F.code, value: 'U-1' }, record: { [F.text]: { value: 'updated' } } },
				{ updateKey: { field: F.code, value: 'U-2' }, record: { [F.text]: { value: 'inserted' } } },
				{ id: 999, record: { [F.code]: { value: 'U-3' } } },
			],
		});
		expect(records).toEqual([
			{ id: '1', revision: '2', operation: 'UPDATE' },
			{ id: '2', revision: '1', operation: 'INSERT' },
			{ id: '3', revision: '1', operation: 'INSERT' },
		]);
		expect(emulator.records(sample.app).map(({ record }) => [record[F.code].value, record[F.text].value])).toEqual([
			['U-1', 'updated'],
			['U-2', 'inserted'],
			['U-3', ''],
		]);
	});

	it('refuses a stale revision with 409 GAIA_CO02 and applies nothing of the request', async () => {
		emulator.seedRecords(sample.app, [item('R-1'), item('R-2'), item('R-3')]);
		const error = await kintoneError(
			client.record.updateRecords({
				app: sample.app,
				records: [
					{ id: 1, revision: 1, record: { [F.text]: { value: 'x' } } },
					{ id: 2, revision: 7, record: { [F.text]: { value: 'x' } } },
					{ id: 3, record: { [F.text]: { value: 'x' } } },
				],
			}),
		);
		expect(error.status).toBe(409);
		expect(error.code).toBe('GAIA_CO02');
		expect(error.id).toMatch(/^[\w-]{10,}$/);
		expect(emulator.records(sample.app).map(({ revision, record }) => [revision, record[F.text].value])).toEqual([
			['1', ''],
			['1', ''],
			['1', ''],
		]);
	});

	it('reports invalid values as CB_VA01 keyed records[N].<code>, writing none of the records', async () => {
		const error = await kintoneError(
			client.record.addRecords({
				app: sample.app,
				records: [
					item('V-1', { [F.quantity]: '3' }),
					item('V-2', { [F.quantity]: 'three' }),
					item('V-3', { [F.dropDown]: '最高', [F.multiSelect]: ['赤', '紫'], [F.date]: '2024-02-30' }),
					{ [F.text]: { value: 'no code' } },
				],
			}),
		);
		expect(error.status).toBe(400);
		expect(error.code).toBe('CB_VA01');
		expect(error.errors).toEqual({
			[`records[1][${F.quantity}].value`]: { messages: ['Only numbers are allowed.'] },
			[`records[2].${F.dropDown}.value`]: { messages: ['The value, "最高", is not in options.'] },
			[`records[2].${F.multiSelect}.values[1].value`]: { messages: ['The value, "紫", is not in options.'] },
			[`records[2].${F.date}.value`]: { messages: [expect.stringContaining('YYYY-MM-DD')] },
			[`records[3].${F.code}.value`]: { messages: ['Required.'] },
		});
		expect(emulator.records(sample.app)).toEqual([]);

		emulator.seedRecords(sample.app, [item('DUP')]);
		const duplicate = await kintoneError(client.record.addRecord({ app: sample.app, record: item('DUP') }));
		expect(duplicate.errors).toEqual({ [`record.${F.code}.value`]: { messages: ['This value already exists in another record.'] } });
		const notUpdatable = await kintoneError(
			client.record.updateRecord({ app: sample.app, id: 1, record: { [F.createdTime]: { value: '2020-01-01T00:00:00Z' } } }),
		);
		expect(Object.keys(notUpdatable.errors!)).toEqual([`record.${F.createdTime}.value`]);
	});

	it('ignores values of fields kintone computes (CALC, record number, status, lookup copies)', async () => {
		await client.record.addRecord({
			app: sample.app,
			record: {
				...item('C-1', { [F.quantity]: '4', [F.price]: '25', [F.customerCode]: 'C001' }),
				[F.amount]: { value: '1' },
				[F.recordNumber]: { value: '777' },
				[F.status]: { value: '完了' },
				[F.customerName]: { value: 'typed by hand' },
			},
		});
		const [{ id, record }] = emulator.records(sample.app);
		expect(id).toBe('1');
		expect(record[F.amount].value).toBe('100');
		expect(record[F.recordNumber].value).toBe('1');
		expect(record[F.status].value).toBe('未処理');
		expect(record[F.customerName].value).toBe('サイボウズ株式会社');
	});

	it('needs the lookup source app token for lookups (GAIA_LO04), and a source record for the key', async () => {
		const appTokenOnly = sdk(emulator, { apiToken: sample.token });
		const noSourceToken = await kintoneError(
			appTokenOnly.record.addRecord({ app: sample.app, record: item('L-1', { [F.customerCode]: 'C001' }) }),
		);
		expect(noSourceToken.code).toBe('GAIA_LO04');
		const unknownKey = await kintoneError(client.record.addRecord({ app: sample.app, record: item('L-1', { [F.customerCode]: 'C999' }) }));
		expect([unknownKey.status, unknownKey.code]).toEqual([400, 'GAIA_LO04']);
		await client.record.addRecord({ app: sample.app, record: item('L-1', { [F.customerCode]: 'C002' }) });
		await client.record.updateRecord({ app: sample.app, id: 1, record: { [F.customerCode]: { value: 'C001' } } });
		expect(emulator.record(sample.app, 1)!.record[F.customerName].value).toBe('サイボウズ株式会社');
		expect(emulator.records(sample.customersApp).map(({ record }) => record[CUSTOMER_FIELDS.code].value)).toEqual(['C001', 'C002', 'C003']);
	});

	it('merges subtable rows by row id and replaces the rest', async () => {
		await client.record.addRecord({
			app: sample.app,
			record: {
				...item('T-1', { [F.price]: '10' }),
				[F.table]: {
					value: [
						{ value: { [F.tableItem]: { value: 'pen' }, [F.tableQuantity]: { value: '2' } } },
						{ value: { [F.tableItem]: { value: 'ink' }, [F.tableQuantity]: { value: '3' } } },
					],
				},
			},
		});
		const rows = emulator.record(sample.app, 1)!.record[F.table].value as Array<{ id: string; value: Record<string, { value: unknown }> }>;
		await client.record.updateRecord({
			app: sample.app,
			id: 1,
			record: { [F.table]: { value: [{ id: rows[1].id, value: { [F.tableQuantity]: { value: '7' } } }, { value: { [F.tableItem]: { value: 'pad' } } }] } },
		});
		const after = emulator.record(sample.app, 1)!.record;
		const table = after[F.table].value as typeof rows;
		expect(table.map((row) => [row.value[F.tableItem].value, row.value[F.tableQuantity].value, row.value[F.tableSubtotal].value])).toEqual([
			['ink', '7', '70'],
			['pad', '', '0'],
		]);
		expect(table[0].id).toBe(rows[1].id);
		expect(table[1].id).not.toBe(rows[0].id);
		expect(after[F.tableTotal].value).toBe('7');
	});

	it('checks updateKey fields, id xor updateKey, missing records, and the 100/500/10,000 limits', async () => {
		emulator.seedRecords(sample.app, [item('X-1')]);
		const notUnique = await kintoneError(
			client.record.updateRecords({ app: sample.app, records: [{ updateKey: { field: F.text, value: 'x' }, record: {} }] }),
		);
		expect([notUnique.status, notUnique.code]).toEqual([400, 'GAIA_IQ27']);
		const both = await kintoneError(
			client.record.updateRecords({
				app: sample.app,
				records: [{ id: 1, updateKey: { field: F.code, value: 'X-1' } } as never],
			}),
		);
		expect(Object.keys(both.errors!)).toEqual(['records[0].id']);
		const missing = await kintoneError(client.record.updateRecords({ app: sample.app, records: [{ id: 1 }, { id: 42 }] }));
		expect([missing.status, missing.code, missing.message]).toEqual([404, 'GAIA_RE01', expect.stringContaining('(ID: 42)')]);
		expect(emulator.record(sample.app, 1)!.revision).toBe('1');

		const tooMany = await kintoneError(
			client.record.addRecords({ app: sample.app, records: Array.from({ length: 101 }, (_, index) => item(`M-${index}`)) }),
		);
		expect(tooMany.errors).toEqual({ records: { messages: ['A maximum of 100 records can be added at one time.'] } });
		const limit = await kintoneError(client.record.getRecords({ app: sample.app, query: 'limit 501' }));
		expect(limit.code).toBe('GAIA_QU01');
		const offset = await kintoneError(client.record.getRecords({ app: sample.app, query: 'limit 500 offset 10001' }));
		expect(offset.code).toBe('GAIA_QU02');
		const syntax = await kintoneError(client.record.getRecords({ app: sample.app, query: `${F.code} = "unterminated` }));
		expect(Object.keys(syntax.errors!)).toEqual(['query']);
		const unknownField = await kintoneError(client.record.getRecords({ app: sample.app, query: 'nothing = "1"' }));
		expect(unknownField.code).toBe('GAIA_IQ11');
		const unknownApp = await kintoneError(sdk(emulator, { password: 'admin-pass', username: 'Administrator' }).app.getApp({ id: 999 }));
		expect([unknownApp.status, unknownApp.code]).toEqual([404, 'GAIA_AP01']);
	});

	it('deletes records by ids (sent in the query string) with optional revisions, all or nothing', async () => {
		emulator.seedRecords(sample.app, [item('D-1'), item('D-2'), item('D-3')]);
		const stale = await kintoneError(client.record.deleteRecords({ app: sample.app, ids: [1, 2], revisions: [1, 5] }));
		expect(stale.code).toBe('GAIA_CO02');
		const missing = await kintoneError(client.record.deleteRecords({ app: sample.app, ids: [1, 9] }));
		expect(missing.code).toBe('GAIA_RE01');
		expect(emulator.records(sample.app)).toHaveLength(3);

		await client.record.deleteRecords({ app: sample.app, ids: [1, 3], revisions: [1, -1] });
		expect(emulator.records(sample.app).map(({ id }) => id)).toEqual(['2']);
		const lastRequest = emulator.server.requests.at(-1)!;
		expect([lastRequest.method, lastRequest.query.get('ids[1]')]).toEqual(['DELETE', '3']);
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

	it('updateAllRecords: bulkRequest rolls back all 20 requests on a failure and the SDK finds the failing record', async () => {
		emulator.seedRecords(sample.app, Array.from({ length: 2_500 }, (_, index) => item(`B-${index}`)));
		const updates = emulator.records(sample.app).map(({ id }) => ({ id, record: { [F.quantity]: { value: id } } }));
		updates[2_150].record[F.quantity].value = 'not a number';

		const error = await updateAll(updates);
		expect(error).toBeInstanceOf(KintoneAllRecordsError);
		// The first 2,000 (one bulkRequest) committed; the second bulkRequest failed in its 2nd request, at its record 50.
		expect(error.numOfProcessedRecords).toBe(2_000);
		expect(error.errorIndex).toBe(2_150);
		expect(error.error.bulkRequestIndex).toBe(1);
		expect(error.error.errors).toEqual({ [`records[50][${F.quantity}].value`]: { messages: ['Only numbers are allowed.'] } });
		const stored = emulator.records(sample.app);
		expect(stored.filter(({ revision }) => revision === '2')).toHaveLength(2_000);
		expect(stored.slice(2_000).every(({ revision, record }) => revision === '1' && record[F.quantity].value === '')).toBe(true);

		const bulks = emulator.server.requests.filter((request) => request.path === '/k/v1/bulkRequest.json');
		expect(bulks.map((request) => (request.body as { requests: unknown[] }).requests.length)).toEqual([20, 5]);

		async function updateAll(records: typeof updates): Promise<KintoneAllRecordsError> {
			try {
				await client.record.updateAllRecords({ app: sample.app, records });
			} catch (caught) {
				if (caught instanceof KintoneAllRecordsError) return caught;
				throw caught;
			}
			throw new Error('updateAllRecords did not fail');
		}
	});

	it('answers a failed bulkRequest with the failing status and {} for every other request', async () => {
		emulator.seedRecords(sample.app, [item('W-1')]);
		const response = await fetch(`${emulator.url}/k/v1/bulkRequest.json`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'X-Cybozu-API-Token': sample.token },
			body: JSON.stringify({
				requests: [
					{ method: 'POST', api: '/k/v1/records.json', payload: { app: sample.app, records: [item('W-2')] } },
					{ method: 'PUT', api: '/k/v1/records.json', payload: { app: sample.app, records: [{ id: 1, revision: 3, record: {} }] } },
					{ method: 'DELETE', api: '/k/v1/records.json', payload: { app: sample.app, ids: [1] } },
				],
			}),
		});
		expect(response.status).toBe(409);
		expect(response.headers.get('x-concurrencylimit-limit')).toBe('100');
		const { results } = (await response.json()) as { results: Array<Record<string, unknown>> };
		expect(results).toEqual([{}, { code: 'GAIA_CO02', id: expect.any(String), message: expect.any(String) }, {}]);
		expect(emulator.records(sample.app).map(({ record }) => record[F.code].value)).toEqual(['W-1']);

		const ok = await client.bulkRequest({
			requests: [
				{ method: 'POST', api: '/k/v1/records.json', payload: { app: sample.app, records: [item('W-2')] } },
				{ method: 'DELETE', api: '/k/v1/records.json', payload: { app: sample.app, ids: [1] } },
			],
		});
		expect(ok.results).toEqual([{ ids: ['2'], revisions: ['1'] }, {}]);
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
