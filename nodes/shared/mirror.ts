import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import type { Nouns, RecordOutcome } from './results';
import { isDryRun } from './dryRun';
import { errorItemJson, readable } from './results';
import type { SyncStep } from './sync';

// Sync's "Remove … Not in Input" (mirror): the records of a scope no item names, the safety limit
// checked before anything is written, and the "Removed" output.

/** The limit on what a mirroring Sync may remove, checked before anything is written. */
interface SafetyLimit {
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
	/** A removed record's output item. */
	removed(current: C): IDataObject;
}

/**
 * The records in scope that no item names. When some item could not be read, its record is not
 * known, so nothing is removed. More than the safety limit allows stops the run before any write.
 */
export function plannedRemovals<T, C, Remove>(
	ctx: IExecuteFunctions,
	sync: { matchKey(desired: T): string; targetName: string; label(current: C): string; mirror?: Mirror<C, Remove> },
	scope: Array<[string, C]>,
	records: Array<PendingRecord<T>>,
	itemsNotKnown: number,
	nouns: Nouns,
): Array<PendingRecord<C>> {
	if (itemsNotKnown > 0) {
		ctx.addExecutionHints({
			message: `No ${nouns.record} was removed: ${itemsNotKnown.toLocaleString('en-US')} ${itemsNotKnown === 1 ? 'item' : 'items'} could not be synced (see the error output), so the ${nouns.record}s they name are not known. Fix them and run again to remove ${nouns.record}s that left the source.`,
			location: 'outputPane',
		});
		return [];
	}
	const named = new Set(records.map((record) => sync.matchKey(record.payload)));
	const gone = scope.filter(([key]) => !named.has(key));
	const over = overLimit(sync.mirror!.limit, gone.length, scope.length, sync.targetName, nouns);
	// A dry run shows which would go, and says that the real run would stop.
	if (over && isDryRun(ctx)) ctx.addExecutionHints({ message: `The real run would stop before writing anything: ${over.message}.`, type: 'warning', location: 'outputPane' });
	else if (over) throw new NodeOperationError(ctx.getNode(), `Sync stopped before writing anything: ${over.message}`, { description: over.description });
	return gone.map(([, current], index) => ({ itemIndex: index, key: sync.label(current), payload: current }));
}


/** What a run over the safety limit says: how many would go, of how many, and what to do; undefined within it. */
function overLimit(limit: SafetyLimit, gone: number, inScope: number, targetName: string, nouns: Nouns): { message: string; description: string } | undefined {
	const share = inScope === 0 ? 0 : (gone / inScope) * 100;
	const overShare = share > limit.share;
	const overCount = limit.count !== undefined && gone > limit.count;
	if (!overShare && !overCount) return undefined;
	const count = (n: number) => n.toLocaleString('en-US');
	const Records = `${nouns.record[0].toUpperCase()}${nouns.record.slice(1)}s`;
	const allowed = overCount ? `Max ${Records} Removed allows ${count(limit.count!)}` : `Max Share Removed allows ${limit.share}%`;
	return {
		message: `it would remove ${count(gone)} of the ${count(inScope)} ${nouns.record}s in scope of ${targetName} (${Math.round(share * 10) / 10}%), more than ${allowed}`,
		description: `An empty or partial source removes the rest. Check that the input holds every ${nouns.record} of the scope, narrow the scope, or raise the safety limit under "Remove ${Records} Not in Input". Turn on Options > Dry Run to see which would go.`,
	};
}

/** The "Removed" output: one item per removed record, or an error item for a removal that failed. */
export function removedItems<C>(
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
