import type { IDataObject } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { batchFailure } from '../../../shared/bulkWrite';
import type { RecordFailure, RecordOutcome } from '../../../shared/results';
import { failed } from '../../../shared/results';
import type { DataTableResponse } from '../../transport';
import { describeDataTableError } from '../../transport';

/** What one request did: an outcome per row, or a refusal of the request as a whole. */
export type Attempt = { outcomes: RecordOutcome[] } | { refused: RecordFailure };

/** The service refused the request because of its data: nothing was written. */
function isDataRefusal(response: DataTableResponse<unknown>): boolean {
	const code = response.body?.code;
	// 99991xxx are platform (token, scope, rate) codes: they concern the request, not its rows.
	const platformCode = typeof code === 'number' && code >= 99990000;
	return [400, 409, 422].includes(response.statusCode) && !platformCode;
}

/** The failure of the rows of a refused request, with what to do about it when known. */
export function refusalOf(response: DataTableResponse<unknown>): RecordFailure {
	const error = describeDataTableError(response);
	// A refusal of the rows' data is about their values, whatever the code's general advice says.
	const hint = isDataRefusal(response) ? DATA_HINT : error.hint;
	return {
		message: hint ? `${error.message}. ${hint}` : error.message,
		outcome: 'failed',
		code: error.code,
		serviceMessage: error.message,
		httpCode: error.httpCode,
	};
}

const DATA_HINT =
	"Check the row's values: each column needs a value of its type, and the table's unique and not-null rules must hold.";

/** What a refused request did: a refusal of its rows' data (worth splitting), or a failure of every row. */
export function refusedAttempt<T>(part: Array<PendingRecord<T>>, response: DataTableResponse<unknown>): Attempt {
	const refusal = refusalOf(response);
	if (isDataRefusal(response)) return { refused: refusal };
	return { outcomes: part.map((record) => failed(record.itemIndex, refusal, record.key)) };
}

/**
 * The columns a refusal of one row is about: those it names in quotes (`null value in column
 * "qty"`), and those whose value it quotes (`invalid input syntax for type integer: "1.5"`).
 */
function columnsNamedBy(message: string | undefined, row: IDataObject): string[] {
	const quoted = [...(message ?? '').matchAll(/"([^"]*)"/g)].map((match) => match[1]);
	return Object.keys(row).filter(
		(column) => quoted.includes(column) || quoted.some((text) => text !== '' && valueText(row[column]) === text),
	);
}

function valueText(value: unknown): string | undefined {
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

export interface Isolation<T> {
	/** The row a record sends, to name the columns a refusal is about. */
	rowOf(record: PendingRecord<T>): IDataObject;
	/** Called at the first refusal, before the rows at fault are looked for. */
	onRefused(): void;
}

// Enough extra requests to find a few bad rows among 500 (about 9 halvings each).
const MAX_EXTRA_REQUESTS = 40;

/**
 * Sends rows in one request. A request is all-or-nothing, so when the service refuses it for its
 * data (a duplicate key, a bad value), it is split in halves to find the rows at fault and write
 * the others: resending is safe because nothing of a refused request was written. Splitting stops
 * when both halves are refused for the same reason (a problem of the whole request, such as a
 * missing column) or the extra-request budget is spent.
 */
export async function sendIsolatingRefusedRows<T>(
	records: Array<PendingRecord<T>>,
	attempt: (records: Array<PendingRecord<T>>) => Promise<Attempt>,
	isolation: Isolation<T>,
): Promise<RecordOutcome[]> {
	let budget = MAX_EXTRA_REQUESTS;

	const settle = async (part: Array<PendingRecord<T>>): Promise<Attempt> => {
		try {
			return await attempt(part);
		} catch (error) {
			const failure = batchFailure(error);
			return { outcomes: part.map((record) => failed(record.itemIndex, failure, record.key)) };
		}
	};
	const refuseAll = (part: Array<PendingRecord<T>>, refusal: RecordFailure) =>
		part.map((record) => {
			if (part.length > 1) {
				const message = `Feishu refused a request with this row and ${part.length - 1} others, so none of them were written: ${refusal.message}`;
				return failed(record.itemIndex, { ...refusal, message }, record.key);
			}
			const fields = columnsNamedBy(refusal.serviceMessage, isolation.rowOf(record));
			const about = fields.length ? ` (${fields.map((field) => `"${field}"`).join(', ')})` : '';
			const message = `Feishu refused this row${about}: ${refusal.message}`;
			return failed(record.itemIndex, { ...refusal, message, fields }, record.key);
		});

	const resolve = async (part: Array<PendingRecord<T>>, result: Attempt): Promise<RecordOutcome[]> => {
		if ('outcomes' in result) return result.outcomes;
		isolation.onRefused();
		if (part.length === 1 || budget < 2) return refuseAll(part, result.refused);
		budget -= 2;
		const middle = Math.ceil(part.length / 2);
		const halves = [part.slice(0, middle), part.slice(middle)];
		const results = [await settle(halves[0]), await settle(halves[1])];
		const [first, second] = results;
		if ('refused' in first && 'refused' in second && first.refused.message === second.refused.message) {
			return refuseAll(part, result.refused);
		}
		return [...(await resolve(halves[0], first)), ...(await resolve(halves[1], second))];
	};

	return await resolve(records, await settle(records));
}
