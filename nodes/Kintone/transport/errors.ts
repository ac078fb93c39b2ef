import type { IDataObject } from 'n8n-workflow';

import type { HttpResponse } from '../../shared/request';

/** kintone's error answer: `{code, id, message, errors?}`, `errors` keyed by the path of the bad input. */
export interface KintoneErrorBody {
	code: string;
	/** kintone's id of this error occurrence, for its support. */
	id?: string;
	message?: string;
	errors?: Record<string, { messages?: string[] }>;
}

/** Codes the node acts on or explains. */
export const KINTONE_CODES = {
	tooManyRequests: 'GAIA_TO04',
	revisionConflict: 'GAIA_CO02',
	recordNotFound: 'GAIA_RE01',
	keyNotFound: 'GAIA_RE20',
} as const;

export function kintoneError(body: unknown): KintoneErrorBody | undefined {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const { code } = body as { code?: unknown };
	return typeof code === 'string' && code !== '' ? (body as KintoneErrorBody) : undefined;
}

// What to do about the errors people meet most; kintone's own message says what happened.
export const HINTS: Record<string, string> = {
	CB_AU01: 'kintone did not accept the credential: check the API token or login name and password.',
	CB_WA01: 'kintone did not accept the login name and password in the credential.',
	GAIA_IA02:
		'Check the API token in the credential: it must be generated in the app (kintone app settings > API Token) and have the permissions the operations need. For several apps, enter one token per app, comma-separated (up to 9).',
	CB_NO02: 'The credential lacks a permission for this: give the API token (or user) the permission to view, add, edit or delete records as needed.',
	GAIA_AP01: 'The app ID does not exist, or the app is in a guest space (set Options > Guest Space ID).',
	GAIA_IL23: 'This app is in a guest space: set Options > Guest Space ID to the space\'s ID.',
	GAIA_CO02: 'The record was changed since its revision was read. Read it again (e.g. with Get Many) and retry.',
	GAIA_RE01: 'Check the record ID: the record does not exist in this app.',
	GAIA_RE20: 'Check the update key: no record of this app has that value.',
	GAIA_IQ27: 'Match on a Text or Number field that has "Prohibit duplicate values" turned on, or on the record ID.',
	GAIA_TO04: 'kintone allows 100 concurrent requests per domain; lower Options > Concurrency.',
	GAIA_QU01: 'kintone returns at most 500 records per page.',
	GAIA_QU02: 'kintone cannot skip more than 10,000 records; use Return All, which reads through a cursor.',
	GAIA_TM12: 'kintone allows 10 open cursors per domain; wait for other reads to finish (cursors expire after 10 minutes).',
	GAIA_IL03: "The record's current status does not offer this action (or someone changed its status or the process settings). Check the record's status, e.g. with Get Many, and choose an action that starts from it.",
	GAIA_ST02: "Process management is off in this app: turn it on in the app's settings (Process Management) to run actions.",
	GAIA_SA01: 'The next status needs an assignee: set Assignee to the login name of one of the users the process allows.',
};

/**
 * kintone's code and message in any answer, kintone's or not; never includes request headers.
 * `error` is kintone's error for the answer (in a bulk request, the failing request's).
 */
export function errorOf(response: HttpResponse, error = kintoneError(response.body)): { code?: string; message: string } {
	if (!error) {
		const text = typeof response.body === 'string' ? response.body.trim().slice(0, 200) : '';
		return { message: `kintone answered HTTP ${response.statusCode}${text ? `: ${text}` : ''}` };
	}
	return { code: error.code, message: error.message || `kintone answered HTTP ${response.statusCode}` };
}

/** What kintone said about one record of a request, found from the `records[N]...` keys of `errors`. */
export interface RecordProblem {
	/** Field codes the messages are about. */
	fields: string[];
	/** `field: message` texts, in kintone's order. */
	messages: string[];
	details: IDataObject;
}

// `records[3].title.value`, `records[3].record.title.value`, `records[3].updateKey.value`, `ids[3]`
const RECORD_KEY = /^(?:records|ids|revisions)\[(\d+)\](?:\.(.*))?$/;
// A name in brackets, as some kintone systems write it: `records[3][数量].value` (not `[0]`, a position).
const BRACKETED_NAME = /\[(?!\d+\])([^\][]+)\]/g;
const NOT_FIELDS = new Set(['id', 'revision', 'updateKey', 'value', 'values', 'record']);

/** The records of the request that kintone named in `errors`, by their position in the request. */
export function problemsByRecord(error: KintoneErrorBody): Map<number, RecordProblem> {
	const problems = new Map<number, RecordProblem>();
	for (const [key, entry] of Object.entries(error.errors ?? {})) {
		const match = RECORD_KEY.exec(key.replace(BRACKETED_NAME, '.$1'));
		if (!match) continue;
		const index = Number(match[1]);
		const rest = (match[2] ?? '').replace(/^record\./, '');
		const head = rest.split('.')[0];
		const field = head && !NOT_FIELDS.has(head) ? head : undefined;
		const texts = entry?.messages?.length ? entry.messages : ['invalid'];
		const problem = problems.get(index) ?? { fields: [], messages: [], details: {} };
		if (field && !problem.fields.includes(field)) problem.fields.push(field);
		const subject = field ?? (head || key);
		problem.messages.push(`${subject}: ${texts.join(' ')}`);
		problem.details[rest || key] = texts;
		problems.set(index, problem);
	}
	return problems;
}

/** Record IDs kintone names in its message, e.g. "The specified record (ID: 99) is not found." */
export function recordIdsInMessage(message: string | undefined): string[] {
	if (!message) return [];
	return [...message.matchAll(/\bid\s*[:：=]\s*(\d+)/gi)].map((match) => match[1]);
}
