import type { IDataObject } from 'n8n-workflow';

import type { FeishuEnvelope } from '../../feishu/api';
import { describeFeishuError } from '../../feishu/api';
import type { PendingRecord } from '../../shared/batching';
import type { HttpResponse } from '../../shared/request';
import type { RecordFailure, RecordOutcome } from '../../shared/results';
import { failed, succeeded } from '../../shared/results';
import { isSuccess } from './index';

/** One entry of `data.items` in a batch_create / batch_update / batch_delete answer. */
export interface RecordResult {
	success?: boolean;
	id?: string;
	errors?: Array<{ code?: string; message?: string; sub_code?: string; fields?: string[] }>;
}

export type BatchAnswer = HttpResponse<FeishuEnvelope<{ items?: RecordResult[] }> | undefined>;

const ADVICE: Record<string, string> = {
	'2320001': 'Check the namespace, the object API name and the field values.',
	'99991672': 'The app lacks an API scope: grant app_engine:object.record:read / :write in the developer console and publish a new version.',
	'99991663': 'Feishu refused the tenant access token even after a new one was fetched: check the App ID and App Secret.',
	'99991401': "The request comes from an IP address outside the app's allow list.",
	'99991403': "The app's monthly API quota is used up.",
};

/** Why the service refused a whole request, with what to do about it where that is known. */
export function requestFailure(response: HttpResponse): RecordFailure {
	const { code, message } = describeFeishuError(response);
	const advice = code ? ADVICE[code] : undefined;
	return {
		message: `Feishu refused the request${code ? ` (code ${code})` : ''}: ${message}${advice ? `. ${advice}` : ''}`,
		outcome: 'failed',
		code,
		serviceMessage: message,
		httpCode: String(response.statusCode),
	};
}

/**
 * Maps a batch answer back onto the records sent, one outcome each. Results come in request order;
 * where the service names the record (`id`), a result for another record is never taken for it.
 * A record the answer says nothing about may or may not have been written.
 */
export function batchOutcomes<T>(
	batch: Array<PendingRecord<T>>,
	response: BatchAnswer,
	options: {
		/** The record id a result must carry, when the request names records (update, delete). */
		idOf?: (record: PendingRecord<T>) => string;
		/**
		 * Whether a record refused by a resend may have been applied by the attempt before it, whose
		 * answer was lost (delete: a resend finds the record gone).
		 */
		refusalMayFollowLostAnswer?: boolean;
		onSuccess: (record: PendingRecord<T>, result: RecordResult) => IDataObject;
	},
): RecordOutcome[] {
	const refused = (record: PendingRecord<T>, failure: RecordFailure): RecordOutcome =>
		failed(
			record.itemIndex,
			response.afterLostAnswer && options.refusalMayFollowLostAnswer
				? {
						...failure,
						outcome: 'unknown',
						message: `${failure.message}; but this was a resend, and the attempt before it (whose answer was lost) may already have applied this record: check it before running again`,
					}
				: failure,
			record.key,
		);
	if (!isSuccess(response)) {
		const failure = requestFailure(response);
		return batch.map((record) => refused(record, failure));
	}
	const results = response.body?.data?.items ?? [];
	const byId = new Map(results.filter((result) => result.id !== undefined).map((result) => [String(result.id), result]));

	return batch.map((record, index) => {
		let result: RecordResult | undefined = results[index];
		const expectedId = options.idOf?.(record);
		if (expectedId !== undefined && result?.id !== undefined && String(result.id) !== expectedId) {
			result = byId.get(expectedId);
		}
		if (!result) {
			return failed(
				record.itemIndex,
				{
					message: 'Feishu accepted the request but reported nothing about this record: check it before running again',
					outcome: 'unknown',
				},
				record.key,
			);
		}
		if (result.success === true) return succeeded(record.itemIndex, options.onSuccess(record, result), record.key);
		return refused(record, recordFailure(result));
	});
}

function recordFailure(result: RecordResult): RecordFailure {
	const errors = (result.errors ?? []).filter((error) => error.code !== '0');
	const first = errors[0];
	const fields = [...new Set(errors.flatMap((error) => error.fields ?? []))];
	const detail = errors.map((error) => error.message).filter(Boolean).join('; ') || 'no reason given';
	const subCodes = errors.map((error) => error.sub_code).filter((subCode): subCode is string => !!subCode);
	return {
		message: `Feishu refused the record: ${detail}${fields.length ? ` (fields: ${fields.join(', ')})` : ''}`,
		outcome: 'failed',
		code: first?.code,
		serviceMessage: first?.message,
		fields,
		extra: subCodes.length ? { subCode: subCodes[0], errors: errors as IDataObject[] } : { errors: errors as IDataObject[] },
	};
}
