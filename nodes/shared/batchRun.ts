import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import { toBatches } from './batching';
import type { BatchSending, BatchSignal } from './bulkWrite';
import { batchFailure } from './errors';
import { ConcurrencyLimit } from './concurrency';
import type { RecordOutcome } from './results';
import { failed } from './results';

/**
 * Sends the prepared records of one run: cut into batches, several in flight as the concurrency
 * allows (fixed, or adapting to the service), a batch holding a record key of an earlier batch
 * after that one. Once a failure is known with On Error = Stop Workflow, no new batch starts; the
 * batches never started are reported "not sent".
 */
export class BatchRun<T> {
	private readonly batches: Array<Array<PendingRecord<T>>>;

	private readonly results: RecordOutcome[][];

	/** Settles when the batch of that index has its results (or was given up). */
	private readonly finished: Array<Promise<void>>;

	private readonly limit: ConcurrencyLimit;

	private readonly earlierWithSameKeys?: EarlierBatchesWithSameKeys;

	private readonly parallel: boolean;

	private readonly signal: BatchSignal;

	/** The index of the next batch to start; batches start in order. */
	private next = 0;

	private stopped = false;

	/** Workers running, each sending batch after batch. */
	private active = 0;

	private readonly workers: Array<Promise<void>> = [];

	/** An internal error a worker met; it stops the run and is thrown. */
	private broken?: { error: unknown };

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly spec: BatchSending<T>,
		records: Array<PendingRecord<T>>,
		stopAtFirstFailure: boolean,
	) {
		this.batches = groupedBatches(records, spec);
		this.results = new Array(this.batches.length);
		this.finished = new Array(this.batches.length);
		this.limit = new ConcurrencyLimit(spec.concurrency ?? 1);
		this.parallel = this.batches.length > 1 && (typeof spec.concurrency === 'object' || this.limit.current > 1);
		this.earlierWithSameKeys = this.parallel && spec.orderByKey ? new EarlierBatchesWithSameKeys() : undefined;
		this.signal = {
			failureKnown: () => {
				if (stopAtFirstFailure) this.stopped = true;
			},
		};
	}

	/** One outcome per record, batch by batch in input order. */
	async run(): Promise<RecordOutcome[]> {
		if (this.parallel && this.spec.firstBatchAlone !== false) await this.sendNext();
		this.startWorkers();
		// Workers started later are appended while earlier ones are awaited.
		for (let index = 0; index < this.workers.length; index++) await this.workers[index];
		if (this.broken) throw this.broken.error;
		return this.batches.flatMap(
			(batch, batchIndex) =>
				this.results[batchIndex] ??
				notSent(batch),
		);
	}

	/** Starts workers up to the current limit while batches are left. */
	private startWorkers(): void {
		while (this.active < this.limit.current && this.next < this.batches.length && !this.stopped) {
			this.active++;
			this.workers.push(
				this.work().catch((error: unknown) => {
					this.broken ??= { error };
					this.stopped = true;
				}),
			);
		}
	}

	/** Batch after batch; leaves when the limit went down, and lets more join when it went up. */
	private async work(): Promise<void> {
		try {
			while (this.next < this.batches.length && !this.stopped && this.active <= this.limit.current) {
				await this.sendNext();
				this.startWorkers();
			}
		} finally {
			this.active--;
		}
	}

	private async sendNext(): Promise<void> {
		// Batches are taken in order, so every batch this one may wait for is already under way.
		const batchIndex = this.next++;
		const batch = this.batches[batchIndex];
		let markFinished = () => {};
		this.finished[batchIndex] = new Promise((resolve) => (markFinished = resolve));
		try {
			const mustFollow = this.earlierWithSameKeys?.take(batch, batchIndex) ?? [];
			if (mustFollow.length > 0) {
				await Promise.all(mustFollow.map((earlier) => this.finished[earlier]));
				if (this.stopped) return;
			}
			const started = this.limit.start();
			this.results[batchIndex] = await this.send(batch);
			this.limit.observe(started);
			if (this.results[batchIndex].some((outcome) => outcome.failure)) this.signal.failureKnown();
		} finally {
			markFinished();
		}
	}

	/** One batch's outcomes: a thrown error fails each record; an answer must cover exactly the batch. */
	private async send(batch: Array<PendingRecord<T>>): Promise<RecordOutcome[]> {
		let outcomes: RecordOutcome[];
		try {
			outcomes = await this.spec.send(batch, this.signal);
		} catch (error) {
			const failure = batchFailure(error);
			return batch.map((record) => failed(record.itemIndex, failure, record.key));
		}
		const expected = batch.map((record) => record.itemIndex).join(',');
		const got = outcomes.map((outcome) => outcome.itemIndex).join(',');
		if (expected !== got) {
			throw new NodeOperationError(this.ctx.getNode(), { expected, got } as unknown as JsonObject, {
				message: `Internal error: a batch answer does not match the ${this.spec.nouns?.record ?? 'record'}s sent`,
			});
		}
		return outcomes;
	}
}

/**
 * The latest earlier batches holding one of a batch's keys (empty keys name nothing). Batches are
 * taken in order, each once, so this learns their keys as they go: no pass over every record
 * delays the first request.
 */
class EarlierBatchesWithSameKeys {
	private readonly lastBatchOfKey = new Map<string, number>();

	take<T>(batch: Array<PendingRecord<T>>, batchIndex: number): number[] {
		// Most batches share no key with an earlier one: no set is made for them.
		let earlier: Set<number> | undefined;
		for (const { key } of batch) {
			if (!key) continue;
			const previous = this.lastBatchOfKey.get(key);
			if (previous === batchIndex) continue;
			if (previous !== undefined) (earlier ??= new Set()).add(previous);
			this.lastBatchOfKey.set(key, batchIndex);
		}
		return earlier ? [...earlier] : [];
	}
}

function groupedBatches<T>(records: Array<PendingRecord<T>>, spec: BatchSending<T>): Array<Array<PendingRecord<T>>> {
	if (!spec.groupOf) return toBatches(records, spec.batchSize);
	const groups = new Map<string, Array<PendingRecord<T>>>();
	for (const record of records) {
		const group = spec.groupOf(record);
		const members = groups.get(group);
		if (members) members.push(record);
		else groups.set(group, [record]);
	}
	return [...groups.values()].flatMap((members) => toBatches(members, spec.batchSize));
}

/** Records never sent because a failure came first (On Error = Stop Workflow). */
export function notSent<T>(records: Array<PendingRecord<T>>): RecordOutcome[] {
	return records.map((record) => failed(record.itemIndex, { message: 'Not sent, because an earlier batch failed', outcome: 'notSent' }, record.key));
}
