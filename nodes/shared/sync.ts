import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import { toBatches } from './batching';
import type { WriteThrough } from './batchEndpoint';
import { batchSending } from './batchEndpoint';
import type { Prepare } from './bulkWrite';
import { prepareItems, reportIgnoredFields, sendPrepared } from './bulkWrite';
import type { ServiceClient } from './client';
import { DryRun, isDryRun } from './dryRun';
import type { Nouns, RecordOutcome } from './results';
import { RecordInputError } from './errors';
import { DEFAULT_NOUNS, errorItemJson, failed, readable, succeeded, toOutputItems } from './results';

/** One mapped field whose value differs: as the service holds it, and as the item sets it. */
export interface FieldChange {
	field: string;
	old: unknown;
	new: unknown;
}

/** How one kind of write of a Sync is sent, and the record it sends for what it is given. */
export interface SyncStep<S, W> {
	write: WriteThrough<W>;
	payload(source: S): W;
}

/** The limit on what a mirroring Sync may remove, checked before anything is written. */
export interface SafetyLimit {
	/** Largest share of the records in scope, in percent. */
	share: number;
	/** Largest number of records; undefined for no count limit. */
	count?: number;
}

/** The safety limit set under "Remove … Not in Input"; undefined when Sync does not remove. */
export function mirrorLimit(ctx: IExecuteFunctions): SafetyLimit | undefined {
	if (ctx.getNodeParameter('removeMissing', 0, false) !== true) return undefined;
	if (ctx.getNodeParameter('safetyLimit', 0, 'share') === 'count') {
		return { share: 100, count: ctx.getNodeParameter('maxRemoved', 0, 100) as number };
	}
	return { share: ctx.getNodeParameter('maxRemovedShare', 0, 10) as number };
}

/** Sync's "remove records not in the input": which records are in scope, and how one is removed. */
export interface Mirror<C, Remove> {
	/**
	 * Every record in scope, each with its match key, with the mapped fields as `read.records` reads
	 * them: the items' records found here are compared with these, and not read again.
	 */
	scope(): Promise<Array<[string, C]>>;
	limit: SafetyLimit;
	remove: SyncStep<C, Remove>;
	/** How people recognise a record, e.g. `id 42`. */
	label(current: C): string;
	/** A removed record's output item. */
	removed(current: C): IDataObject;
}

/**
 * What a node tells the Sync engine: how items become desired records, how the current records of
 * their keys are read, the type-aware comparison, and the writes that create, update and remove.
 */
export interface Sync<T, C, Create, Update, Remove = never> {
	targetName: string;
	/** The desired record of one item; its `key` is how people recognise it. */
	prepare: Prepare<T>;
	/** The key that finds the record: the same text for the desired record and the current one. */
	matchKey(desired: T): string;
	/** Reads the current records of up to `size` keys in one request; records not found are left out. */
	read: { size: number; concurrency: number; records(keys: string[]): Promise<Array<[string, C]>> };
	/** The mapped fields whose values differ, compared as the service stores them; empty when none. */
	changes(desired: T, current: C): FieldChange[];
	create: SyncStep<T, Create>;
	update: SyncStep<{ desired: T; current: C; changes: FieldChange[] }, Update>;
	/** The output of a record that needed no write. */
	unchanged(desired: T, current: C): IDataObject;
	mirror?: Mirror<C, Remove>;
}

type Plan = 'create' | 'update' | 'unchanged';

interface Planned<T, C> {
	record: PendingRecord<T>;
	plan: Plan;
	current?: C;
	changes?: FieldChange[];
}

/**
 * Sync: the input items are the desired state of the records they name. The current records of
 * their keys are read, compared field by field, and only what differs is written: the missing
 * created, the changed updated with their changed fields, nothing sent for the rest. With a mirror,
 * records in scope that no item names are removed, unless more would go than the safety limit
 * allows. Two outputs: one item per input item (`created`, `updated` with `changes`, `unchanged`,
 * or an error), and one per removed record.
 */
export async function runSync<T, C, Create, Update, Remove>(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	sync: Sync<T, C, Create, Update, Remove>,
): Promise<INodeExecutionData[][]> {
	const nouns = client.profile.nouns ?? DEFAULT_NOUNS;
	const itemCount = ctx.getInputData().length;
	const prepared = prepareItems(ctx, sync.prepare, nouns);
	const outcomes: RecordOutcome[] = [...prepared.failures];
	const unique = withoutDuplicateKeys(ctx, sync, prepared.pending, outcomes, nouns);

	// With a mirror, the scope is read whole first: most items name records in it, so only the others are read by key.
	const scope = sync.mirror ? await sync.mirror.scope() : [];
	const inScope = new Map(scope);
	const current = await readCurrent(sync, unique.filter((record) => !inScope.has(sync.matchKey(record.payload))), inScope);
	// Removals are decided, and checked against the safety limit, before anything is written.
	const removals = sync.mirror ? plannedRemovals(ctx, sync.mirror, scope, prepared.pending, prepared.failures.length, sync, nouns) : [];
	const plan = unique.map((record) => planned(sync, record, current.get(sync.matchKey(record.payload))));

	// Every request is built before the first one goes: a record that cannot be written stops the run
	// (On Error = Stop Workflow) before anything is written.
	const updates = payloads(ctx, sync.update, plan.filter((entry) => entry.plan === 'update'), toUpdate, outcomes, nouns);
	const creates = payloads(ctx, sync.create, plan.filter((entry) => entry.plan === 'create'), toCreate, outcomes, nouns);
	const requests = { count: 0 };
	const steps = new SyncSteps(ctx, client, requests);
	outcomes.push(...unchangedOutcomes(sync, plan, steps.dryRun));
	outcomes.push(...(await steps.send(sync.update, updates, 'updated')));
	outcomes.push(...(await steps.send(sync.create, creates, 'created')));
	const removed = sync.mirror ? await steps.remove(sync.mirror, removals, outcomes) : [];

	reportIgnoredFields(ctx, sync.targetName, prepared.ignored, outcomes, nouns);
	summarize(ctx, outcomes, removed, steps.dryRun ? requests.count : undefined, nouns);
	const output = toOutputItems(ctx, itemCount, outcomes, nouns);
	return sync.mirror ? [output, removedItems(ctx, removed, removals, nouns)] : [output];
}

const toCreate = <T, C>(entry: Planned<T, C>) => entry.record.payload;

/** A write's record of a planned item, with the changes it makes. */
interface StepRecord<W> extends PendingRecord<W> {
	changes?: FieldChange[];
}

/** The records of one kind of write; an item whose record cannot be built fails (or stops the run) here. */
function payloads<S, W, T, C>(
	ctx: IExecuteFunctions,
	step: SyncStep<S, W>,
	entries: Array<Planned<T, C>>,
	source: (entry: Planned<T, C>) => S,
	outcomes: RecordOutcome[],
	nouns: Nouns,
): Array<StepRecord<W>> {
	const records: Array<StepRecord<W>> = [];
	for (const entry of entries) {
		const { itemIndex, key } = entry.record;
		try {
			records.push({ itemIndex, key, payload: step.payload(source(entry)), changes: entry.changes });
		} catch (error) {
			const field = error instanceof RecordInputError ? error.field : undefined;
			if (!ctx.continueOnFail()) {
				throw new NodeOperationError(ctx.getNode(), error as Error, {
					itemIndex,
					message: readable(`Item ${itemIndex} (${key}): ${(error as Error).message}`),
					description: `Nothing was written. Fix the item, or set Settings > On Error to "Continue (using error output)" to sync the other ${nouns.record}s.`,
				});
			}
			outcomes.push(failed(itemIndex, { message: (error as Error).message, outcome: 'notSent', fields: field ? [field] : undefined }, key));
		}
	}
	return records;
}
const toUpdate = <T, C>(entry: Planned<T, C>) => ({ desired: entry.record.payload, current: entry.current!, changes: entry.changes! });

/**
 * Items naming the same record cannot both be its desired state: each fails, naming the others,
 * and nothing is written for that record. With On Error = Stop Workflow the run stops here.
 */
function withoutDuplicateKeys<T>(
	ctx: IExecuteFunctions,
	sync: { matchKey(desired: T): string },
	pending: Array<PendingRecord<T>>,
	outcomes: RecordOutcome[],
	nouns: Nouns,
): Array<PendingRecord<T>> {
	const itemsOfKey = new Map<string, number[]>();
	for (const record of pending) {
		const key = sync.matchKey(record.payload);
		const items = itemsOfKey.get(key);
		if (items) items.push(record.itemIndex);
		else itemsOfKey.set(key, [record.itemIndex]);
	}
	const unique: Array<PendingRecord<T>> = [];
	for (const record of pending) {
		const items = itemsOfKey.get(sync.matchKey(record.payload))!;
		if (items.length === 1) {
			unique.push(record);
			continue;
		}
		const others = items.filter((item) => item !== record.itemIndex);
		const message = `Items ${[record.itemIndex, ...others].join(', ')} name the same ${nouns.record} (${record.key}), so nothing was written for it: keep one item per ${nouns.record}, e.g. with a Remove Duplicates node before this one`;
		if (!ctx.continueOnFail()) {
			throw new NodeOperationError(ctx.getNode(), readable(`Item ${record.itemIndex}: ${message}`), {
				itemIndex: record.itemIndex,
				description: 'Nothing was written. Set Settings > On Error to "Continue (using error output)" to sync the other items.',
			});
		}
		outcomes.push(failed(record.itemIndex, { message, outcome: 'notSent', extra: { sameRecordAs: others } }, record.key));
	}
	return unique;
}

/** The current records of the items' keys, `read.size` keys per request, a few requests at once, added to `current`. */
async function readCurrent<T, C>(
	sync: Pick<Sync<T, C, never, never>, 'read' | 'matchKey'>,
	records: Array<PendingRecord<T>>,
	current: Map<string, C>,
): Promise<Map<string, C>> {
	const chunks = toBatches(records.map((record) => sync.matchKey(record.payload)), sync.read.size);
	let next = 0;
	const worker = async () => {
		while (next < chunks.length) {
			for (const [key, record] of await sync.read.records(chunks[next++])) current.set(key, record);
		}
	};
	await Promise.all(Array.from({ length: Math.min(sync.read.concurrency, chunks.length) }, worker));
	return current;
}

function planned<T, C>(sync: Pick<Sync<T, C, never, never>, 'changes'>, record: PendingRecord<T>, current: C | undefined): Planned<T, C> {
	if (current === undefined) return { record, plan: 'create' };
	const changes = sync.changes(record.payload, current);
	return { record, current, plan: changes.length > 0 ? 'update' : 'unchanged', changes };
}

/**
 * The records in scope that no item names. When some item could not be read, its record is not
 * known, so nothing is removed. More than the safety limit allows stops the run before any write.
 */
function plannedRemovals<T, C, Remove>(
	ctx: IExecuteFunctions,
	mirror: Mirror<C, Remove>,
	scope: Array<[string, C]>,
	records: Array<PendingRecord<T>>,
	itemsNotKnown: number,
	sync: { matchKey(desired: T): string; targetName: string },
	nouns: Nouns,
): Array<PendingRecord<C>> {
	if (itemsNotKnown > 0) {
		ctx.addExecutionHints({
			message: `No ${nouns.record} was removed: ${itemsNotKnown.toLocaleString('en-US')} items could not be synced (see the error output), so the ${nouns.record}s they name are not known. Fix them and run again to remove ${nouns.record}s that left the source.`,
			location: 'outputPane',
		});
		return [];
	}
	const named = new Set(records.map((record) => sync.matchKey(record.payload)));
	const gone = scope.filter(([key]) => !named.has(key));
	assertWithinLimit(ctx, mirror.limit, gone.length, scope.length, sync.targetName, nouns);
	return gone.map(([, current], index) => ({ itemIndex: index, key: mirror.label(current), payload: current }));
}

function assertWithinLimit(ctx: IExecuteFunctions, limit: SafetyLimit, gone: number, inScope: number, targetName: string, nouns: Nouns): void {
	const share = inScope === 0 ? 0 : (gone / inScope) * 100;
	const overShare = share > limit.share;
	const overCount = limit.count !== undefined && gone > limit.count;
	if (!overShare && !overCount) return;
	const count = (n: number) => n.toLocaleString('en-US');
	const allowed = overCount ? `Max ${nouns.record[0].toUpperCase()}${nouns.record.slice(1)}s Removed allows ${count(limit.count!)}` : `Max Share Removed allows ${limit.share}%`;
	throw new NodeOperationError(
		ctx.getNode(),
		`Sync stopped before writing anything: it would remove ${count(gone)} of the ${count(inScope)} ${nouns.record}s in scope of ${targetName} (${Math.round(share * 10) / 10}%), more than ${allowed}`,
		{
			description: `An empty or partial source removes the rest. Check that the input holds every ${nouns.record} of the scope, narrow the scope, or raise the safety limit under "Remove ${nouns.record[0].toUpperCase()}${nouns.record.slice(1)}s Not in Input". Turn on Options > Dry Run to see which would go.`,
		},
	);
}

/** The writes of one Sync run: each kind sent (or previewed) in turn; none after a failure with On Error = Stop Workflow. */
class SyncSteps {
	readonly dryRun: boolean;

	private failed = false;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly client: ServiceClient,
		private readonly requests: { count: number },
	) {
		this.dryRun = isDryRun(ctx);
	}

	async send<W>(step: SyncStep<never, W>, records: Array<StepRecord<W>>, done: 'created' | 'updated'): Promise<RecordOutcome[]> {
		const outcomes = await this.sendAll(step, records);
		const changesOf = new Map(records.map((record) => [record.itemIndex, record.changes]));
		return outcomes.map((outcome) => {
			if (!outcome.json) return outcome;
			const changes = changesOf.get(outcome.itemIndex);
			const json = this.dryRun ? outcome.json : { sync: done, ...outcome.json };
			return { ...outcome, json: changes ? { ...json, changes: changesByField(changes) } : json };
		});
	}

	async remove<C, W>(mirror: Mirror<C, W>, removals: Array<PendingRecord<C>>, items: RecordOutcome[]): Promise<RecordOutcome[]> {
		// Removing is left out once an item failed: its record may be one that should stay.
		if (!this.ctx.continueOnFail() && items.some((outcome) => outcome.failure)) return notSent(removals);
		const pending = removals.map((record) => ({ ...record, payload: mirror.remove.payload(record.payload) }));
		const outcomes = await this.sendAll(mirror.remove, pending);
		return outcomes.map((outcome) =>
			outcome.json && !this.dryRun ? { ...outcome, json: { sync: 'removed', ...mirror.removed(removals[outcome.itemIndex].payload) } } : outcome,
		);
	}

	private async sendAll<W>(step: SyncStep<never, W>, pending: Array<PendingRecord<W>>): Promise<RecordOutcome[]> {
		if (pending.length === 0) return [];
		if (this.failed) return notSent(pending);
		const preview = this.dryRun ? new DryRun(this.ctx, step.write, this.client.profile.nouns, this.requests) : undefined;
		const outcomes = await sendPrepared(this.ctx, batchSending(this.client, step.write, preview), pending);
		if (!this.ctx.continueOnFail() && outcomes.some((outcome) => outcome.failure)) this.failed = true;
		return outcomes;
	}
}

function notSent<T>(records: Array<PendingRecord<T>>): RecordOutcome[] {
	return records.map((record) => failed(record.itemIndex, { message: 'Not sent, because an earlier batch failed', outcome: 'notSent' }, record.key));
}

function unchangedOutcomes<T, C>(sync: Pick<Sync<T, C, never, never>, 'unchanged'>, plan: Array<Planned<T, C>>, dryRun: boolean): RecordOutcome[] {
	return plan
		.filter((entry) => entry.plan === 'unchanged')
		.map(({ record, current }) => {
			const json = sync.unchanged(record.payload, current!);
			return succeeded(record.itemIndex, dryRun ? { dryRun: true, action: 'none', ...json } : { sync: 'unchanged', ...json }, record.key);
		});
}

/** `{field: {old, new}}`, in the order of the fields. */
function changesByField(changes: FieldChange[]): IDataObject {
	const byField: IDataObject = {};
	for (const change of changes) byField[change.field] = { old: change.old, new: change.new } as IDataObject;
	return byField;
}

/** The hint on the node: how many were created, updated, left unchanged, removed (or would be, in a dry run). */
function summarize(ctx: IExecuteFunctions, items: RecordOutcome[], removed: RecordOutcome[], dryRunRequests: number | undefined, nouns: Nouns): void {
	const count = (n: number) => n.toLocaleString('en-US');
	const tally = (outcomes: RecordOutcome[], test: (json: IDataObject) => boolean) => outcomes.filter((outcome) => outcome.json && test(outcome.json)).length;
	const failures = items.filter((outcome) => outcome.failure).length + removed.filter((outcome) => outcome.failure).length;
	if (dryRunRequests === undefined) {
		const parts = [
			`${count(tally(items, (json) => json.sync === 'created'))} created`,
			`${count(tally(items, (json) => json.sync === 'updated'))} updated`,
			`${count(tally(items, (json) => json.sync === 'unchanged'))} unchanged`,
			`${count(tally(removed, () => true))} removed`,
		];
		if (failures > 0) parts.push(`${count(failures)} failed`);
		ctx.addExecutionHints({ message: `Sync: ${parts.join(', ')}.`, location: 'outputPane' });
		return;
	}
	const would = (action: string) => count(tally(items, (json) => json.action === action));
	const requests = dryRunRequests === 1 ? '1 request' : `${count(dryRunRequests)} requests`;
	const failing = failures > 0 ? ` ${count(failures)} ${nouns.record}s cannot be synced (see the error output).` : '';
	ctx.addExecutionHints({
		message: `Dry run: nothing was written. Sync would create ${would('create')}, update ${would('update')}, leave ${would('none')} unchanged and remove ${count(removed.filter((outcome) => outcome.json).length)}, in ${requests}; see each item's "action", "changes" and "batch".${failing} Turn Options > Dry Run off to write.`,
		location: 'outputPane',
	});
}

/** The "Removed" output: one item per removed record, or an error item for a removal that failed. */
function removedItems<C>(
	ctx: IExecuteFunctions,
	outcomes: RecordOutcome[],
	removals: Array<PendingRecord<C>>,
	nouns: Nouns,
): INodeExecutionData[] {
	const failure = outcomes.find((outcome) => outcome.failure && outcome.failure.outcome !== 'notSent');
	if (failure && !ctx.continueOnFail()) {
		const { message, code } = failure.failure!;
		throw new NodeApiError(ctx.getNode(), errorItemJson(failure) as JsonObject, {
			message: readable(`Could not remove ${nouns.record} ${failure.key ?? ''}${code ? ` [${code}]` : ''}: ${message}`),
			description: `${outcomes.filter((outcome) => outcome.json).length} of ${removals.length} ${nouns.record}s not in the input were removed.`,
		});
	}
	return outcomes.map((outcome) => ({ json: outcome.failure ? errorItemJson(outcome) : outcome.json! }));
}
