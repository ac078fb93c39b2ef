import type { KintoneRestAPIClient } from '@kintone/rest-api-client';
import { KintoneAllRecordsError } from '@kintone/rest-api-client';
import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import { createSampleApp, CUSTOMER_FIELDS, SAMPLE_FIELDS as F, startKintoneEmulator } from '../emulators/kintone';
import { item, kintoneError, sdk } from './setup';

// The kintone emulator driven by the official client: if the client accepts its answers and
// raises the right errors, its wire format is what real kintone sends.
// Records: adding, updating, upserting, deleting and bulk requests (reads and access: emulatorAccess.test.ts).

describe('kintone emulator through @kintone/rest-api-client: record writes', () => {
	let emulator: KintoneEmulator;
	let sample: SampleApp;
	let client: KintoneRestAPIClient;

	beforeAll(async () => {
		emulator = await startKintoneEmulator({ users: { Administrator: 'admin-pass' } });
		sample = createSampleApp(emulator);
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
});
