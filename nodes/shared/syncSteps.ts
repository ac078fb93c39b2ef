import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import { batchSending } from './batchEndpoint';
import { notSent } from './batchRun';
import { sendPrepared } from './bulkWrite';
import type { ServiceClient } from './client';
import { DryRun, isDryRun } from './dryRun';
import type { Mirror } from './mirror';
import type { Nouns, RecordOutcome } from './results';
import type { FieldChange, SyncStep } from './sync';

// The writes of a Sync run and the hint that sums it up.

/** A write's record of a planned item, with the changes it makes. */
export interface StepRecord<W> extends PendingRecord<W> {
	changes?: FieldChange[];
}

/** The writes of one Sync run: each kind sent (or previewed) in turn; none after a failure with On Error = Stop Workflow. */
export class SyncSteps {
	readonly dryRun: boolean;

	/** Requests a dry run numbered so far, over all kinds of write. */
	readonly requests = { count: 0 };

	private failed = false;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly client: ServiceClient,
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

	/** Removes last; with On Error = Stop Workflow not after a failed write, whose record may be one that should stay. */
	async remove<C, W>(mirror: Mirror<C, W>, removals: Array<PendingRecord<C>>): Promise<RecordOutcome[]> {
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


/** `{field: {old, new}}`, in the order of the fields. */
function changesByField(changes: FieldChange[]): IDataObject {
	const byField: IDataObject = {};
	for (const change of changes) byField[change.field] = { old: change.old, new: change.new } as IDataObject;
	return byField;
}

/** The hint on the node: how many were created, updated, left unchanged, removed (or would be, in a dry run). */
export function summarizeSync(ctx: IExecuteFunctions, items: RecordOutcome[], removed: RecordOutcome[], dryRunRequests: number | undefined, nouns: Nouns): void {
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
