import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { PendingRecord } from '../../nodes/shared/batching';
import { runBulkWrite } from '../../nodes/shared/bulkWrite';
import { ConcurrencyLimit } from '../../nodes/shared/concurrency';
import { succeeded } from '../../nodes/shared/results';

/** Just enough of an execution context for runBulkWrite: the items, Continue On Fail off. */
function contextWith(items: INodeExecutionData[]): IExecuteFunctions {
	return {
		getInputData: () => items,
		continueOnFail: () => false,
		getNode: () => ({ id: 'n', name: 'Write', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} }),
	} as unknown as IExecuteFunctions;
}

/** Runs a bulk write of items keyed `keys`, recording when each batch started and finished. */
async function run(
	keys: string[],
	options: { concurrency: number; orderByKey: boolean; batchSize: number; firstBatchAlone?: boolean },
) {
	const events: Array<{ batch: number; at: 'start' | 'end' }> = [];
	const applied = new Map<string, number>();
	let nextBatch = 0;
	const output = await runBulkWrite<string>(contextWith(keys.map((key) => ({ json: { key } }))), {
		...options,
		prepare: (itemIndex) => ({ key: keys[itemIndex], payload: keys[itemIndex] }),
		send: async (batch: Array<PendingRecord<string>>) => {
			const id = nextBatch++;
			events.push({ batch: id, at: 'start' });
			// The first concurrent batch answers slowest, so anything waiting on it shows.
			await sleep(id === 1 ? 120 : 20);
			for (const record of batch) applied.set(record.payload, record.itemIndex);
			events.push({ batch: id, at: 'end' });
			return batch.map((record) => succeeded(record.itemIndex, { key: record.payload }, record.key));
		},
	});
	const when = (batch: number, at: 'start' | 'end') => events.findIndex((event) => event.batch === batch && event.at === at);
	return { output, applied, when };
}

describe('runBulkWrite with concurrency', () => {
	it('sends the first batch alone, then batches in parallel; a batch sharing a key with an earlier one waits for it', async () => {
		// Batches: [a b] [c d] [e f] [c g]; the last one changes "c" again.
		const { output, applied, when } = await run(['a', 'b', 'c', 'd', 'e', 'f', 'c', 'g'], {
			concurrency: 3,
			orderByKey: true,
			batchSize: 2,
		});

		expect(output).toHaveLength(8);
		expect(when(1, 'start')).toBeGreaterThan(when(0, 'end'));
		// Batches 1 and 2 overlap: the parallelism is real.
		expect(when(2, 'start')).toBeLessThan(when(1, 'end'));
		// Batch 3 holds "c" like batch 1, so it starts only after batch 1 ended: the later item wins.
		expect(when(3, 'start')).toBeGreaterThan(when(1, 'end'));
		expect(applied.get('c')).toBe(6);
	});

	it('does not wait on keys unless told they name records (keys like "new record" are shared by unrelated records)', async () => {
		const { output, when } = await run(['new', 'new', 'new', 'new', 'new', 'new'], {
			concurrency: 3,
			orderByKey: false,
			batchSize: 2,
		});

		expect(output).toHaveLength(6);
		expect(when(2, 'start')).toBeLessThan(when(1, 'end'));
	});

	it('starts the first batch together with the others when there is no token to fetch first', async () => {
		const { output, when } = await run(['a', 'b', 'c', 'd', 'e', 'f'], {
			concurrency: 3,
			orderByKey: true,
			batchSize: 2,
			firstBatchAlone: false,
		});

		expect(output).toHaveLength(6);
		expect(when(1, 'start')).toBeLessThan(when(0, 'end'));
		expect(when(2, 'start')).toBeLessThan(when(0, 'end'));
	});

	it('with concurrency 1 keeps strict order, one batch after the other', async () => {
		const { when } = await run(['a', 'b', 'c', 'd', 'e', 'f'], { concurrency: 1, orderByKey: true, batchSize: 2 });

		expect(when(1, 'start')).toBeGreaterThan(when(0, 'end'));
		expect(when(2, 'start')).toBeGreaterThan(when(1, 'end'));
	});
});

describe('ConcurrencyLimit', () => {
	it('a number stays as it is', () => {
		const limit = new ConcurrencyLimit(3);
		limit.observe(limit.start());
		expect(limit.current).toBe(3);
	});

	it('doubles per round of fast answers until the service first pushes back, then halves once', () => {
		let pressure = 0;
		const limit = new ConcurrencyLimit({ start: 4, max: 20, pressure: () => pressure, serviceLimit: () => undefined });
		expect(limit.current).toBe(4);
		// One round: as many answers as batches in flight.
		for (let batch = 0; batch < 4; batch++) limit.observe(limit.start());
		expect(limit.current).toBe(8);
		const inFlight = Array.from({ length: 8 }, () => limit.start());
		pressure++;
		for (const started of inFlight) limit.observe(started);
		// Eight answers saw the push-back; the count halves once.
		expect(limit.current).toBe(4);
	});

	it('after a push-back, grows by about one per round, up to the maximum', () => {
		let pressure = 0;
		const limit = new ConcurrencyLimit({ start: 4, max: 6, pressure: () => pressure, serviceLimit: () => undefined });
		const started = limit.start();
		pressure++;
		limit.observe(started);
		expect(limit.current).toBe(2);
		for (let batch = 0; batch < 2; batch++) limit.observe(limit.start());
		expect(limit.current).toBe(3);
		for (let batch = 0; batch < 3; batch++) limit.observe(limit.start());
		expect(limit.current).toBe(4);
		for (let batch = 0; batch < 40; batch++) limit.observe(limit.start());
		expect(limit.current).toBe(6);
	});

	it("stops doubling at half the service's concurrent-request limit and never takes more than 80% of it", () => {
		const limit = new ConcurrencyLimit({ start: 4, max: 30, pressure: () => 0, serviceLimit: () => 10 });
		for (let batch = 0; batch < 4; batch++) limit.observe(limit.start());
		expect(limit.current).toBe(5);
		for (let batch = 0; batch < 100; batch++) limit.observe(limit.start());
		expect(limit.current).toBe(8);
	});

	it('holds while answers take much longer than the fastest so far', () => {
		const limit = new ConcurrencyLimit({ start: 2, max: 10, pressure: () => 0, serviceLimit: () => undefined });
		limit.observe(limit.start());
		expect(limit.current).toBe(3);
		for (let batch = 0; batch < 10; batch++) limit.observe({ ...limit.start(), at: Date.now() - 10_000 });
		expect(limit.current).toBe(3);
	});

	it('starts at the maximum when that is lower than the start', () => {
		expect(new ConcurrencyLimit({ start: 4, max: 1, pressure: () => 0, serviceLimit: () => undefined }).current).toBe(1);
	});
});
