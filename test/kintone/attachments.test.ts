import { createHash } from 'node:crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { KintoneEmulator } from '../emulators/kintone';
import { startKintoneEmulator } from '../emulators/kintone';
import type { TestFile } from '../harness/workflow';
import { runNode, withFiles } from '../harness/workflow';
import { columns, environment, requestsTo } from './setup';

const TOKEN = 'attachments-token';

/** Bytes that differ per file, so that a file landing in the wrong record is caught. */
function fileBytes(seed: string, size: number): Buffer {
	const bytes = Buffer.alloc(size);
	let block = createHash('sha256').update(seed).digest();
	for (let at = 0; at < size; at += block.length) {
		block.copy(bytes, at);
		block = createHash('sha256').update(block).digest();
	}
	return bytes;
}

function file(seed: string, size = 1_000 + (seed.length * 37) % 500, fileName = `${seed}.bin`): TestFile & { data: Buffer } {
	return { data: fileBytes(seed, size), fileName, mimeType: 'application/octet-stream' };
}

describe('Kintone node: attachments from n8n binary data', () => {
	let emulator: KintoneEmulator;
	let app: number;

	beforeAll(async () => {
		emulator = await startKintoneEmulator({ maxFileBytes: 64 * 1024 });
		app = emulator.addApp({
			name: 'documents',
			fields: {
				code: { type: 'SINGLE_LINE_TEXT', unique: true },
				invoice: { type: 'FILE', label: 'Invoice' },
				photos: { type: 'FILE', label: 'Photos' },
				lines: { type: 'SUBTABLE', fields: { item: { type: 'SINGLE_LINE_TEXT' }, picture: { type: 'FILE' } } },
			},
		});
		emulator.addApiToken(TOKEN, [app]);
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => emulator.reset());

	const run = async (parameters: INodeParameters, items: IDataObject[], onError?: 'continueErrorOutput') =>
		await runNode(
			environment({ domain: 'custom', baseUrl: emulator.url, authentication: 'apiToken', apiToken: TOKEN }),
			{
				type: 'kintone',
				parameters: { resource: 'record', app: { __rl: true, mode: 'id', value: String(app) }, ...parameters },
				credentialTypes: ['kintoneApi'],
				onError,
			},
			items,
		);

	/** The stored files of a FILE value, as the names and bytes kintone keeps. */
	const stored = (value: unknown) =>
		((value ?? []) as Array<{ fileKey: string; name: string }>).map((entry) => ({ name: entry.name, bytes: emulator.fileBytes(entry.fileKey) }));

	it('uploads 1 to 3 files per item for 250 items, then creates the records in 3 requests holding exactly those files', async () => {
		const items = Array.from({ length: 250 }, (_, index) => {
			const files: Record<string, TestFile> = { invoice: file(`invoice-${index}`) };
			for (let photo = 0; photo < index % 3; photo++) files[`photo${photo}`] = file(`photo-${index}-${photo}`);
			return withFiles({ code: `D-${index}` }, files);
		});

		const result = await run(
			{
				operation: 'create',
				columns: columns({ code: '={{ $json.code }}', invoice: 'invoice', photos: '={{ Object.keys($binary).filter((name) => name.startsWith("photo")).join(",") }}' }),
			},
			items,
		);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(250);
		const uploads = requestsTo(emulator, 'POST', 'file');
		expect(uploads).toHaveLength(250 + 249);
		expect(requestsTo(emulator, 'POST', 'records')).toHaveLength(3);
		const records = emulator.records(app);
		expect(records).toHaveLength(250);
		for (const { record } of records) {
			const index = Number(String(record.code.value).slice(2));
			expect(stored(record.invoice.value)).toEqual([{ name: `invoice-${index}.bin`, bytes: file(`invoice-${index}`).data }]);
			const photos = Array.from({ length: index % 3 }, (_, photo) => `photo-${index}-${photo}`);
			expect(stored(record.photos.value)).toEqual(photos.map((seed) => ({ name: `${seed}.bin`, bytes: file(seed).data })));
		}
		// Each output says which files went where (fileKeys kintone gave the uploads).
		expect((result.outputs[0][5].json.invoice as unknown[]).length).toBe(1);
	});

	it('puts files into table cells, named per row', async () => {
		const result = await run(
			{
				operation: 'create',
				columns: columns({ code: 'T-1', lines: '={{ [{ item: "front", picture: "front" }, { item: "back", picture: "back, side" }] }}' }),
			},
			[withFiles({}, { front: file('front'), back: file('back'), side: file('side') })],
		);

		expect(result.error).toBeUndefined();
		const [{ record }] = emulator.records(app);
		const rows = record.lines.value as Array<{ value: { item: { value: string }; picture: { value: unknown } } }>;
		expect(rows.map((row) => [row.value.item.value, stored(row.value.picture.value).map((entry) => entry.name)])).toEqual([
			['front', ['front.bin']],
			['back', ['back.bin', 'side.bin']],
		]);
		expect(stored(rows[1].value.picture.value)[1].bytes).toEqual(file('side').data);
	});

	it('"Keep Existing Files In" adds the new files after those the record has; other fields are replaced', async () => {
		await run({ operation: 'create', columns: columns({ code: 'K-1', invoice: 'a', photos: 'p' }) }, [withFiles({}, { a: file('a'), p: file('p') })]);

		const result = await run(
			{
				operation: 'update',
				columns: columns({ code: 'K-1', invoice: 'b', photos: 'q' }, { matchingColumns: ['code'] }),
				options: { keepFiles: ['invoice'] },
			},
			[withFiles({}, { b: file('b'), q: file('q') })],
		);

		expect(result.error).toBeUndefined();
		const [{ record }] = emulator.records(app);
		expect(stored(record.invoice.value)).toEqual([
			{ name: 'a.bin', bytes: file('a').data },
			{ name: 'b.bin', bytes: file('b').data },
		]);
		expect(stored(record.photos.value)).toEqual([{ name: 'q.bin', bytes: file('q').data }]);
	});

	it('upserts with "*" (all the item’s files), adding to the files a record has and creating the missing record', async () => {
		await run({ operation: 'create', columns: columns({ code: 'U-1', photos: 'old' }) }, [withFiles({}, { old: file('old') })]);

		const result = await run(
			{ operation: 'upsert', columns: columns({ code: '={{ $json.code }}', photos: '*' }, { matchingColumns: ['code'] }), options: { keepFiles: ['photos'] } },
			[withFiles({ code: 'U-1' }, { x: file('x') }), withFiles({ code: 'U-2' }, { y: file('y'), z: file('z') })],
		);

		expect(result.error).toBeUndefined();
		const byCode = new Map(emulator.records(app).map(({ record }) => [record.code.value, record]));
		expect(stored(byCode.get('U-1')!.photos.value).map((entry) => entry.name)).toEqual(['old.bin', 'x.bin']);
		expect(stored(byCode.get('U-2')!.photos.value).map((entry) => entry.name)).toEqual(['y.bin', 'z.bin']);
	});

	it('Sync uploads the files of the records it adds and updates, and keeps existing files when asked', async () => {
		await run({ operation: 'create', columns: columns({ code: 'Y-1', invoice: 'a' }) }, [withFiles({}, { a: file('a') })]);

		const result = await run(
			{ operation: 'sync', columns: columns({ code: '={{ $json.code }}', invoice: 'doc' }, { matchingColumns: ['code'] }), options: { keepFiles: ['invoice'] } },
			[withFiles({ code: 'Y-1' }, { doc: file('y1') }), withFiles({ code: 'Y-2' }, { doc: file('y2') })],
		);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((output) => output.json.sync)).toEqual(['updated', 'created']);
		const byCode = new Map(emulator.records(app).map(({ record }) => [record.code.value, record]));
		expect(stored(byCode.get('Y-1')!.invoice.value)).toEqual([
			{ name: 'a.bin', bytes: file('a').data },
			{ name: 'y1.bin', bytes: file('y1').data },
		]);
		expect(stored(byCode.get('Y-2')!.invoice.value)).toEqual([{ name: 'y2.bin', bytes: file('y2').data }]);
	});

	it('an upload whose answer was lost, or refused with a 5xx, is sent again: each record holds its file once', async () => {
		const isUpload = (request: { path: string }) => request.path.endsWith('/file.json');
		emulator.server.inject({ match: isUpload, action: { kind: 'resetAfterHandling' } });
		emulator.server.inject({ match: isUpload, nth: 2, action: { kind: 'respond', reply: { status: 503, body: { code: 'CB_IJ01', message: 'Temporarily unavailable' } } } });

		const result = await run(
			{ operation: 'create', columns: columns({ code: '={{ $json.code }}', invoice: 'invoice' }) },
			[withFiles({ code: 'R-1' }, { invoice: file('r1') }), withFiles({ code: 'R-2' }, { invoice: file('r2') })],
		);

		expect(result.error).toBeUndefined();
		expect(requestsTo(emulator, 'POST', 'file').length).toBe(4);
		for (const { record } of emulator.records(app)) {
			const seed = String(record.code.value).toLowerCase().replace('-', '');
			expect(stored(record.invoice.value)).toEqual([{ name: `${seed}.bin`, bytes: file(seed).data }]);
		}
		// The upload whose answer was lost is never used; kintone deletes it after 3 days.
		expect(emulator.unusedUploads()).toHaveLength(1);
	});

	it('refuses a file name the item has no file for, naming item, field and the files it has, before any request', async () => {
		const result = await run({ operation: 'create', columns: columns({ code: 'N-1', invoice: 'invoce' }) }, [withFiles({}, { invoice: file('i') })]);

		expect(result.error?.message).toMatch(/^Item 0.*"invoice" names "invoce".*neither a file of the item/);
		expect(emulator.server.requests.filter((request) => !request.path.includes('/app/form/'))).toHaveLength(0);
	});

	it('refuses a file over kintone’s 1 GB limit before any request, from the size n8n recorded', async () => {
		// What n8n records for a 1.2 GB file in its binary data store; the content is not read.
		const huge: TestFile = { stored: { data: Buffer.from('x').toString('base64'), mimeType: 'video/mp4', fileName: 'site-visit.mp4', bytes: 1_200_000_000 } };
		const result = await run(
			{ operation: 'create', columns: columns({ code: '={{ $json.code }}', invoice: 'video' }) },
			[withFiles({ code: 'H-1' }, { video: huge }), withFiles({ code: 'H-2' }, { video: file('fine') })],
			'continueErrorOutput',
		);

		expect(result.outputs[1]).toHaveLength(1);
		const failure = result.outputs[1][0].json as { error: string; details: IDataObject };
		expect(failure.error).toBe('"invoice": the file "site-visit.mp4" (binary property "video") has 1,200,000,000 bytes; kintone takes files of at most 1 GB');
		expect(failure.details).toMatchObject({ itemIndex: 0, outcome: 'notSent', fields: ['invoice'] });
		expect(requestsTo(emulator, 'POST', 'file')).toHaveLength(1);
		expect(emulator.records(app).map(({ record }) => record.code.value)).toEqual(['H-2']);
	});

	it('a file the service refuses (over its limit) fails only its item; the other records are written', async () => {
		const result = await run(
			{ operation: 'create', columns: columns({ code: '={{ $json.code }}', invoice: 'invoice' }) },
			[withFiles({ code: 'S-1' }, { invoice: file('small') }), withFiles({ code: 'S-2' }, { invoice: file('big', 100 * 1024) }), withFiles({ code: 'S-3' }, { invoice: file('small2') })],
			'continueErrorOutput',
		);

		expect(result.outputs[0].map((output) => output.json.code)).toEqual(['S-1', 'S-3']);
		expect(result.outputs[1]).toHaveLength(1);
		const failure = result.outputs[1][0].json as { error: string; details: IDataObject };
		expect(failure.error).toMatch(/The file "big\.bin" \(binary property "invoice"\) for "invoice" could not be uploaded, so the record was not sent/);
		expect(failure.details).toMatchObject({ itemIndex: 1, outcome: 'notSent', fields: ['invoice'] });
		expect(emulator.records(app).map(({ record }) => record.code.value)).toEqual(['S-1', 'S-3']);
	});

	it('Dry Run shows the files that would be uploaded and uploads nothing', async () => {
		const result = await run(
			{ operation: 'create', columns: columns({ code: 'D-1', invoice: 'invoice' }), options: { dryRun: true } },
			[withFiles({}, { invoice: file('dry', 1234) })],
		);

		expect(result.error).toBeUndefined();
		expect(JSON.stringify(result.outputs[0][0].json)).toContain('"upload":"dry.bin"');
		expect(requestsTo(emulator, 'POST', 'file')).toHaveLength(0);
		expect(emulator.records(app)).toHaveLength(0);
	});

	it('Get Many with Download Attachments returns the same bytes as uploaded, table cells included', async () => {
		await run(
			{ operation: 'create', columns: columns({ code: 'G-1', invoice: 'invoice', lines: '={{ [{ item: "a", picture: "pic" }] }}' }) },
			[withFiles({}, { invoice: file('g-invoice', 5000, '請求書.pdf'), pic: file('g-pic') })],
		);

		const result = await run({ operation: 'getAll', returnAll: true, download: true }, [{}]);

		expect(result.error).toBeUndefined();
		const [output] = result.outputs[0];
		expect(Object.keys(output.binary ?? {}).sort()).toEqual(['invoice_0', 'lines_0_picture_0']);
		expect(output.binary!.invoice_0.fileName).toBe('請求書.pdf');
		expect(Buffer.from(output.binary!.invoice_0.data, 'base64')).toEqual(file('g-invoice', 5000).data);
		expect(Buffer.from(output.binary!.lines_0_picture_0.data, 'base64')).toEqual(file('g-pic').data);
	});

	it('Get Many leaves files over Max File Size out, and lists them', async () => {
		await run({ operation: 'create', columns: columns({ code: 'M-1', invoice: 'a, b' }) }, [withFiles({}, { a: file('m-a', 2000), b: file('m-b', 60 * 1024) })]);

		const result = await run({ operation: 'getAll', returnAll: true, download: true, maxDownloadMb: 0.01 }, [{}]);

		const [output] = result.outputs[0];
		expect(Object.keys(output.binary ?? {})).toEqual(['invoice_0']);
		expect(output.json._filesNotDownloaded).toEqual([{ field: 'invoice', name: 'm-b.bin', size: 60 * 1024, reason: 'larger than Max File Size' }]);
	});
});
