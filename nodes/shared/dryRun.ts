import type { IExecuteFunctions } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import type { WriteThrough } from './batchEndpoint';
import type { Nouns, RecordOutcome } from './results';
import { DEFAULT_NOUNS, succeeded } from './results';

/** Whether Options > Dry Run is on (read once, at item 0). */
export function isDryRun(ctx: IExecuteFunctions): boolean {
	return ctx.getNodeParameter('options.dryRun', 0, false) === true;
}

interface Planned {
	batch: number;
	record: unknown;
}

/**
 * A write that sends nothing: the batches are cut as the real run cuts them (same size, groups and
 * order), and each item comes out as `{dryRun, action, batch, request, record}`: what the real run
 * would do with it, in which request, and the record as that request would carry it (an item whose
 * record travels in an earlier item's request says `sentWithItem`). Items that cannot be sent fail
 * as they would in the real run. Reads the real run needs before writing (a schema) still happen.
 */
export class DryRun<T> {

	private readonly planned = new Map<number, Planned>();

	private request = '';

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly write: WriteThrough<T>,
		private readonly nouns: Nouns = DEFAULT_NOUNS,
		/** Requests numbered so far; shared by the writes of one run (Sync's creates, updates and deletes). */
		readonly requests: { count: number } = { count: 0 },
	) {}

	batch(records: Array<PendingRecord<T>>): RecordOutcome[] {
		const carrierOf = (record: PendingRecord<T>) => this.write.travelsWith?.(record.payload);
		const own = records.filter((record) => carrierOf(record) === undefined);
		// A batch of records that all travel with earlier ones sends no request of its own.
		const batch = own.length > 0 ? ++this.requests.count : this.requests.count;
		if (own.length > 0) {
			const { method, path } = this.write.endpoint.request(own.map((record) => record.payload));
			this.request = `${method} ${path}`;
		}
		const sent = this.write.sentRecord ?? ((payload: T) => payload);
		for (const record of own) this.planned.set(record.itemIndex, { batch, record: sent(record.payload) });
		return records.map((record) => {
			const carrier = carrierOf(record);
			const plan = this.planned.get(carrier ?? record.itemIndex) ?? { batch, record: sent(record.payload) };
			const json = { dryRun: true, action: this.write.action, batch: plan.batch, request: this.request, record: plan.record as never };
			return succeeded(record.itemIndex, carrier === undefined ? json : { ...json, sentWithItem: carrier }, record.key);
		});
	}

	/** The hint on the node: nothing written, and what the real run would do. */
	summarize(): void {
		const count = (n: number) => n.toLocaleString('en-US');
		const records = this.planned.size;
		const requests = this.requests.count === 1 ? '1 request' : `${count(this.requests.count)} requests`;
		const plan =
			records === 0
				? `No ${this.nouns.record} would be sent`
				: `${count(records)} ${this.nouns.record}${records === 1 ? '' : 's'} would be sent (${this.write.action}) in ${requests} to ${this.request}`;
		this.ctx.addExecutionHints({
			message: `Dry run: nothing was written. ${plan}; see each item's "batch". Turn Options > Dry Run off to write.`,
			location: 'outputPane',
		});
	}
}
