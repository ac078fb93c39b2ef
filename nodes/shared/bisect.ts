import type { IDataObject } from 'n8n-workflow';

import type { PendingRecord } from './batching';
import type { Answer, RefusalHandler } from './batchEndpoint';
import type { RecordFailure, RecordOutcome } from './results';
import { failed } from './results';

export interface Bisection<T> {
	/** How messages name the service and one record, e.g. "Feishu" and "row". */
	service: string;
	noun: string;
	/** The values a record sends, to name the fields a refusal of it is about. */
	valuesOf(record: PendingRecord<T>): IDataObject;
}

// Enough extra requests to find a few bad records among 500 (about 9 halvings each).
const MAX_EXTRA_REQUESTS = 40;

/**
 * For all-or-nothing requests: a request refused for its data (a duplicate key, a bad value) is
 * split in halves to find the records at fault and write the others. Resending is safe because
 * nothing of a refused request was written. Splitting stops when both halves are refused for the
 * same reason (a problem of the whole request, such as a missing field) or the extra-request
 * budget is spent.
 */
export function bisect<T>(settings: Bisection<T>): RefusalHandler<T> {
	return async (records, refusal, resend) => {
		let budget = MAX_EXTRA_REQUESTS;
		const refuseAll = (part: Array<PendingRecord<T>>, failure: RecordFailure) =>
			part.map((record) => refusedOne(settings, part, record, failure));

		const resolve = async (part: Array<PendingRecord<T>>, result: Answer): Promise<RecordOutcome[]> => {
			if ('outcomes' in result) return result.outcomes;
			if (part.length === 1 || budget < 2) return refuseAll(part, result.refused);
			budget -= 2;
			const middle = Math.ceil(part.length / 2);
			const halves = [part.slice(0, middle), part.slice(middle)];
			const [first, second] = [await resend(halves[0]), await resend(halves[1])];
			if ('refused' in first && 'refused' in second && first.refused.message === second.refused.message) {
				return refuseAll(part, result.refused);
			}
			return [...(await resolve(halves[0], first)), ...(await resolve(halves[1], second))];
		};

		return await resolve(records, refusal);
	};
}

function refusedOne<T>(
	settings: Bisection<T>,
	part: Array<PendingRecord<T>>,
	record: PendingRecord<T>,
	refusal: RecordFailure,
): RecordOutcome {
	const { service, noun } = settings;
	if (part.length > 1) {
		const message = `${service} refused a request with this ${noun} and ${part.length - 1} others, so none of them were written: ${refusal.message}`;
		return failed(record.itemIndex, { ...refusal, message }, record.key);
	}
	const fields = fieldsNamedBy(refusal.serviceMessage, settings.valuesOf(record));
	const about = fields.length ? ` (${fields.map((field) => `"${field}"`).join(', ')})` : '';
	const message = `${service} refused this ${noun}${about}: ${refusal.message}`;
	return failed(record.itemIndex, { ...refusal, message, fields }, record.key);
}

/**
 * The fields a refusal of one record is about: those it names in quotes (`null value in column
 * "qty"`), and those whose value it quotes (`invalid input syntax for type integer: "1.5"`).
 */
function fieldsNamedBy(message: string | undefined, values: IDataObject): string[] {
	const quoted = [...(message ?? '').matchAll(/"([^"]*)"/g)].map((match) => match[1]);
	return Object.keys(values).filter(
		(field) => quoted.includes(field) || quoted.some((text) => text !== '' && valueText(values[field]) === text),
	);
}

function valueText(value: unknown): string | undefined {
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}
