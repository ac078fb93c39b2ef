import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import { BatchRun } from './batchRun';
import type { Concurrency } from './concurrency';
import { RecordInputError } from './errors';
import type { RecordOutcome } from './results';
import type { Nouns } from './results';
import { DEFAULT_NOUNS, failed, readable, toOutputItems } from './results';
import { assertSendable } from './sendable';

/** How the records of a write are cut into batches and how many batches go at once. */
export interface Batching<T> {
	/** The service's largest batch for this operation. */
	batchSize: number;
	/** Batches in flight at once (fixed, or adapting to the service); 1 keeps input order on the service side too. */
	concurrency?: Concurrency;
	/**
	 * Whether the first batch goes alone before the others start, so that a token it has to fetch
	 * is fetched once, not by every batch in flight. Default true; off for credentials without one.
	 */
	firstBatchAlone?: boolean;
	/**
	 * Whether a record's `key` names the record it changes (e.g. its ID), so that with concurrency a
	 * batch waits for every earlier batch holding the same key: changes to one record still land in
	 * input order. Leave off when keys are descriptions shared by unrelated records ("new record").
	 */
	orderByKey?: boolean;
	/** Records that must share a request (e.g. the same set of columns) get the same group. */
	groupOf?(record: PendingRecord<T>): string;
}

/** One item's record, or a throw (ideally RecordInputError) when the item cannot be sent. */
export type Prepare<T> = (itemIndex: number) => PreparedRecord<T>;

export interface PreparedRecord<T> {
	key: string;
	payload: T;
	/** Input fields that were not sent because the target has no such field (auto-map). */
	ignored?: string[];
}

/** How prepared records are sent: the batching and the request of each batch. */
export interface BatchSending<T> extends Batching<T> {
	/** What the records go to, for messages, e.g. `table "products"`. */
	targetName?: string;
	/** The node's words for fields and records in messages; default field and record. */
	nouns?: Nouns;
	/**
	 * Sends one batch and returns one outcome per record of the batch. A thrown
	 * RequestFailedError (or any other error) fails every record of the batch. Call
	 * `signal.failureKnown()` as soon as the service refused something, before any further work on
	 * the batch (finding the culprit, resending the others): with On Error = Stop Workflow no new
	 * batch starts from then on.
	 */
	send(batch: PendingRecord<T>[], signal: BatchSignal): Promise<RecordOutcome[]>;
}

interface BulkWrite<T> extends BatchSending<T> {
	prepare: Prepare<T>;
}

/** What a batch tells the run while it is still being worked on. */
export interface BatchSignal {
	failureKnown(): void;
}

/**
 * The whole bulk write of a node run: every input item becomes a record, records are cut into
 * the service's batches and sent, and every item gets exactly one output item back.
 * Invalid input never reaches the service: with On Error = Stop Workflow the run stops before
 * anything is sent; with "Continue (using error output)", those items fail alone.
 */
export async function runBulkWrite<T>(
	ctx: IExecuteFunctions,
	spec: BulkWrite<T>,
): Promise<INodeExecutionData[]> {
	const itemCount = ctx.getInputData().length;
	const prepared = prepareItems(ctx, spec.prepare, spec.nouns);
	const outcomes = [...prepared.failures, ...(await sendPrepared(ctx, spec, prepared.pending))];
	reportIgnoredFields(ctx, spec.targetName, prepared.ignored, outcomes, spec.nouns);
	return toOutputItems(ctx, itemCount, outcomes, spec.nouns);
}

/** Every input item prepared: the records to send, the items that cannot be sent, and fields auto-map left out. */
interface PreparedItems<T> {
	pending: Array<PendingRecord<T>>;
	failures: RecordOutcome[];
	ignored: Map<number, string[]>;
}

/**
 * Prepares every input item before anything is sent. An item that cannot become a record stops the
 * run (On Error = Stop Workflow) or fails alone ("Continue (using error output)").
 */
export function prepareItems<T>(ctx: IExecuteFunctions, prepare: Prepare<T>, nouns: Nouns = DEFAULT_NOUNS): PreparedItems<T> {
	const itemCount = ctx.getInputData().length;
	const prepared: PreparedItems<T> = { pending: [], failures: [], ignored: new Map() };
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			const record = prepare(itemIndex);
			assertSendable(record.payload);
			if (record.ignored?.length) prepared.ignored.set(itemIndex, record.ignored);
			prepared.pending.push({ itemIndex, key: record.key, payload: record.payload });
		} catch (error) {
			prepared.failures.push(unsendable(ctx, error as Error, itemIndex, nouns));
		}
	}
	return prepared;
}

/**
 * An item that cannot become a record (`error`, ideally a RecordInputError naming the field): with
 * On Error = Stop Workflow the run stops before anything is sent; otherwise the item fails alone.
 */
export function unsendable(ctx: IExecuteFunctions, error: Error, itemIndex: number, nouns: Nouns = DEFAULT_NOUNS, key?: string, extra?: IDataObject): RecordOutcome {
	const field = error instanceof RecordInputError ? error.field : undefined;
	if (!ctx.continueOnFail()) {
		throw new NodeOperationError(ctx.getNode(), error, {
			itemIndex,
			message: readable(`Item ${itemIndex}${key && !error.message.includes(key) ? ` (${key})` : ''}${fieldNotNamedIn(field, error.message, nouns)}: ${error.message}`),
			description: `Nothing was sent. Fix the item, or set Settings > On Error to "Continue (using error output)" to send the others.`,
		});
	}
	return failed(itemIndex, { message: error.message, outcome: 'notSent', fields: field ? [field] : undefined, extra }, key);
}

/** Sends prepared records in batches; one outcome per record. With On Error = Stop Workflow, no batch starts after a failure. */
export async function sendPrepared<T>(
	ctx: IExecuteFunctions,
	spec: BatchSending<T>,
	pending: Array<PendingRecord<T>>,
): Promise<RecordOutcome[]> {
	return await new BatchRun(ctx, spec, pending, !ctx.continueOnFail()).run();
}

/**
 * Input fields that auto-map did not send, because the target has no such field (a typo, a
 * trailing space): named on each item's output and summed up in a hint on the node, so that a
 * run never "succeeds" while quietly writing less than the items held.
 */
export function reportIgnoredFields(
	ctx: IExecuteFunctions,
	targetName: string | undefined,
	ignored: Map<number, string[]>,
	outcomes: RecordOutcome[],
	{ field }: Nouns = DEFAULT_NOUNS,
): void {
	if (ignored.size === 0) return;
	for (const outcome of outcomes) {
		const names = ignored.get(outcome.itemIndex);
		if (!names) continue;
		if (outcome.json) outcome.json = { ...outcome.json, _ignoredFields: names };
		if (outcome.failure) outcome.failure = { ...outcome.failure, extra: { ...outcome.failure.extra, ignoredFields: names } };
	}
	const names = [...new Set([...ignored.values()].flat())];
	const shown = names.slice(0, 10).map((name) => JSON.stringify(name)).join(', ');
	ctx.addExecutionHints({
		message: readable(
			`Not written: ${names.length === 1 ? 'input field' : `${names.length} input fields`} ${shown}${names.length > 10 ? ', …' : ''} ${names.length === 1 ? `is not a ${field}` : `are not ${field}s`} of ${targetName ?? 'the target'} (in ${ignored.size.toLocaleString('en-US')} of ${ctx.getInputData().length.toLocaleString('en-US')} items). Check the spelling (spaces count), or map the ${field}s one by one. Each item lists them under "_ignoredFields".`,
		),
		location: 'outputPane',
	});
}

/** `, field "x"` (in the node's word) when the message does not name the field already. */
function fieldNotNamedIn(field: string | undefined, message: string, nouns: Nouns): string {
	// `"Quantity" (数量) needs …` names the field too.
	return field && !message.includes(`"${field}"`) && !message.includes(`(${field})`) ? `, ${nouns.field} "${field}"` : '';
}
