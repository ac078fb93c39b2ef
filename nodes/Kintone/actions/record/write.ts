import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { toBatches } from '../../../shared/batching';
import { runBulkWrite } from '../../../shared/bulkWrite';
import type { HttpResponse } from '../../../shared/request';
import type { RecordOutcome } from '../../../shared/results';
import { failed, succeeded } from '../../../shared/results';
import type { KintoneSession } from '../../transport';
import { apiPath, appIdOf, callKintone, openSession, requestKintone } from '../../transport';
import { DEFAULT_CONCURRENCY } from '../descriptions';
import type { KintoneErrorBody, RecordProblem } from '../../transport/errors';
import {
	describeAnswer,
	KINTONE_CODES,
	kintoneError,
	problemsByRecord,
	recordIdsInMessage,
} from '../../transport/errors';

/** kintone's limits: 100 records per records.json request, 20 requests per bulkRequest. */
const RECORDS_PER_REQUEST = 100;
const REQUESTS_PER_BULK = 20;

/** One record of a write, as it goes into the `records` (or `ids`) of a request. */
export interface RecordWrite {
	/** `{code: {value}}` for add, `{id | updateKey, revision?, record}` for update, `{id, revision?}` for delete. */
	entry: IDataObject;
	/** The record ID when the item names one, to recognise records kintone names by ID. */
	id?: string;
	/** The update key when the item names its record by a unique field instead of by ID. */
	updateKey?: { field: string; value: string };
	/** Set when the item asks kintone to check the record's revision. */
	revision?: string;
}

export interface WriteOperation {
	method: 'POST' | 'PUT' | 'DELETE';
	/** Whether a record's key names the record it changes (not so for adds), to keep changes to one record in order. */
	keysNameRecords: boolean;
	/** Whether replaying a request of these records, after an unknown outcome, gives the same result. */
	idempotent(records: RecordWrite[]): boolean;
	/** The payload of one records.json request (at most 100 records). */
	payload(app: string, records: RecordWrite[]): IDataObject;
	/** One output per record, from kintone's answer to that request. */
	results(answer: IDataObject, records: RecordWrite[]): IDataObject[];
}

export interface WriteSettings {
	app: string;
	session: KintoneSession;
	atomic: boolean;
	concurrency: number;
}

/** The resource-level parameters of a write, read once at item 0. */
export async function readWriteSettings(ctx: IExecuteFunctions): Promise<WriteSettings> {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const app = appIdOf(ctx, ctx.getNodeParameter('app', 0, '', { extractValue: true }));
	const session = await openSession(ctx, {
		guestSpaceId: options.guestSpaceId,
		timeout: options.timeout as number | undefined,
	});
	const concurrency = Number(options.concurrency ?? DEFAULT_CONCURRENCY);
	return {
		app,
		session,
		atomic: options.atomic === true,
		concurrency: Number.isInteger(concurrency) && concurrency >= 1 ? concurrency : DEFAULT_CONCURRENCY,
	};
}

/**
 * Writes every item's record: requests of 100 (or bulk requests of 20 × 100 when atomic), each
 * applied by kintone all or nothing, and one output item per input item saying what happened.
 */
export async function writeRecords(
	ctx: IExecuteFunctions,
	settings: WriteSettings,
	operation: WriteOperation,
	prepare: (itemIndex: number) => { key: string; payload: RecordWrite },
): Promise<INodeExecutionData[]> {
	return await runBulkWrite<RecordWrite>(ctx, {
		batchSize: settings.atomic ? RECORDS_PER_REQUEST * REQUESTS_PER_BULK : RECORDS_PER_REQUEST,
		concurrency: settings.concurrency,
		orderByKey: operation.keysNameRecords,
		// An API token or password: no token to fetch before the other batches may start.
		firstBatchAlone: false,
		prepare,
		send: async (batch) =>
			settings.atomic ? await sendBulk(settings, operation, batch) : await sendOne(settings, operation, batch),
	});
}

async function sendOne(
	settings: WriteSettings,
	operation: WriteOperation,
	batch: Array<PendingRecord<RecordWrite>>,
): Promise<RecordOutcome[]> {
	const { app, session } = settings;
	const records = batch.map((record) => record.payload);
	const response = await callKintone<IDataObject>(session, {
		method: operation.method,
		endpoint: 'records',
		body: operation.payload(app, records),
		idempotent: operation.idempotent(records),
	});
	if (!isSuccess(response)) {
		const error = kintoneError(response.body);
		return await rejected(settings, batch, response, error, { offset: 0, size: batch.length }, 'request');
	}
	return accepted(batch, operation.results(response.body, records));
}

/** Up to 2,000 records in one bulkRequest: kintone runs its 20 requests in order and rolls all back if one fails. */
async function sendBulk(
	settings: WriteSettings,
	operation: WriteOperation,
	batch: Array<PendingRecord<RecordWrite>>,
): Promise<RecordOutcome[]> {
	const { app, session } = settings;
	const chunks = toBatches(batch, RECORDS_PER_REQUEST).map((chunk) => chunk.map((record) => record.payload));
	const response = await callKintone<{ results?: IDataObject[] }>(session, {
		method: 'POST',
		endpoint: 'bulkRequest',
		body: {
			requests: chunks.map((records) => ({
				method: operation.method,
				api: apiPath(session, 'records'),
				payload: operation.payload(app, records),
			})),
		},
		idempotent: chunks.every((records) => operation.idempotent(records)),
	});
	if (!isSuccess(response)) {
		// `results` holds the failing request's error and `{}` for the others.
		const failing = (response.body?.results ?? []).findIndex((result) => kintoneError(result) !== undefined);
		if (failing < 0) {
			const error = kintoneError(response.body);
			return await rejected(settings, batch, response, error, { offset: 0, size: batch.length }, 'atomic');
		}
		const offset = failing * RECORDS_PER_REQUEST;
		return await rejected(
			settings,
			batch,
			response,
			kintoneError(response.body?.results?.[failing]),
			{ offset, size: chunks[failing].length },
			'atomic',
		);
	}
	const results = chunks.flatMap((records, index) =>
		operation.results((response.body.results?.[index] ?? {}) as IDataObject, records),
	);
	return accepted(batch, results);
}

function isSuccess(response: HttpResponse): boolean {
	return response.statusCode >= 200 && response.statusCode < 300;
}

function accepted(batch: Array<PendingRecord<RecordWrite>>, results: IDataObject[]): RecordOutcome[] {
	return batch.map((record, index) => succeeded(record.itemIndex, results[index] ?? {}, record.key));
}

function nameOf(record: PendingRecord<RecordWrite>): string {
	return `item ${record.itemIndex}${record.key ? ` (${record.key})` : ''}`;
}

/** "text" as the end of a sentence, without doubling kintone's own full stop. */
function clause(text: string): string {
	return text.trim().replace(/[.。]+$/, '');
}

/** The records of a refused request, as positions in the batch, with what kintone said about each. */
type Blame = Map<number, RecordProblem | undefined>;

/**
 * Every record of a refused request fails: kintone applied none of it. The records kintone
 * blames say why; the others say which record held them back, so nothing is reported written
 * that was not and nothing is blamed on the wrong record.
 */
async function rejected(
	settings: WriteSettings,
	batch: Array<PendingRecord<RecordWrite>>,
	response: HttpResponse,
	error: KintoneErrorBody | undefined,
	failing: { offset: number; size: number },
	scope: 'request' | 'atomic',
): Promise<RecordOutcome[]> {
	const answer = describeAnswer(response, error);
	const culprits = error ? await blamedRecords(settings, batch, error, failing) : (new Map() as Blame);
	const count = batch.length.toLocaleString('en-US');
	const unit =
		scope === 'atomic' ? `the atomic batch of ${count} records (one bulk request)` : `the request of ${count} records`;
	const hint = answer.hint ? ` ${answer.hint}` : '';
	const blamed = [...culprits.keys()].map((position) => nameOf(batch[position]));
	const blamedText =
		blamed.length > 3 ? `${blamed.slice(0, 3).join(', ')} and ${blamed.length - 3} more` : blamed.join(', ');
	const common = {
		outcome: 'failed' as const,
		code: answer.code,
		serviceMessage: answer.message,
		httpCode: String(response.statusCode),
	};

	return batch.map((record, position) => {
		if (culprits.has(position)) {
			const problem = culprits.get(position);
			const why = problem ? problem.messages.join('; ') : answer.message;
			return failed(
				record.itemIndex,
				{
					...common,
					message: `kintone refused this record: ${clause(why)}.${hint} Nothing in ${unit} was saved.`,
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

/**
 * The records kintone blames: from the `records[N]` keys of `errors`, else the record IDs its message
 * names, else (revision conflict, record not found: kintone names no record) by reading the
 * records the request was about.
 */
async function blamedRecords(
	settings: WriteSettings,
	batch: Array<PendingRecord<RecordWrite>>,
	error: KintoneErrorBody,
	failing: { offset: number; size: number },
): Promise<Blame> {
	const blamed: Blame = new Map();
	const positions = Array.from({ length: failing.size }, (_, index) => failing.offset + index);
	for (const [index, problem] of problemsByRecord(error)) {
		if (index < failing.size) blamed.set(failing.offset + index, problem);
	}
	if (blamed.size > 0) return new Map([...blamed].sort(([a], [b]) => a - b));
	const ids = recordIdsInMessage(error.message);
	for (const position of positions) {
		if (ids.includes(batch[position].payload.id ?? '')) blamed.set(position, undefined);
	}
	if (blamed.size > 0 || !PROBED_CODES.has(error.code)) return blamed;
	for (const position of await probeRecords(settings, positions.map((position) => batch[position].payload), error.code)) {
		blamed.set(failing.offset + position, undefined);
	}
	return blamed;
}

const PROBED_CODES = new Set<string>([
	KINTONE_CODES.revisionConflict,
	KINTONE_CODES.recordNotFound,
	KINTONE_CODES.keyNotFound,
]);

interface CurrentRecord {
	$id?: { value?: string };
	$revision?: { value?: string };
	[code: string]: { value?: unknown } | undefined;
}

/**
 * Reads the records a refused request was about and returns the positions of those that explain the
 * refusal: a revision that is no longer current (GAIA_CO02), or no such record (GAIA_RE01 / RE20).
 */
async function probeRecords(settings: WriteSettings, records: RecordWrite[], code: string): Promise<number[]> {
	const keyField = records.find((record) => record.updateKey)?.updateKey?.field;
	const ids = records.map((record) => record.id).filter((id): id is string => id !== undefined);
	const keys = records.map((record) => record.updateKey?.value).filter((key): key is string => key !== undefined);
	const conditions = [
		ids.length ? `$id in (${ids.join(', ')})` : '',
		keyField && keys.length ? `${keyField} in (${keys.map(queryString).join(', ')})` : '',
	].filter(Boolean);
	if (conditions.length === 0) return [];

	const qs: IDataObject = {
		app: settings.app,
		query: `${conditions.join(' or ')} limit 500`,
		fields: ['$id', '$revision', ...(keyField ? [keyField] : [])],
	};
	let current: CurrentRecord[];
	try {
		const body = await requestKintone<{ records?: CurrentRecord[] }>(
			settings.session,
			{ method: 'GET', endpoint: 'records', qs, idempotent: true },
			'Could not check which record kintone refused',
		);
		current = body.records ?? [];
	} catch (error) {
		// Without it the failure is still reported, only without naming the record.
		settings.session.ctx.logger.warn(`kintone: ${(error as Error).message}`);
		return [];
	}
	const byId = new Map(current.map((record) => [String(record.$id?.value), record]));
	const byKey = new Map(current.map((record) => [keyText(keyField ? record[keyField]?.value : undefined), record]));

	return records.flatMap((record, position) => {
		const found = record.id !== undefined ? byId.get(record.id) : byKey.get(keyText(record.updateKey?.value));
		if (code === KINTONE_CODES.revisionConflict) {
			return found && record.revision !== undefined && found.$revision?.value !== record.revision ? [position] : [];
		}
		return found ? [] : [position];
	});
}

/** A value in a kintone query: double quotes, with `"` and `\` escaped. */
function queryString(value: string): string {
	return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Keys compare as numbers when both look like numbers (kintone normalises NUMBER values). */
function keyText(value: unknown): string {
	const text = String(value ?? '').trim();
	return text !== '' && Number.isFinite(Number(text)) ? String(Number(text)) : text;
}
