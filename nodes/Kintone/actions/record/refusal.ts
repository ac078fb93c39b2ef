import type { PendingRecord } from '../../../shared/batching';
import type { RefusalHandler, Refused, Resend } from '../../../shared/batchEndpoint';
import type { ServiceClient } from '../../../shared/client';
import type { HttpResponse } from '../../../shared/request';
import type { RecordOutcome } from '../../../shared/results';
import { failed } from '../../../shared/results';
import type { KintoneTarget } from '../../transport';
import type { KintoneErrorBody } from '../../transport/errors';
import { HINTS, errorOf, kintoneError } from '../../transport/errors';
import type { Blame, Probe } from './blame';
import { blamedRecords } from './blame';
import type { RecordWrite } from './write';

type Batch = Array<PendingRecord<RecordWrite>>;

/**
 * A records.json request kintone refused: it applies a request all or nothing, so when it refused
 * the request because of some records, the others are sent again without them, once: only the
 * records at fault fail.
 */
export function requestRefusal(client: ServiceClient, target: KintoneTarget, probe?: Probe): RefusalHandler<RecordWrite> {
	const handle = async (
		batch: Batch,
		{ response }: Refused,
		resend: Resend<RecordWrite>,
		isResend: boolean,
	): Promise<RecordOutcome[]> => {
		const error = kintoneError(response.body);
		const culprits = error ? await blamedRecords(client, target, batch, error, { offset: 0, size: batch.length }, probe) : new Map();
		const others = batch.filter((_, position) => !culprits.has(position));
		const refusal: Refusal = { response, error, culprits, scope: 'request' };
		if (isResend || culprits.size === 0 || others.length === 0) return rejected(batch, refusal);

		// Nothing of the refused request was applied, so sending the others again cannot apply them twice.
		const again = await resend(others);
		const resent = 'outcomes' in again ? again.outcomes : await handle(others, again, resend, true);
		const culpritOutcomes = rejected(batch, { ...refusal, othersResent: true }).filter((_, position) =>
			culprits.has(position),
		);
		const byItem = new Map([...resent, ...culpritOutcomes].map((outcome) => [outcome.itemIndex, outcome]));
		return batch.map((record) => byItem.get(record.itemIndex)!);
	};
	return async (batch, refused, resend) => await handle(batch, refused, resend, false);
}

/**
 * A bulkRequest kintone refused: all of it is rolled back; the failing request's records (of
 * `perRequest` each) are blamed.
 */
export function atomicRefusal(client: ServiceClient, target: KintoneTarget, perRequest: number, probe?: Probe): RefusalHandler<RecordWrite> {
	return async (batch, { response }) => {
		// `results` holds the failing request's error and `{}` for the others.
		const results = (response.body as { results?: unknown[] } | undefined)?.results ?? [];
		const failing = results.findIndex((result) => kintoneError(result) !== undefined);
		const error = kintoneError(failing < 0 ? response.body : results[failing]);
		const span =
			failing < 0
				? { offset: 0, size: batch.length }
				: { offset: failing * perRequest, size: Math.min(perRequest, batch.length - failing * perRequest) };
		const culprits = error ? await blamedRecords(client, target, batch, error, span, probe) : new Map();
		return rejected(batch, { response, error, culprits, scope: 'atomic' });
	};
}

function nameOf(record: PendingRecord<RecordWrite>): string {
	return `item ${record.itemIndex}${record.key ? ` (${record.key})` : ''}`;
}

/** "text" as the end of a sentence, without doubling kintone's own full stop. */
function clause(text: string): string {
	return text.trim().replace(/[.。]+$/, '');
}

interface Refusal {
	response: HttpResponse;
	error: KintoneErrorBody | undefined;
	/** The records kintone blames, by position in the batch. */
	culprits: Blame;
	/** `atomic`: one bulk request of up to 2,000 records, applied all or nothing. */
	scope: 'request' | 'atomic';
	/** Set when the other records were sent again without the culprits. */
	othersResent?: boolean;
}

/**
 * Every record of a refused request fails: kintone applied none of it. The records kintone
 * blames say why; the others say which record held them back, so nothing is reported written
 * that was not and nothing is blamed on the wrong record.
 */
function rejected(batch: Batch, refusal: Refusal): RecordOutcome[] {
	const { response, error, culprits, scope } = refusal;
	// kintone's error for the records (in a bulk request, the failing request's), not the whole answer's.
	const answer = errorOf(response, error);
	const count = batch.length.toLocaleString('en-US');
	const unit =
		scope === 'atomic'
			? `the atomic batch of ${count} records (one bulk request, applied all or nothing as the "Atomic Batches" option asks)`
			: `the request of ${count} records`;
	const hint = answer.code && HINTS[answer.code] ? ` ${HINTS[answer.code]}` : '';
	const blamed = [...culprits.keys()].map((position) => nameOf(batch[position]));
	const blamedText =
		blamed.length > 3 ? `${blamed.slice(0, 3).join(', ')} and ${blamed.length - 3} more` : blamed.join(', ');
	const common = {
		outcome: 'failed' as const,
		code: answer.code,
		serviceMessage: answer.message,
		httpCode: String(response.statusCode),
	};
	const others = refusal.othersResent
		? ' The other records of its request were sent again without it.'
		: ` Nothing in ${unit} was saved.`;

	return batch.map((record, position) => {
		if (culprits.has(position)) {
			const problem = culprits.get(position);
			const why = problem ? problem.messages.join('; ') : answer.message;
			return failed(
				record.itemIndex,
				{
					...common,
					message: `kintone refused this record: ${clause(why)}.${hint}${others}`,
					fields: problem?.fields,
					extra: { errorId: error?.id, ...(problem ? { fieldErrors: problem.details } : {}) },
				},
				record.key,
			);
		}
		if (culprits.size > 0) {
			return failed(
				record.itemIndex,
				{
					...common,
					message: `Not saved: kintone applies ${unit} all or nothing, and it refused ${blamedText} (${clause(answer.message)}). This item was fine; run it again once that is fixed.`,
					collateral: true,
					extra: { rolledBack: true, causedBy: [...culprits.keys()].map((position) => batch[position].itemIndex) },
				},
				record.key,
			);
		}
		return failed(
			record.itemIndex,
			{
				...common,
				message: `kintone refused ${unit}, so none of them was saved: ${clause(answer.message)}.${hint}`,
				extra: { errorId: error?.id },
			},
			record.key,
		);
	});
}
