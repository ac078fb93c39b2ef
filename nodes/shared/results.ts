import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/**
 * - `failed`: the service refused the record; it was not written.
 * - `unknown`: the request may or may not have been applied; check the record before resending.
 * - `notSent`: the record never left n8n (bad input, or an earlier batch failed).
 */
export type FailureOutcome = 'failed' | 'unknown' | 'notSent';

export interface RecordFailure {
	/** A full sentence for people: what failed and, where possible, what to do. */
	message: string;
	outcome: FailureOutcome;
	/** The service's own error code and message, when it gave them. */
	code?: string;
	serviceMessage?: string;
	httpCode?: string;
	/** Fields the failure is about. */
	fields?: string[];
	/** Anything else the service said about this record (sub codes, per-field messages). */
	extra?: IDataObject;
	/**
	 * The record failed only because another record of the same all-or-nothing request did; a
	 * thrown error then names that other record rather than this one.
	 */
	collateral?: boolean;
}

export interface RecordOutcome {
	itemIndex: number;
	/** How people recognise the record, e.g. `id 42`. */
	key?: string;
	/** The output for a written record; absent when `failure` is set. */
	json?: IDataObject;
	failure?: RecordFailure;
}

/** Half of a UTF-16 surrogate pair without its other half: broken text (e.g. an emoji cut in two). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const MAX_MESSAGE_LENGTH = 1_000;

/**
 * A message fit for people, whatever a service or a value put in it: broken halves of characters
 * shown as U+FFFD, and at most 1,000 characters (a service may quote a huge value back).
 */
export function readable(text: string): string {
	const whole = text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
	if (whole.length <= MAX_MESSAGE_LENGTH) return whole;
	const characters = [...whole];
	return characters.length > MAX_MESSAGE_LENGTH ? `${characters.slice(0, MAX_MESSAGE_LENGTH - 1).join('')}…` : whole;
}

export function succeeded(itemIndex: number, json: IDataObject, key?: string): RecordOutcome {
	return { itemIndex, key, json };
}

export function failed(itemIndex: number, failure: RecordFailure, key?: string): RecordOutcome {
	return { itemIndex, key, failure };
}

/**
 * The words a node's messages use for what it writes and its parts, singular and lower case, with
 * regular plurals (an `s`): `{ field: 'column', record: 'row' }` for a table of rows.
 */
export interface Nouns {
	field: string;
	record: string;
}

export const DEFAULT_NOUNS: Nouns = { field: 'field', record: 'record' };

/**
 * Turns per-record outcomes into exactly one output item per input item, in input order, each
 * paired with its input item. Failures become `{ error, message, details }` items (the shape n8n
 * routes to the error output) with On Error = "Continue (using error output)"; otherwise the first failure is
 * thrown as a NodeApiError naming the item, the record and the service's error.
 */
export function toOutputItems(
	ctx: IExecuteFunctions,
	itemCount: number,
	outcomes: readonly RecordOutcome[],
	nouns: Nouns = DEFAULT_NOUNS,
): INodeExecutionData[] {
	const byItem = new Array<RecordOutcome | undefined>(itemCount);
	for (const outcome of outcomes) {
		if (outcome.itemIndex < 0 || outcome.itemIndex >= itemCount || byItem[outcome.itemIndex]) {
			throw new NodeApiError(ctx.getNode(), { itemIndex: outcome.itemIndex } as JsonObject, {
				message: `Internal error: item ${outcome.itemIndex} has no single result`,
			});
		}
		byItem[outcome.itemIndex] = outcome;
	}

	const firstFailure =
		byItem.find((outcome) => outcome?.failure && !outcome.failure.collateral) ??
		byItem.find((outcome) => outcome?.failure);
	if (firstFailure && !ctx.continueOnFail()) throw toNodeError(ctx, firstFailure, byItem, nouns);

	return byItem.map((outcome, itemIndex) => {
		if (!outcome) {
			throw new NodeApiError(ctx.getNode(), { itemIndex } as JsonObject, {
				message: `Internal error: item ${itemIndex} got no result`,
			});
		}
		const pairedItem = { item: itemIndex };
		if (outcome.failure) return { json: errorItemJson(outcome), pairedItem };
		return { json: outcome.json ?? {}, pairedItem };
	});
}

export function errorItemJson({ itemIndex, key, failure }: RecordOutcome): IDataObject {
	const { message, outcome, code, serviceMessage, httpCode, fields, extra } = failure!;
	const details: IDataObject = { itemIndex, outcome };
	if (key !== undefined) details.record = key;
	if (code !== undefined) details.code = code;
	if (httpCode !== undefined) details.httpCode = httpCode;
	if (fields?.length) details.fields = fields;
	if (extra) Object.assign(details, extra);
	return { error: readable(message), message: readable(serviceMessage ?? message), details };
}

function toNodeError(
	ctx: IExecuteFunctions,
	first: RecordOutcome,
	byItem: ReadonlyArray<RecordOutcome | undefined>,
	nouns: Nouns,
): NodeApiError {
	const failure = first.failure!;
	const written = byItem.filter((outcome) => outcome && !outcome.failure).length;
	const count = (kind: FailureOutcome) => byItem.filter((outcome) => outcome?.failure?.outcome === kind).length;
	const unknown = count('unknown');
	const notSent = count('notSent');
	const record = first.key ? ` (${first.key})` : '';
	const code = failure.code ? ` [${failure.code}]` : '';
	const number = (count: number) => count.toLocaleString('en-US');
	const summary = [
		`${number(written)} of ${number(byItem.length)} ${nouns.record}s were written.`,
		notSent ? `${number(notSent)} were not sent.` : '',
		unknown ? `${number(unknown)} may or may not have been written: check them before running again.` : '',
		written ? `Written: ${itemRanges(byItem, (outcome) => !outcome?.failure)}.` : '',
		'Set Settings > On Error to "Continue (using error output)" to get one result per item instead.',
	]
		.filter(Boolean)
		.join(' ');
	return new NodeApiError(ctx.getNode(), errorItemJson(first) as JsonObject, {
		itemIndex: first.itemIndex,
		message: readable(`Item ${first.itemIndex}${record}${code}: ${failure.message}`),
		description: summary,
		httpCode: failure.httpCode,
	});
}

const MAX_RANGES = 20;

/** The items that pass `test`, as ranges: `items 0-599, 700-1,233`. */
function itemRanges(
	byItem: ReadonlyArray<RecordOutcome | undefined>,
	test: (outcome: RecordOutcome | undefined) => boolean,
): string {
	const ranges: string[] = [];
	const number = (index: number) => index.toLocaleString('en-US');
	for (let start = 0; start < byItem.length; start++) {
		if (!test(byItem[start])) continue;
		let end = start;
		while (end + 1 < byItem.length && test(byItem[end + 1])) end++;
		ranges.push(end === start ? number(start) : `${number(start)}-${number(end)}`);
		start = end;
	}
	const shown = ranges.length > MAX_RANGES ? [...ranges.slice(0, MAX_RANGES), '…'] : ranges;
	return `${ranges.length === 1 && !ranges[0].includes('-') ? 'item' : 'items'} ${shown.join(', ')}`;
}
