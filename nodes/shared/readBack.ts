import type { IDataObject } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import type { Answer } from './batchEndpoint';
import type { RecordFailure, RecordOutcome } from './results';
import { failed, readable, succeeded } from './results';

/**
 * What reading a record back by its key says about a write whose answer was lost:
 * - `applied`: a record with its key holds what was sent; the output of the record as written (with its id);
 * - `notApplied`: no record holds its key, so it was not written and may be sent again;
 * - `unknown`: the read cannot tell (the record found differs from what was sent, several hold
 *   its key), with the reason and, where there is one, what to do; `keyless` when the record has no
 *   key to read it by, so nothing was read (its output then does not say `resolvedBy`).
 */
export type ReadBackVerdict = { applied: IDataObject } | { notApplied: true } | { unknown: string; keyless?: true };

/**
 * How a node reads back the records of a write whose answer was lost, by a key the service keeps
 * unique (a second record with that key is refused): then a record not found may be sent again,
 * even while the lost request might still land, since only one of the two can be written.
 */
export interface ReadBack<T> {
	/** One verdict per record; a thrown error makes each record unknown, with the error's message. */
	read(records: Array<PendingRecord<T>>): Promise<Map<PendingRecord<T>, ReadBackVerdict>>;
}

/**
 * How often a record found not applied is sent again at most. Each resend follows a read that
 * showed the record absent, so none can write it twice: this only ends the run of a service that
 * keeps losing answers. A resend refused for its data is split (bisect.ts) into further requests,
 * each of which may lose its answer too, so it is well above the engine's count of resends of an
 * idempotent write (retry.ts). With 10, a hardening seed left records unknown on a busy machine:
 * batches in flight together took the requests that went through between faults.
 */
export const MAX_RESENDS = 20;

/** Output fields (a success item's json) and error details saying how an outcome was decided. */
const RESOLVED_BY = 'readBack';

/**
 * Decides the records of a batch whose outcome is unknown by reading them back (`readBack`): the
 * applied ones are reported written, the unknown ones stay unknown with the read's reason, and
 * the ones not applied are sent again (`send`, the endpoint's normal path, their own request).
 * The answer to that resend may be lost too: its records are read back again, and sent again only
 * when the read shows them absent, at most MAX_RESENDS times. A resend the service refused is read
 * back once more: the lost request may have landed in the meantime (the refusal then says the key
 * is taken), and then the record is written. Other outcomes pass unchanged.
 */
export async function settleByReadBack<T>(
	readBack: ReadBack<T>,
	records: Array<PendingRecord<T>>,
	outcomes: RecordOutcome[],
	send: (records: Array<PendingRecord<T>>) => Promise<RecordOutcome[]>,
): Promise<RecordOutcome[]> {
	const byItem = new Map(outcomes.map((outcome) => [outcome.itemIndex, outcome]));
	const recordOf = new Map(records.map((record) => [record.itemIndex, record]));
	let open = records.filter((record) => byItem.get(record.itemIndex)?.failure?.outcome === 'unknown');
	if (open.length === 0) return outcomes;
	let refused: Array<PendingRecord<T>> = [];
	let resends = 0;
	let failedReads = 0;
	while (open.length + refused.length > 0) {
		let verdicts: Map<PendingRecord<T>, ReadBackVerdict>;
		try {
			verdicts = await readBack.read([...open, ...refused]);
		} catch (error) {
			// The client already retried what may pass; the read is tried again as a whole (a token
			// renewed meanwhile), and given up at last: a refused resend may then have met the lost
			// request's record, so it is unknown too.
			if (++failedReads <= MAX_RESENDS) continue;
			const reason = `reading it back by its key failed (${(error as Error).message ?? String(error)})`;
			for (const record of [...open, ...refused]) byItem.set(record.itemIndex, stillUnknown(byItem.get(record.itemIndex)!, reason, resends));
			break;
		}
		for (const record of refused) {
			const verdict = verdicts.get(record);
			// Found as sent: the lost request landed and the resend was refused for its key.
			if (verdict && 'applied' in verdict) byItem.set(record.itemIndex, written(record, verdict.applied, resends));
		}
		const again: Array<PendingRecord<T>> = [];
		for (const record of open) {
			const verdict = verdicts.get(record) ?? { unknown: 'the read did not say' };
			const before = byItem.get(record.itemIndex)!;
			if ('applied' in verdict) byItem.set(record.itemIndex, written(record, verdict.applied, resends));
			else if ('unknown' in verdict) byItem.set(record.itemIndex, stillUnknown(before, verdict.unknown, resends, verdict.keyless));
			else if (resends < MAX_RESENDS) again.push(record);
			else byItem.set(record.itemIndex, stillUnknown(before, `it was sent ${resends + 1} times and every answer was lost`, resends));
		}
		if (again.length === 0) break;
		resends++;
		[open, refused, failedReads] = [[], [], 0];
		for (const outcome of await send(again)) {
			const record = recordOf.get(outcome.itemIndex)!;
			if (outcome.failure?.outcome === 'unknown') open.push(record);
			else if (outcome.failure) refused.push(record);
			byItem.set(outcome.itemIndex, resent(outcome, resends));
		}
	}
	return outcomes.map((outcome) => byItem.get(outcome.itemIndex)!);
}

/** Written, as read back (`resends` 0) or as the answer to a resend after a read found it absent. */
function written<T>(record: PendingRecord<T>, json: IDataObject, resends: number): RecordOutcome {
	return succeeded(record.itemIndex, { ...json, _resolvedBy: RESOLVED_BY, ...(resends > 0 ? { _resent: resends } : {}) }, record.key);
}

function resent(outcome: RecordOutcome, resends: number): RecordOutcome {
	if (outcome.json) return { ...outcome, json: { ...outcome.json, _resolvedBy: RESOLVED_BY, _resent: resends } };
	return { ...outcome, failure: { ...outcome.failure!, extra: { ...outcome.failure!.extra, resolvedBy: RESOLVED_BY, resent: resends } } };
}

function stillUnknown(before: RecordOutcome, reason: string, resends: number, keyless?: boolean): RecordOutcome {
	const failure: RecordFailure = before.failure!;
	return failed(
		before.itemIndex,
		{
			...failure,
			outcome: 'unknown',
			message: readable(`${failure.message}. ${keyless ? 'It could not be read back' : 'Read back by its key'}: ${reason}`),
			extra: keyless ? failure.extra : { ...failure.extra, resolvedBy: RESOLVED_BY, ...(resends > 0 ? { resent: resends } : {}) },
		},
		before.key,
	);
}

/**
 * An answer to a resend of an idempotent request whose earlier answer was lost: each record's
 * output says so (`_answerLost`, or `details.answerLost` on an error item), so that people know the
 * request went twice (the record ends the same either way).
 */
export function markAnswerLost(answer: Answer): Answer {
	if (!('outcomes' in answer)) return answer;
	return {
		outcomes: answer.outcomes.map((outcome) =>
			outcome.json
				? { ...outcome, json: { ...outcome.json, _answerLost: true } }
				: { ...outcome, failure: { ...outcome.failure!, extra: { ...outcome.failure!.extra, answerLost: true } } },
		),
	};
}
