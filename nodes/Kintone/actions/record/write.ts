import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { toBatches } from '../../../shared/batching';
import type { BatchSignal } from '../../../shared/bulkWrite';
import { batchFailure, runBulkWrite } from '../../../shared/bulkWrite';
import type { HttpResponse } from '../../../shared/request';
import type { RecordOutcome } from '../../../shared/results';
import { failed, succeeded } from '../../../shared/results';
import type { KintoneSession } from '../../transport';
import { apiPath, appIdOf, callKintone, openSession } from '../../transport';
import { DEFAULT_CONCURRENCY } from '../descriptions';
import type { KintoneErrorBody } from '../../transport/errors';
import { describeAnswer, kintoneError } from '../../transport/errors';
import type { Blame } from './blame';
import { blamedRecords } from './blame';

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
		rateLimitWait: options.rateLimitWait,
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
	prepare: (itemIndex: number) => { key: string; payload: RecordWrite; ignored?: string[] },
): Promise<INodeExecutionData[]> {
	return await runBulkWrite<RecordWrite>(ctx, {
		targetName: `app ${settings.app}`,
		batchSize: settings.atomic ? RECORDS_PER_REQUEST * REQUESTS_PER_BULK : RECORDS_PER_REQUEST,
		concurrency: settings.concurrency,
		orderByKey: operation.keysNameRecords,
		// An API token or password: no token to fetch before the other batches may start.
		firstBatchAlone: false,
		prepare,
		send: async (batch, signal) =>
			settings.atomic
				? await sendBulk(settings, operation, batch, signal)
				: await sendOne(settings, operation, batch, signal, false),
	});
}

/**
 * One records.json request of up to 100 records. kintone applies it all or nothing, so when it
 * refuses the request because of some records, the others are sent again without them, once:
 * only the records at fault fail.
 */
async function sendOne(
	settings: WriteSettings,
	operation: WriteOperation,
	batch: Array<PendingRecord<RecordWrite>>,
	signal: BatchSignal,
	isResend: boolean,
): Promise<RecordOutcome[]> {
	const { app, session } = settings;
	const records = batch.map((record) => record.payload);
	const response = await callKintone<IDataObject>(session, {
		method: operation.method,
		endpoint: 'records',
		body: operation.payload(app, records),
		idempotent: operation.idempotent(records),
	});
	if (isSuccess(response)) return accepted(batch, operation.results(response.body, records));
	signal.failureKnown();
	const error = kintoneError(response.body);
	const culprits = error ? await blamedRecords(settings, batch, error, { offset: 0, size: batch.length }) : new Map();
	const others = batch.filter((_, position) => !culprits.has(position));
	const refusal = { response, error, culprits, scope: 'request' as const };
	if (isResend || culprits.size === 0 || others.length === 0) return rejected(batch, refusal);

	// Nothing of the refused request was applied, so sending the others again cannot apply them twice.
	let resent: RecordOutcome[];
	try {
		resent = await sendOne(settings, operation, others, signal, true);
	} catch (thrown) {
		const failure = batchFailure(thrown);
		resent = others.map((record) => failed(record.itemIndex, failure, record.key));
	}
	const culpritOutcomes = rejected(batch, { ...refusal, othersResent: true }).filter((_, position) =>
		culprits.has(position),
	);
	const byItem = new Map([...resent, ...culpritOutcomes].map((outcome) => [outcome.itemIndex, outcome]));
	return batch.map((record) => byItem.get(record.itemIndex)!);
}

/** Up to 2,000 records in one bulkRequest: kintone runs its 20 requests in order and rolls all back if one fails. */
async function sendBulk(
	settings: WriteSettings,
	operation: WriteOperation,
	batch: Array<PendingRecord<RecordWrite>>,
	signal: BatchSignal,
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
	if (isSuccess(response)) {
		const results = chunks.flatMap((records, index) =>
			operation.results((response.body.results?.[index] ?? {}) as IDataObject, records),
		);
		return accepted(batch, results);
	}
	signal.failureKnown();
	// `results` holds the failing request's error and `{}` for the others.
	const failing = (response.body?.results ?? []).findIndex((result) => kintoneError(result) !== undefined);
	const error = kintoneError(failing < 0 ? response.body : response.body?.results?.[failing]);
	const span =
		failing < 0
			? { offset: 0, size: batch.length }
			: { offset: failing * RECORDS_PER_REQUEST, size: chunks[failing].length };
	const culprits = error ? await blamedRecords(settings, batch, error, span) : new Map();
	return rejected(batch, { response, error, culprits, scope: 'atomic' });
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
function rejected(batch: Array<PendingRecord<RecordWrite>>, refusal: Refusal): RecordOutcome[] {
	const { response, error, culprits, scope } = refusal;
	const answer = describeAnswer(response, error);
	const count = batch.length.toLocaleString('en-US');
	const unit =
		scope === 'atomic'
			? `the atomic batch of ${count} records (one bulk request, applied all or nothing as the "Atomic Batches" option asks)`
			: `the request of ${count} records`;
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
