import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { toBatches } from '../../../shared/batching';
import type { Prepare } from '../../../shared/bulkWrite';
import type { BatchEndpoint, WriteAction, WriteThrough } from '../../../shared/batchEndpoint';
import { writeBatches } from '../../../shared/batchEndpoint';
import type { ServiceClient } from '../../../shared/client';
import type { Concurrency } from '../../../shared/concurrency';
import type { ReadBack } from '../../../shared/readBack';
import type { RecordOutcome } from '../../../shared/results';
import { succeeded } from '../../../shared/results';
import type { KintoneTarget } from '../../transport';
import { kintoneRequest } from '../../transport';
import { kintonePath } from '../../transport/url';
import { DEFAULT_CONCURRENCY, START_CONCURRENCY } from '../descriptions';
import type { FieldMapping } from './mapping';
import { readFieldMapping, updateEntry } from './mapping';
import type { RecordFiles } from './attachments';
import { fileStep } from './attachments';
import type { Probe } from './blame';
import { atomicRefusal, requestRefusal } from './refusal';

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
	/** The item's files to upload into the record's FILE values first, and the fields whose files stay. */
	files?: RecordFiles;
}

/** What one write operation sends to records.json and how kintone's answer maps back. */
export interface WriteOperation {
	method: 'POST' | 'PUT' | 'DELETE';
	/** The batch endpoint; records.json by default. */
	endpoint?: 'records' | 'records/status';
	/** Finds the records at fault in refusals kintone does not say them for (see blame.ts). */
	probe?(client: ServiceClient, target: KintoneTarget): Probe;
	action: WriteAction;
	/** Whether a record's key names the record it changes (not so for adds), to keep changes to one record in order. */
	keysNameRecords: boolean;
	/** Whether replaying a request of these records, after an unknown outcome, gives the same result. */
	idempotent(records: RecordWrite[]): boolean;
	/** The payload of one records.json request (at most 100 records). */
	payload(app: string, records: RecordWrite[]): IDataObject;
	/**
	 * One output per record, from kintone's answer to that request; `afterLostAnswer` when it answers
	 * a resend whose earlier attempt may have been applied.
	 */
	results(answer: IDataObject, records: RecordWrite[], afterLostAnswer?: boolean): IDataObject[];
}

/**
 * A written record's output: `meta` (kintone's id and revision, the update key it was found by)
 * and the values sent, as `{code: value}` like Get Many returns them. Builds one object from the
 * values already sent, no deep copy: runs of 100,000 items keep only these outputs.
 */
export function writtenRecord(meta: IDataObject, record: IDataObject | undefined): IDataObject {
	const output: IDataObject = { ...meta };
	for (const code in record) {
		const field = record[code] as { value?: unknown } | undefined;
		// Unset fields stay undefined in the record; a field coded like an output key does not replace it.
		if (field === undefined || code in meta) continue;
		output[code] = (Array.isArray(field.value) ? field.value.map(tableRow) : field.value) as IDataObject[string];
	}
	return output;
}

/** A table row as Get Many returns it: `{id, code: value}` (a new row has no id yet). */
function tableRow(row: unknown): unknown {
	const { id, value } = (row ?? {}) as { id?: string; value?: unknown };
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return row;
	return writtenRecord(id === undefined ? {} : { id }, value as IDataObject);
}

/** The update key a record was found by, as `{field: value}`; nothing for records found by ID. */
export function keyOf(record: RecordWrite): IDataObject {
	return record.updateKey ? { [record.updateKey.field]: record.updateKey.value } : {};
}

/** The write options, read once at item 0. */
interface WriteSettings {
	atomic: boolean;
	concurrency: number;
}

function writeSettingsOf(ctx: IExecuteFunctions): WriteSettings {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = Number(options.concurrency ?? DEFAULT_CONCURRENCY);
	return {
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
	client: ServiceClient,
	target: KintoneTarget,
	operation: WriteOperation,
	prepare: Prepare<RecordWrite>,
	readBack?: ReadBack<RecordWrite>,
): Promise<INodeExecutionData[]> {
	return await writeBatches<RecordWrite>(ctx, client, { ...recordWrite(ctx, client, target, operation, readBack), prepare });
}

/** How the records of one write operation go to kintone, with the run's options (atomic, concurrency). */
export function recordWrite(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
	operation: WriteOperation,
	readBack?: ReadBack<RecordWrite>,
): WriteThrough<RecordWrite> {
	const settings = writeSettingsOf(ctx);
	const endpoint = settings.atomic ? bulkEndpoint(client, target, operation, settings) : recordsEndpoint(client, target, operation, settings);
	return {
		targetName: `app ${target.app}`,
		action: operation.action,
		// A delete's revision travels in the request's own `revisions` list, not in its entry.
		sentRecord: (record) => (record.revision === undefined ? record.entry : { ...record.entry, revision: record.revision }),
		endpoint: readBack ? { ...endpoint, readBack } : endpoint,
		// The item's files are uploaded right before their batch goes (see attachments.ts).
		around: fileStep(ctx, client, target),
	};
}

/** Update and upsert: each item names its record (ID or update key) and carries the values to set. */
export async function writeUpdates(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
	operation: WriteOperation,
	readBack?: (mapping: FieldMapping) => ReadBack<RecordWrite>,
): Promise<INodeExecutionData[]> {
	// Upserts both add and update: only fields kintone writes in either case are taken.
	const mapping = await readFieldMapping(ctx, client, target, 'update', true);
	return await writeRecords(ctx, client, target, operation, (itemIndex) => updateEntry(ctx, mapping, itemIndex), readBack?.(mapping));
}

/**
 * records.json, 100 records per request, several requests at once: from a few, more while kintone
 * answers fast and reports room, fewer when it reports many concurrent requests (its limit of 100
 * per domain is for everyone together).
 */
function recordsEndpoint(
	client: ServiceClient,
	target: KintoneTarget,
	operation: WriteOperation,
	settings: WriteSettings,
): BatchEndpoint<RecordWrite> {
	return {
		batchSize: RECORDS_PER_REQUEST,
		concurrency: adaptiveConcurrency(client, settings),
		orderByKey: operation.keysNameRecords,
		// An API token or password: no token to fetch before the other batches may start.
		firstBatchAlone: false,
		idempotent: operation.idempotent,
		request: (records) =>
			kintoneRequest(client, target, { method: operation.method, endpoint: operation.endpoint ?? 'records', body: operation.payload(target.app, records) }),
		answer: (batch, response) => {
			if (!client.isSuccess(response)) return { refused: client.refusal(response), response };
			const records = batch.map((record) => record.payload);
			return { outcomes: accepted(batch, operation.results(response.body as IDataObject, records, response.afterLostAnswer)) };
		},
		onRefused: requestRefusal(client, target, operation.probe?.(client, target)),
	};
}

/** Up to 2,000 records in one bulkRequest: kintone runs its 20 requests in order and rolls all back if one fails. */
function bulkEndpoint(
	client: ServiceClient,
	target: KintoneTarget,
	operation: WriteOperation,
	settings: WriteSettings,
): BatchEndpoint<RecordWrite> {
	const chunksOf = <T>(records: T[]) => toBatches(records, RECORDS_PER_REQUEST);
	return {
		batchSize: RECORDS_PER_REQUEST * REQUESTS_PER_BULK,
		concurrency: adaptiveConcurrency(client, settings),
		orderByKey: operation.keysNameRecords,
		firstBatchAlone: false,
		idempotent: (records) => chunksOf(records).every((chunk) => operation.idempotent(chunk)),
		request: (records) =>
			kintoneRequest(client, target, {
				method: 'POST',
				endpoint: 'bulkRequest',
				body: {
					requests: chunksOf(records).map((chunk) => ({
						method: operation.method,
						api: kintonePath(operation.endpoint ?? 'records', target.guestSpaceId),
						payload: operation.payload(target.app, chunk),
					})),
				},
			}),
		answer: (batch, response) => {
			if (!client.isSuccess(response)) return { refused: client.refusal(response), response };
			const answers = ((response.body as { results?: IDataObject[] }).results ?? []) as IDataObject[];
			const results = chunksOf(batch).flatMap((chunk, index) =>
				operation.results(answers[index] ?? {}, chunk.map((record) => record.payload), response.afterLostAnswer),
			);
			return { outcomes: accepted(batch, results) };
		},
		onRefused: atomicRefusal(client, target, RECORDS_PER_REQUEST, operation.probe?.(client, target)),
	};
}

/** From a few requests at once up to the Concurrency option, as kintone's answers allow (see ConcurrencyLimit). */
function adaptiveConcurrency(client: ServiceClient, settings: WriteSettings): Concurrency {
	return {
		start: START_CONCURRENCY,
		max: settings.concurrency,
		pressure: () => client.pressure,
		serviceLimit: () => client.concurrencyLimit,
	};
}

function accepted(batch: Array<PendingRecord<RecordWrite>>, results: IDataObject[]): RecordOutcome[] {
	return batch.map((record, index) => succeeded(record.itemIndex, results[index] ?? {}, record.key));
}
