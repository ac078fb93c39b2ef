import type { KintoneRestAPIClient } from '@kintone/rest-api-client';
import type { KintoneEmulator } from '../emulators/kintone';
import { startKintoneEmulator } from '../emulators/kintone';
import { kintoneError, sdk } from './setup';

// The kintone emulator's files through @kintone/rest-api-client: uploads (streamed to disk),
// FILE values written with upload fileKeys and kept with download fileKeys, downloads, limits.

const DAY = 24 * 60 * 60_000;
const TOKEN = 'files-token';

/** An app with a FILE field and a subtable with a FILE cell. */
function addFilesApp(emulator: KintoneEmulator): number {
	return emulator.addApp({
		name: '添付ファイル',
		fields: {
			レコード番号: { type: 'RECORD_NUMBER' },
			code: { type: 'SINGLE_LINE_TEXT', unique: true },
			添付: { type: 'FILE' },
			明細: { type: 'SUBTABLE', fields: { 品名: { type: 'SINGLE_LINE_TEXT' }, 図面: { type: 'FILE' } } },
		},
	});
}

async function upload(client: KintoneRestAPIClient, name: string, data: string | Buffer): Promise<string> {
	return (await client.file.uploadFile({ file: { name, data } })).fileKey;
}

describe('kintone emulator through @kintone/rest-api-client: files', () => {
	let emulator: KintoneEmulator;
	let app: number;
	let client: KintoneRestAPIClient;
	let clock = Date.parse('2024-05-01T00:00:00Z');

	beforeAll(async () => {
		emulator = await startKintoneEmulator({ now: () => new Date(clock) });
		app = addFilesApp(emulator);
		emulator.addApiToken(TOKEN, [app]);
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => {
		emulator.reset();
		clock = Date.parse('2024-05-01T00:00:00Z');
		client = sdk(emulator, { apiToken: TOKEN });
	});

	it('uploads a file (UTF-8 name), stores it under a new download fileKey, and downloads its bytes', async () => {
		const uploadKey = await upload(client, '見積書 2024.txt', 'こんにちは, kintone');
		expect(uploadKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
		expect(emulator.uploads()).toBe(1);
		expect(emulator.server.requests[0].rawBody).toBe('');

		const { id } = await client.record.addRecord({ app, record: { code: { value: 'F-1' }, 添付: { value: [{ fileKey: uploadKey }] } } });
		const { record } = await client.record.getRecord({ app, id });
		const [file] = record.添付.value as Array<{ contentType: string; fileKey: string; name: string; size: string }>;
		expect(file).toEqual({
			contentType: 'text/plain',
			fileKey: expect.stringMatching(/^\d{14}[0-9A-F]{35}$/) as unknown,
			name: '見積書 2024.txt',
			size: String(Buffer.byteLength('こんにちは, kintone')),
		});
		expect(file.fileKey).not.toBe(uploadKey);

		const bytes = Buffer.from(await client.file.downloadFile({ fileKey: file.fileKey }));
		expect(bytes.toString('utf8')).toBe('こんにちは, kintone');
		expect(emulator.fileBytes(file.fileKey).toString('utf8')).toBe('こんにちは, kintone');
		expect(emulator.storedFiles()).toEqual([file.fileKey]);

		const response = await fetch(`${emulator.url}/k/v1/file.json?fileKey=${file.fileKey}`, { headers: { 'X-Cybozu-API-Token': TOKEN } });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/plain');
		expect(response.headers.get('content-disposition')).toBe(
			`attachment; filename="___ 2024.txt"; filename*=UTF-8''${encodeURIComponent('見積書 2024.txt')}`,
		);
		// As other GETs: the parameters in a JSON body, with the method override.
		const overridden = await fetch(`${emulator.url}/k/v1/file.json`, {
			method: 'POST',
			headers: { 'X-Cybozu-API-Token': TOKEN, 'X-HTTP-Method-Override': 'GET', 'Content-Type': 'application/json' },
			body: JSON.stringify({ fileKey: file.fileKey }),
		});
		expect(Buffer.from(await overridden.arrayBuffer()).toString('utf8')).toBe('こんにちは, kintone');
	});

	it('keeps files given by their download fileKey, adds new uploads, and removes files not listed', async () => {
		const first = await upload(client, 'a.bin', Buffer.from([0, 1, 2, 255]));
		const { id } = await client.record.addRecord({ app, record: { 添付: { value: [{ fileKey: first }] } } });
		const [kept] = (await client.record.getRecord({ app, id })).record.添付.value as Array<{ fileKey: string }>;

		const second = await upload(client, 'b.pdf', '%PDF-1.4');
		await client.record.updateRecord({ app, id, record: { 添付: { value: [{ fileKey: kept.fileKey }, { fileKey: second }] } } });
		const both = (await client.record.getRecord({ app, id })).record.添付.value as Array<{ fileKey: string; name: string; contentType: string }>;
		expect(both.map((file) => [file.name, file.contentType])).toEqual([
			['a.bin', 'application/octet-stream'],
			['b.pdf', 'application/pdf'],
		]);
		expect(both[0].fileKey).toBe(kept.fileKey);
		expect([...emulator.fileBytes(kept.fileKey)]).toEqual([0, 1, 2, 255]);

		await client.record.updateRecords({ app, records: [{ id, record: { 添付: { value: [{ fileKey: both[1].fileKey }] } } }] });
		const left = (await client.record.getRecord({ app, id })).record.添付.value as Array<{ fileKey: string }>;
		expect(left.map((file) => file.fileKey)).toEqual([both[1].fileKey]);
		// The removed file is gone; a JSON error body, whatever responseType the client asked for.
		const removed = await fetch(`${emulator.url}/k/v1/file.json?fileKey=${kept.fileKey}`, { headers: { 'X-Cybozu-API-Token': TOKEN } });
		expect(removed.status).toBe(404);
		expect(await removed.json()).toMatchObject({ code: 'GAIA_BL01', message: `The specified file (id: ${kept.fileKey}) not found.` });
		const unknown = await client.file.downloadFile({ fileKey: 'no-such-key' }).catch((error: { status?: number }) => error);
		expect((unknown as { status?: number }).status).toBe(404);
	});

	it('refuses used, unknown, expired and other records\' fileKeys with CB_VA01 on the value, all or nothing', async () => {
		const used = await upload(client, 'used.txt', 'used');
		const { id: other } = await client.record.addRecord({ app, record: { 添付: { value: [{ fileKey: used }] } } });
		const othersFile = ((await client.record.getRecord({ app, id: other })).record.添付.value as Array<{ fileKey: string }>)[0].fileKey;
		const fresh = await upload(client, 'fresh.txt', 'fresh');

		const error = await kintoneError(
			client.record.addRecords({
				app,
				records: [
					{ 添付: { value: [{ fileKey: fresh }] } },
					{ 添付: { value: [{ fileKey: used }, { fileKey: 'unknown' }] } },
					{ 添付: { value: [{ fileKey: othersFile }] } },
				],
			}),
		);
		expect([error.status, error.code]).toEqual([400, 'CB_VA01']);
		expect(Object.keys(error.errors!).sort()).toEqual([
			'records[1].添付.value[0].fileKey',
			'records[1].添付.value[1].fileKey',
			'records[2].添付.value[0].fileKey',
		]);
		// Nothing applied: the fresh upload is still unused.
		expect(emulator.unusedUploads()).toEqual([fresh]);
		expect(emulator.records(app)).toHaveLength(1);

		// An upload fileKey is usable once, even within one request.
		const twice = await kintoneError(
			client.record.addRecords({ app, records: [{ 添付: { value: [{ fileKey: fresh }] } }, { 添付: { value: [{ fileKey: fresh }] } }] }),
		);
		expect(Object.keys(twice.errors!)).toEqual(['records[1].添付.value[0].fileKey']);

		// Unused for 3 days: gone (the emulator's clock).
		clock += 3 * DAY;
		const expired = await kintoneError(client.record.addRecord({ app, record: { 添付: { value: [{ fileKey: fresh }] } } }));
		expect(expired.errors).toEqual({
			'record.添付.value[0].fileKey': {
				messages: [`The file (fileKey: ${fresh}) cannot be used: it is not a file of this field, or an upload that is unknown, expired or already used.`],
			},
		});
		const early = await upload(client, 'early.txt', 'x');
		clock += 3 * DAY - 1;
		await client.record.addRecord({ app, record: { 添付: { value: [{ fileKey: early }] } } });
	});

	it('stores files in subtable cells, through updateRecords, upsert and bulkRequest', async () => {
		const drawing = await upload(client, '図面.png', Buffer.from('PNG'));
		const { id } = await client.record.addRecord({
			app,
			record: { code: { value: 'T-1' }, 明細: { value: [{ value: { 品名: { value: 'ねじ' }, 図面: { value: [{ fileKey: drawing }] } } }] } },
		});
		const [row] = (await client.record.getRecord({ app, id })).record.明細.value as unknown as Array<{
			id: string;
			value: { 図面: { value: Array<{ fileKey: string; name: string; contentType: string }> } };
		}>;
		const stored = row.value.図面.value[0];
		expect([stored.name, stored.contentType]).toEqual(['図面.png', 'image/png']);
		expect(emulator.fileBytes(stored.fileKey).toString()).toBe('PNG');

		// A row matched by id keeps its cell's files; a new row holds none, so it cannot keep one.
		const added = await upload(client, 'added.txt', 'added');
		await client.record.updateRecords({
			app,
			upsert: true,
			records: [
				{
					updateKey: { field: 'code', value: 'T-1' },
					record: {
						明細: { value: [{ id: row.id, value: { 図面: { value: [{ fileKey: stored.fileKey }, { fileKey: added }] } } }] },
					},
				},
			],
		});
		const cell = ((await client.record.getRecord({ app, id })).record.明細.value as unknown as typeof row[])[0].value.図面.value;
		expect(cell.map((file) => file.name)).toEqual(['図面.png', 'added.txt']);
		const newRow = await kintoneError(
			client.record.updateRecord({ app, id, record: { 明細: { value: [{ value: { 図面: { value: [{ fileKey: stored.fileKey }] } } }] } } }),
		);
		expect(Object.keys(newRow.errors!)).toEqual(['record.明細.value[0].value.図面.value[0].fileKey']);

		const inBulk = await upload(client, 'bulk.txt', 'bulk');
		await client.bulkRequest({
			requests: [
				{ method: 'POST', api: '/k/v1/record.json', payload: { app, record: { code: { value: 'T-2' }, 添付: { value: [{ fileKey: inBulk }] } } } },
			],
		});
		const [bulkFile] = emulator.records(app)[1].record.添付.value as Array<{ fileKey: string }>;
		expect(emulator.fileBytes(bulkFile.fileKey).toString()).toBe('bulk');
		expect(emulator.storedFiles()).toHaveLength(3);
	});

	it('keeps fault injection for file.json: a connection reset after the upload was handled', async () => {
		emulator.server.inject({ match: (request) => request.path === '/k/v1/file.json', action: { kind: 'resetAfterHandling' } });
		await expect(upload(client, 'lost.txt', 'lost')).rejects.toThrow();
		expect(emulator.uploads()).toBe(1);
		expect(emulator.server.fates).toEqual(['resetAfterHandling']);
		expect(emulator.fileBytes(emulator.unusedUploads()[0]).toString()).toBe('lost');
		await upload(client, 'next.txt', 'next');
		expect(emulator.uploads()).toBe(2);
	});

	it('uploads and downloads through a guest space path', async () => {
		const guestApp = emulator.addApp({ name: 'ゲスト添付', guestSpaceId: 5, fields: { 添付: { type: 'FILE' } } });
		emulator.addApiToken('guest-files-token', [guestApp]);
		const guest = sdk(emulator, { apiToken: 'guest-files-token' }, { guestSpaceId: 5 });
		const key = await upload(guest, 'guest.txt', 'in a guest space');
		expect(emulator.server.requests[0].path).toBe('/k/guest/5/v1/file.json');
		const { id } = await guest.record.addRecord({ app: guestApp, record: { 添付: { value: [{ fileKey: key }] } } });
		const [file] = (await guest.record.getRecord({ app: guestApp, id })).record.添付.value as Array<{ fileKey: string }>;
		expect(Buffer.from(await guest.file.downloadFile({ fileKey: file.fileKey })).toString()).toBe('in a guest space');
		// The file's app is in the guest space: the non-guest path is refused, as for its records.
		const outside = await fetch(`${emulator.url}/k/v1/file.json?fileKey=${file.fileKey}`, { headers: { 'X-Cybozu-API-Token': 'guest-files-token' } });
		expect(((await outside.json()) as { code: string }).code).toBe('GAIA_IL23');
	});

	it('answers an upload with no file part with CB_VA01, and needs authentication', async () => {
		const form = new FormData();
		form.append('other', 'value');
		const noFile = await fetch(`${emulator.url}/k/v1/file.json`, { method: 'POST', headers: { 'X-Cybozu-API-Token': TOKEN }, body: form });
		expect(noFile.status).toBe(400);
		expect(await noFile.json()).toMatchObject({ code: 'CB_VA01', errors: { file: { messages: ['Required field.'] } } });
		const file = new FormData();
		file.append('file', new Blob(['x']), 'x.txt');
		const anonymous = await fetch(`${emulator.url}/k/v1/file.json`, { method: 'POST', body: file });
		expect(anonymous.status).toBe(401);
		expect(emulator.uploads()).toBe(0);
	});
});

describe('kintone emulator files: size limit and memory', () => {
	let emulator: KintoneEmulator;
	let app: number;
	let client: KintoneRestAPIClient;

	beforeAll(async () => {
		emulator = await startKintoneEmulator({ maxFileBytes: 5 * 1024 * 1024 });
		app = addFilesApp(emulator);
		emulator.addApiToken(TOKEN, [app]);
		client = sdk(emulator, { apiToken: TOKEN });
	});
	afterAll(async () => await emulator.close());

	it('accepts a file of maxFileBytes and answers 413 CB_IL02 above it', async () => {
		const max = Buffer.alloc(5 * 1024 * 1024, 7);
		const key = await upload(client, 'max.bin', max);
		expect(emulator.fileBytes(key).equals(max)).toBe(true);
		const tooLarge = await kintoneError(upload(client, 'over.bin', Buffer.alloc(5 * 1024 * 1024 + 1)));
		expect([tooLarge.status, tooLarge.code]).toEqual([413, 'CB_IL02']);
		const wayOver = await kintoneError(upload(client, 'way-over.bin', Buffer.alloc(6 * 1024 * 1024)));
		expect(wayOver.status).toBe(413);
		expect(emulator.uploads()).toBe(1);
	});

	it('keeps uploads on disk, not in memory: 200 files of 5 MB', async () => {
		emulator.reset();
		const data = Buffer.alloc(5 * 1024 * 1024);
		const before = process.memoryUsage();
		const keys: string[] = [];
		for (let batch = 0; batch < 20; batch++) {
			keys.push(
				...(await Promise.all(
					Array.from({ length: 10 }, (_, index) => {
						const bytes = Buffer.from(data);
						bytes.writeUInt32BE(batch * 10 + index);
						return upload(client, `part-${batch * 10 + index}.bin`, bytes);
					}),
				)),
			);
		}
		expect(emulator.uploads()).toBe(200);
		const after = process.memoryUsage();
		// 1 GB went through; the heap and buffers grew far less than that.
		expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(300 * 1024 * 1024);
		expect(emulator.fileBytes(keys[137]).readUInt32BE(0)).toBe(137);
		expect(emulator.fileBytes(keys[137]).length).toBe(5 * 1024 * 1024);
		emulator.reset();
	}, 120_000);
});
