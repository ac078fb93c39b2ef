import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';

import type { KintoneEmulator } from '../emulators/kintone';
import { startKintoneEmulator } from '../emulators/kintone';
import { runNode, withFiles } from '../harness/workflow';
import { columns, environment, requestsTo } from './setup';

const FILES = 200;
const FILE_BYTES = 5 * 1024 * 1024;
const TOKEN = 'memory-token';

// 1 GB through n8n's binary data store, the node and the emulator's disk.
jest.setTimeout(300_000);

/**
 * n8n's filesystem binary mode, as a real instance runs it: the items carry only references to
 * files in the store, and the node must stream them to kintone rather than read them into memory.
 */
describe('Kintone node: attachments from n8n’s filesystem binary data, memory', () => {
	const folder = mkdtempSync(path.join(tmpdir(), 'n8n-bulk-binary-'));
	let emulator: KintoneEmulator;
	let app: number;
	let source: string;

	beforeAll(async () => {
		const config = Container.get(BinaryDataConfig);
		config.mode = 'filesystem';
		config.localStoragePath = path.join(folder, 'store');
		await Container.get(BinaryDataService).init();
		source = path.join(folder, 'source.bin');
		const bytes = Buffer.alloc(FILE_BYTES);
		for (let at = 0; at < FILE_BYTES; at += 32) createHash('sha256').update(String(at)).digest().copy(bytes, at);
		writeFileSync(source, bytes);
		emulator = await startKintoneEmulator({ maxFileBytes: 10 * 1024 * 1024 });
		app = emulator.addApp({ name: 'scans', fields: { code: { type: 'SINGLE_LINE_TEXT', unique: true }, scan: { type: 'FILE' } } });
		emulator.addApiToken(TOKEN, [app]);
	});
	afterAll(async () => {
		await emulator.close();
		rmSync(folder, { recursive: true, force: true });
	});

	it(`uploads ${FILES} files of 5 MB with peak memory growing by far less than their 1,000 MB`, async () => {
		const items = Array.from({ length: FILES }, (_, index) =>
			withFiles({ code: `S-${index}` }, { scan: { data: () => createReadStream(source), fileName: `scan-${index}.pdf`, mimeType: 'application/pdf' } }),
		);
		global.gc?.();
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);

		const result = await runNode(
			environment({ domain: 'custom', baseUrl: emulator.url, authentication: 'apiToken', apiToken: TOKEN }),
			{
				type: 'kintone',
				parameters: { resource: 'record', operation: 'create', app: { __rl: true, mode: 'id', value: String(app) }, columns: columns({ code: '={{ $json.code }}', scan: 'scan' }) },
				credentialTypes: ['kintoneApi'],
			},
			items,
		);
		clearInterval(sampler);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(FILES);
		// The items carried references to the store, not the bytes.
		const [first] = result.run.data.resultData.runData.Input[0].data!.main[0]!;
		expect(first.binary!.scan).toMatchObject({ id: expect.stringMatching(/^filesystem/), bytes: FILE_BYTES });
		expect(requestsTo(emulator, 'POST', 'file')).toHaveLength(FILES);
		const records = emulator.records(app);
		expect(records).toHaveLength(FILES);
		const expected = createHash('sha256').update(readFileSync(source)).digest('hex');
		for (const record of [records[0], records[99], records[FILES - 1]]) {
			const [stored] = record.record.scan.value as Array<{ fileKey: string }>;
			expect(createHash('sha256').update(emulator.fileBytes(stored.fileKey)).digest('hex')).toBe(expected);
		}
		const grownMb = (peak - baseline) / 1024 / 1024;
		process.stdout.write(`Attachments memory: ${FILES} files × 5 MB, peak RSS grew by ${grownMb.toFixed(0)} MB\n`);
		expect(grownMb).toBeLessThan(250);
	});
});
