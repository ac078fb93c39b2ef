import type { INodeParameters } from 'n8n-workflow';

import { columns, F, requestsTo, runKintone, sampleRecord, useKintoneEmulator, valueOf } from './setup';

/** Update by record ID of `count` seeded records; each item sets one text field. */
function updateRun(kintone: ReturnType<typeof useKintoneEmulator>, count: number, options: INodeParameters = {}) {
	const ids = kintone.emulator.seedRecords(
		kintone.sample.app,
		Array.from({ length: count }, (_, index) => sampleRecord(index)),
	);
	const parameters = {
		operation: 'update',
		columns: columns({ $id: '={{ $json.id }}', [F.text]: '={{ $json.text }}' }, { matchingColumns: ['$id'] }),
		options,
	};
	const items = ids.map((id, index) => ({ id, text: `new ${index}` }));
	return { ids, run: async () => await runKintone(kintone.emulator, kintone.sample, parameters, items) };
}

describe('Kintone Update Many: concurrency adapts to the domain', () => {
	describe('a domain with room', () => {
		// Every request takes 40 ms, as over a real network, so that requests overlap.
		const kintone = useKintoneEmulator({ latencyMs: 40 });

		it('starts with a few requests at once and sends more while answers come fast, up to Max Concurrency', async () => {
			const { ids, run } = updateRun(kintone, 6_000);

			const result = await run();

			expect(result.error).toBeUndefined();
			expect(requestsTo(kintone.emulator, 'PUT', 'records')).toHaveLength(60);
			// More than the 4 it starts with, never more than the default maximum of 30.
			expect(kintone.emulator.peakConcurrency()).toBeGreaterThan(4);
			expect(kintone.emulator.peakConcurrency()).toBeLessThanOrEqual(30);
			expect(valueOf(kintone.emulator, kintone.sample, ids[5_999], F.text)).toBe('new 5999');
		});

		it('never goes over the Max Concurrency option', async () => {
			const { run } = updateRun(kintone, 3_000, { concurrency: 6 });

			const result = await run();

			expect(result.error).toBeUndefined();
			expect(kintone.emulator.peakConcurrency()).toBeGreaterThan(4);
			expect(kintone.emulator.peakConcurrency()).toBeLessThanOrEqual(6);
		});
	});

	describe('a busy domain (10 concurrent requests allowed)', () => {
		const kintone = useKintoneEmulator({ maxConcurrent: 10, latencyMs: 40 });

		it('takes at most 80% of the domain and halves when kintone reports 8 of 10 running: every record written, nothing refused', async () => {
			const { ids, run } = updateRun(kintone, 6_000, { concurrency: 50 });

			const result = await run();

			expect(result.error).toBeUndefined();
			const [output] = result.outputs;
			expect(output.every((item) => !item.json.error)).toBe(true);
			expect(kintone.emulator.peakConcurrency()).toBeGreaterThan(4);
			expect(kintone.emulator.peakConcurrency()).toBeLessThanOrEqual(8);
			// Not one 429: each of the 60 requests was sent once.
			const puts = requestsTo(kintone.emulator, 'PUT', 'records');
			expect(puts).toHaveLength(60);
			expect(puts.every((request) => request.status === 200)).toBe(true);
			expect(valueOf(kintone.emulator, kintone.sample, ids[0], F.text)).toBe('new 0');
			expect(valueOf(kintone.emulator, kintone.sample, ids[5_999], F.text)).toBe('new 5999');
		});
	});
});
