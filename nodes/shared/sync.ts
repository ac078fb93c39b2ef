import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import { toBatches } from './batching';
import type { WriteThrough } from './batchEndpoint';
import type { Prepare } from './bulkWrite';
import { prepareItems, reportIgnoredFields, unsendable } from './bulkWrite';
import type { ServiceClient } from './client';
import type { Mirror } from './mirror';
import { plannedRemovals, removedItems } from './mirror';
import type { Nouns, RecordOutcome } from './results';
import { DEFAULT_NOUNS, succeeded, toOutputItems } from './results';
import type { StepRecord } from './syncSteps';
import { summarizeSync, SyncSteps } from './syncSteps';

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

/**
 * Reading every record of the target, `pageSize` per request, for a service that reads few keys per
 * request: when the target holds not many more records than the items name, that takes fewer requests.
 */
interface WholeRead<C> {
	pageSize: number;
	count(): Promise<number>;
	records(): Promise<Array<[string, C]>>;
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
	/**
	 * Reads the current records of up to `size` keys in one request; records not found are left out.
	 * A key several records hold (a field the service does not keep unique) fails its item.
	 */
	read: { size: number; concurrency: number; records(keys: string[]): Promise<Array<[string, C]>>; whole?: WholeRead<C> };
	/** The mapped fields whose values differ, compared as the service stores them; empty when none. */
	changes(desired: T, current: C): FieldChange[];
	create: SyncStep<T, Create>;
	update: SyncStep<{ desired: T; current: C; changes: FieldChange[] }, Update>;
	/** The output of a record that needed no write. */
	unchanged(desired: T, current: C): IDataObject;
	/** How people recognise a stored record, e.g. `id 42`. */
	label(current: C): string;
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
	const current = byKey(scope);
	await readCurrent(sync, unique.filter((record) => !current.has(sync.matchKey(record.payload))), current);
	// Removals are decided, and checked against the safety limit, before anything is written.
	const removals = sync.mirror ? plannedRemovals(ctx, sync, scope, prepared.pending, prepared.failures.length, nouns) : [];
	const plan = unique.flatMap((record) => planned(ctx, sync, record, current.get(sync.matchKey(record.payload)), outcomes, nouns));

	// Every request is built before the first one goes: a record that cannot be written stops the run
	// (On Error = Stop Workflow) before anything is written.
	const updates = payloads(ctx, sync.update, plan.filter((entry) => entry.plan === 'update'), toUpdate, outcomes, nouns);
	const creates = payloads(ctx, sync.create, plan.filter((entry) => entry.plan === 'create'), toCreate, outcomes, nouns);
	const steps = new SyncSteps(ctx, client);
	outcomes.push(...unchangedOutcomes(sync, plan, steps.dryRun));
	outcomes.push(...(await steps.send(sync.update, updates, 'updated')));
	outcomes.push(...(await steps.send(sync.create, creates, 'created')));
	const removed = sync.mirror ? await steps.remove(sync.mirror, removals) : [];

	reportIgnoredFields(ctx, sync.targetName, prepared.ignored, outcomes, nouns);
	summarizeSync(ctx, outcomes, removed, steps.dryRun ? steps.requests.count : undefined, nouns);
	const output = toOutputItems(ctx, itemCount, outcomes, nouns);
	return sync.mirror ? [output, removedItems(ctx, removed, removals, nouns)] : [output];
}

const toCreate = <T, C>(entry: Planned<T, C>) => entry.record.payload;

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
			outcomes.push(unsendable(ctx, error as Error, itemIndex, nouns, key));
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
		outcomes.push(unsendable(ctx, new Error(message), record.itemIndex, nouns, record.key, { sameRecordAs: others }));
	}
	return unique;
}

/** Records by their match key; a key several records hold keeps them all. */
function byKey<C>(records: Array<[string, C]>, current = new Map<string, C[]>()): Map<string, C[]> {
	for (const [key, record] of records) {
		const holders = current.get(key);
		if (holders) holders.push(record);
		else current.set(key, [record]);
	}
	return current;
}

/** Reads the current records of the items' keys into `current`: `read.size` keys per request, a few requests at once. */
async function readCurrent<T, C>(
	sync: Pick<Sync<T, C, never, never>, 'read' | 'matchKey'>,
	records: Array<PendingRecord<T>>,
	current: Map<string, C[]>,
): Promise<void> {
	const keys = records.map((record) => sync.matchKey(record.payload));
	if (await wholeIsCheaper(sync.read, keys.length)) {
		byKey((await sync.read.whole!.records()).filter(([key]) => !current.has(key)), current);
		return;
	}
	const chunks = toBatches(keys, sync.read.size);
	let next = 0;
	const worker = async () => {
		while (next < chunks.length) byKey(await sync.read.records(chunks[next++]), current);
	};
	await Promise.all(Array.from({ length: Math.min(sync.read.concurrency, chunks.length) }, worker));
}

/**
 * Whether reading the whole target takes fewer requests than reading the keys (counting the request
 * that counts the records), while it holds at most four times as many records as keys, so that a
 * small Sync never reads a huge target.
 */
async function wholeIsCheaper<C>(read: Sync<never, C, never, never>['read'], keys: number): Promise<boolean> {
	if (!read.whole || keys === 0) return false;
	const byKey = Math.ceil(keys / read.size);
	if (byKey <= 1) return false;
	const total = await read.whole.count();
	return total <= 4 * keys && 1 + Math.ceil(total / read.whole.pageSize) < byKey;
}

/**
 * What one item's record needs: created, updated or nothing. Several records holding its key make
 * the record unknown: the item fails (or stops the run) before anything is written.
 */
function planned<T, C>(
	ctx: IExecuteFunctions,
	sync: Pick<Sync<T, C, never, never>, 'changes' | 'label' | 'targetName'>,
	record: PendingRecord<T>,
	holders: C[] | undefined,
	outcomes: RecordOutcome[],
	nouns: Nouns,
): Array<Planned<T, C>> {
	if (holders === undefined) return [{ record, plan: 'create' }];
	if (holders.length > 1) {
		const records = `${nouns.record[0].toUpperCase()}${nouns.record.slice(1)}s`;
		const message = `${records} ${holders.map((holder) => sync.label(holder)).join(' and ')} of ${sync.targetName} all hold ${record.key}, so Sync cannot tell which one this item describes; nothing was written for it. Make the key unique there (edit or delete the extra ${nouns.record}s), or match on another one`;
		outcomes.push(unsendable(ctx, new Error(message), record.itemIndex, nouns, record.key));
		return [];
	}
	const [current] = holders;
	const changes = sync.changes(record.payload, current);
	return [{ record, current, plan: changes.length > 0 ? 'update' : 'unchanged', changes }];
}

function unchangedOutcomes<T, C>(sync: Pick<Sync<T, C, never, never>, 'unchanged'>, plan: Array<Planned<T, C>>, dryRun: boolean): RecordOutcome[] {
	return plan
		.filter((entry) => entry.plan === 'unchanged')
		.map(({ record, current }) => {
			const json = sync.unchanged(record.payload, current!);
			return succeeded(record.itemIndex, dryRun ? { dryRun: true, action: 'none', ...json } : { sync: 'unchanged', ...json }, record.key);
		});
}
