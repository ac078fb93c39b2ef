import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import type { BatchSending, Batching, BatchSignal, Prepare } from './bulkWrite';
import { runBulkWrite } from './bulkWrite';
import { batchFailure } from './errors';
import type { ServiceClient, ServiceRequest } from './client';
import type { HttpResponse } from './request';
import type { RecordFailure, RecordOutcome } from './results';
import { failed } from './results';
import { DryRun, isDryRun } from './dryRun';
import type { ReadBack } from './readBack';
import { markAnswerLost, settleByReadBack } from './readBack';

/**
 * What an answer says about the records of its request: an outcome for each, or that the service
 * refused the request as a whole, so that nothing of it was applied. A refusal goes to the
 * endpoint's refusal handler, which may send parts of the request again to find the records at
 * fault; without one, every record fails with `refused`.
 */
export type Answer = { outcomes: RecordOutcome[] } | Refused;

export interface Refused {
	refused: RecordFailure;
	response: HttpResponse;
}

/** Sends some of the refused request's records again, as a request of their own. */
export type Resend<T> = (records: Array<PendingRecord<T>>) => Promise<Answer>;

/** Finds the records at fault in a refused request and returns one outcome per record. */
export type RefusalHandler<T> = (
	records: Array<PendingRecord<T>>,
	refusal: Refused,
	resend: Resend<T>,
) => Promise<RecordOutcome[]>;

/**
 * A service's batch endpoint for one write operation: how records are batched, the request that
 * carries a batch, and how its answer maps back to each record.
 */
export interface BatchEndpoint<T> extends Batching<T> {
	/** Whether sending the same request twice leaves the same result: then a lost answer is retried. */
	idempotent(records: T[]): boolean;
	request(records: T[]): ServiceRequest;
	answer(records: Array<PendingRecord<T>>, response: HttpResponse): Answer | Promise<Answer>;
	/** For refused requests; without it, every record of a refused request fails. */
	onRefused?: RefusalHandler<T>;
	/**
	 * For writes that are not idempotent: reads back by key the records whose outcome is unknown
	 * (a lost answer), to report them written, or send them again when they were not (readBack.ts).
	 */
	readBack?: ReadBack<T>;
}

/** What a write does to each record, as Dry Run says it. */
export type WriteAction = 'create' | 'update' | 'create or update' | 'delete';

/** How a write's records are sent through its endpoint; `BatchWrite` adds how items become records. */
export interface WriteThrough<T> {
	/** What the records go to, for messages, e.g. `table "products"`. */
	targetName: string;
	action: WriteAction;
	/** A record as it goes into its request, for Dry Run; by default the payload itself. */
	sentRecord?(payload: T): unknown;
	/** The item whose request carries this record instead of one of its own (same key), for Dry Run. */
	travelsWith?(payload: T): number | undefined;
	endpoint: BatchEndpoint<T>;
	/**
	 * Work around each batch's requests, e.g. a look-up before them, or records of the batch that
	 * travel in another record's request. `send` sends records through the endpoint.
	 */
	around?(
		batch: Array<PendingRecord<T>>,
		send: (records: Array<PendingRecord<T>>) => Promise<RecordOutcome[]>,
	): Promise<RecordOutcome[]>;
}

interface BatchWrite<T> extends WriteThrough<T> {
	prepare: Prepare<T>;
}

/**
 * A whole write through a batch endpoint: every item prepared, batched, sent, one output item each.
 * With Options > Dry Run, the same items are prepared and cut into the same batches, but nothing is
 * sent: each item says what the real run would do with it (see `dryRun.ts`).
 */
export async function writeBatches<T>(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	write: BatchWrite<T>,
): Promise<INodeExecutionData[]> {
	const preview = isDryRun(ctx) ? new DryRun(ctx, write, client.profile.nouns) : undefined;
	const output = await runBulkWrite<T>(ctx, { ...batchSending(client, write, preview), prepare: write.prepare });
	preview?.summarize();
	return output;
}

/**
 * How records go through a write's endpoint: its batching, and each batch sent (or, in a dry run,
 * previewed) with the endpoint's refusal handling.
 */
export function batchSending<T>(client: ServiceClient, write: WriteThrough<T>, preview?: DryRun<T>): BatchSending<T> {
	const { endpoint, around } = write;
	return {
		batchSize: endpoint.batchSize,
		// A dry run sends nothing, so nothing to overlap: its batches go one by one, in the order they
		// are cut, so that each is numbered as the real run cuts it (in parallel, a batch waiting for an
		// earlier one with the same key would let a later batch take its number).
		concurrency: preview ? 1 : endpoint.concurrency,
		firstBatchAlone: endpoint.firstBatchAlone,
		orderByKey: endpoint.orderByKey,
		groupOf: endpoint.groupOf,
		targetName: write.targetName,
		nouns: client.profile.nouns,
		send: async (batch, signal) => {
			if (preview) return preview.batch(batch);
			const send = async (records: Array<PendingRecord<T>>) => await sendRecords(client, endpoint, records, signal);
			return around ? await around(batch, send) : await send(batch);
		},
	};
}

/**
 * Sends records in one request; one outcome per record, a refused request handled by the endpoint,
 * and records whose outcome is unknown read back when the endpoint can.
 */
async function sendRecords<T>(
	client: ServiceClient,
	endpoint: BatchEndpoint<T>,
	records: Array<PendingRecord<T>>,
	signal: BatchSignal,
): Promise<RecordOutcome[]> {
	const outcomes = await sendOnce(client, endpoint, records, signal);
	if (!endpoint.readBack) return outcomes;
	return await settleByReadBack(endpoint.readBack, records, outcomes, async (again) => await sendOnce(client, endpoint, again, signal));
}

async function sendOnce<T>(
	client: ServiceClient,
	endpoint: BatchEndpoint<T>,
	records: Array<PendingRecord<T>>,
	signal: BatchSignal,
): Promise<RecordOutcome[]> {
	const answer = await attempt(client, endpoint, records);
	if ('outcomes' in answer) return answer.outcomes;
	signal.failureKnown();
	if (!endpoint.onRefused) return failEach(records, answer.refused);
	return await endpoint.onRefused(records, answer, async (part) => await attempt(client, endpoint, part));
}

/** One request of the records and what its answer says; a request that threw fails each record. */
async function attempt<T>(
	client: ServiceClient,
	endpoint: BatchEndpoint<T>,
	records: Array<PendingRecord<T>>,
): Promise<Answer> {
	try {
		const payloads = records.map((record) => record.payload);
		const response = await client.send(endpoint.request(payloads), endpoint.idempotent(payloads));
		const answer = await endpoint.answer(records, response);
		return response.afterLostAnswer ? markAnswerLost(answer) : answer;
	} catch (error) {
		return { outcomes: failEach(records, batchFailure(error)) };
	}
}

export function failEach<T>(records: Array<PendingRecord<T>>, failure: RecordFailure): RecordOutcome[] {
	return records.map((record) => failed(record.itemIndex, failure, record.key));
}
