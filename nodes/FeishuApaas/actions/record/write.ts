import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeExecutionData, ResourceMapperField } from 'n8n-workflow';

import type { FeishuEnvelope } from '../../../feishu/api';
import { FEISHU_CODES } from '../../../feishu/api';
import type { PendingRecord } from '../../../shared/batching';
import type { WriteAction, WriteThrough } from '../../../shared/batchEndpoint';
import { writeBatches } from '../../../shared/batchEndpoint';
import type { Prepare } from '../../../shared/bulkWrite';
import type { ServiceClient } from '../../../shared/client';
import { RATE_LIMITED_CONCURRENCY } from '../../../shared/concurrency';
import { RecordInputError } from '../../../shared/errors';
import { assertSomethingMapped, FieldMapper } from '../../../shared/mapping';
import type { ReadBack } from '../../../shared/readBack';
import type { HttpResponse } from '../../../shared/request';
import type { RecordFailure, RecordOutcome } from '../../../shared/results';
import { failed, succeeded } from '../../../shared/results';
import type { ObjectTarget } from '../../transport';
import { MAX_BATCH, recordsPath } from '../../transport';
import { labelOfMapped, namedField } from '../../transport/fields';

/** One entry of `data.items` in a batch_create / batch_update / batch_delete answer. */
interface RecordResult {
	success?: boolean;
	id?: string;
	errors?: Array<{ code?: string; message?: string; sub_code?: string; fields?: string[] }>;
}

const WRITE_ACTIONS: Record<RecordBatch<unknown>['action'], WriteAction> = {
	batch_create: 'create',
	batch_update: 'update',
	batch_delete: 'delete',
};

/** What one write operation sends to its batch endpoint and how the answer maps back. */
export interface RecordBatch<T> {
	/** The batch endpoint under `.../records/`. */
	action: 'batch_create' | 'batch_update' | 'batch_delete';
	method: IHttpRequestMethods;
	/** Whether sending the request twice leaves the same records behind (never for create). */
	idempotent: boolean;
	body(payloads: T[]): IDataObject;
	/** The record id each result must carry, for requests that name their records. */
	idOf?(record: PendingRecord<T>): string;
	/**
	 * Whether a record refused by a resend may have been applied by the attempt before it, whose
	 * answer was lost (delete: a resend finds the record gone).
	 */
	refusalMayFollowLostAnswer?: boolean;
	/** Field labels by API name, as the mapping form holds them, to name refused fields as people see them. */
	labels?: ReadonlyMap<string, string>;
	onSuccess(record: PendingRecord<T>, result: RecordResult): IDataObject;
	/** For writes that are not idempotent: reads back the records of a lost answer by key (readBack.ts). */
	readBack?: ReadBack<T>;
}

/** One batch write operation: every item becomes a record, sent in batches of at most 500. */
export async function writeRecords<T>(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	target: ObjectTarget,
	spec: RecordBatch<T> & { prepare: Prepare<T> },
): Promise<INodeExecutionData[]> {
	return await writeBatches<T>(ctx, client, { ...recordWrite(ctx, client, target, spec), prepare: spec.prepare });
}

/** How the records of one write operation go to their batch endpoint, with the run's Batch Size. */
export function recordWrite<T>(ctx: IExecuteFunctions, client: ServiceClient, target: ObjectTarget, spec: RecordBatch<T>): WriteThrough<T> {
	const { batchSize } = ctx.getNodeParameter('options', 0, {}) as { batchSize?: number };
	return {
		targetName: `object "${target.objectApiName}"`,
		action: WRITE_ACTIONS[spec.action],
		endpoint: {
			batchSize: Math.min(MAX_BATCH, Math.max(1, Math.floor(batchSize ?? MAX_BATCH))),
			concurrency: RATE_LIMITED_CONCURRENCY,
			// Update and delete keys are record IDs: two changes to one record still land in input order.
			// New records have no ID yet, so creates need no order.
			orderByKey: spec.action !== 'batch_create',
			idempotent: () => spec.idempotent,
			request: (payloads) => ({ method: spec.method, path: recordsPath(target, spec.action), body: spec.body(payloads) }),
			answer: (batch, response) => ({ outcomes: batchOutcomes(client, target, batch, response, spec) }),
			readBack: spec.readBack,
		},
	};
}

/** A create or update of mapped fields: what it sends for each item's fields, and its answer. */
export type MappedWrite = Omit<RecordBatch<IDataObject>, 'body' | 'labels' | 'readBack'> & {
	prepare(fields: IDataObject): { key: string; payload: IDataObject };
	/** How the records of a lost answer are read back, for the run's options. */
	lostAnswers?(ctx: IExecuteFunctions, client: ServiceClient, target: ObjectTarget): ReadBack<IDataObject>;
	/** Input fields never sent, without a word (create: `_id`, which Feishu assigns). */
	neverSent?: string[];
};

/**
 * The execute function of a create or update: each item's mapped fields become one record, and a
 * batch travels as a JSON string.
 */
export function mappedWriteOperation(spec: MappedWrite) {
	return async function (
		this: IExecuteFunctions,
		client: ServiceClient,
		target: ObjectTarget,
	): Promise<INodeExecutionData[]> {
		const mapper = new FieldMapper(this, { neverSent: (name) => spec.neverSent?.includes(name) === true });
		assertSomethingMapped(this, `object "${target.objectApiName}"`);
		return await writeRecords<IDataObject>(this, client, target, {
			...mappedRecords(this, spec),
			readBack: spec.lostAnswers?.(this, client, target),
			prepare: (itemIndex) => {
				const { values, ignored } = mapper.read(itemIndex);
				return { ...spec.prepare(values), ignored };
			},
		});
	};
}

/** Records of mapped fields: sent as one JSON string per batch; refused fields named by their labels. */
export function mappedRecords(ctx: IExecuteFunctions, spec: Omit<RecordBatch<IDataObject>, 'body' | 'labels'>): RecordBatch<IDataObject> {
	return { ...spec, labels: mappedLabels(ctx), body: (payloads) => ({ records: JSON.stringify(payloads) }) };
}

/** The labels of the mapping form's fields by API name: at hand in the saved form, no request. */
function mappedLabels(ctx: IExecuteFunctions): Map<string, string> {
	const schema = (ctx.getNodeParameter('columns.schema', 0, []) as ResourceMapperField[] | null) ?? [];
	const labels = new Map<string, string>();
	for (const field of schema) {
		const label = labelOfMapped(field);
		if (label) labels.set(field.id, label);
	}
	return labels;
}

/** A record ID as the service writes it: digits in a string. */
export function recordId(value: unknown, field = '_id'): string {
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (text === '') {
		throw new RecordInputError(`The record ID is missing: map "${field}" to the ID of an existing record`, field);
	}
	return text;
}

type BatchAnswer = HttpResponse<FeishuEnvelope<{ items?: RecordResult[] }> | undefined>;

/**
 * Maps a batch answer back onto the records sent, one outcome each. Results come in request order;
 * where the service names the record (`id`), a result for another record is never taken for it.
 * A record the answer says nothing about may or may not have been written.
 */
function batchOutcomes<T>(
	client: ServiceClient,
	target: ObjectTarget,
	batch: Array<PendingRecord<T>>,
	answer: HttpResponse,
	spec: Pick<RecordBatch<T>, 'idOf' | 'refusalMayFollowLostAnswer' | 'onSuccess' | 'labels'>,
): RecordOutcome[] {
	const response = answer as BatchAnswer;
	const refused = (record: PendingRecord<T>, failure: RecordFailure): RecordOutcome =>
		failed(
			record.itemIndex,
			response.afterLostAnswer && spec.refusalMayFollowLostAnswer
				? {
						...failure,
						outcome: 'unknown',
						message: `${failure.message}; but this was a resend, and the attempt before it (whose answer was lost) may already have applied this record: check it before running again`,
					}
				: failure,
			record.key,
		);
	if (!client.isSuccess(response)) {
		const failure = requestRefusal(client, target, response);
		return batch.map((record) => refused(record, failure));
	}
	const results = response.body?.data?.items ?? [];
	const byId = new Map(results.filter((result) => result.id !== undefined).map((result) => [String(result.id), result]));

	return batch.map((record, index) => {
		let result: RecordResult | undefined = results[index];
		const expectedId = spec.idOf?.(record);
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
		if (result.success === true) return succeeded(record.itemIndex, spec.onSuccess(record, result), record.key);
		return refused(record, recordFailure(result, spec.labels));
	});
}

/**
 * A request refused as a whole. Refused for its parameters, it names the namespace and object:
 * Feishu documents only "param is invalid" for these APIs, which names neither.
 */
function requestRefusal(client: ServiceClient, { namespace, objectApiName }: ObjectTarget, response: HttpResponse): RecordFailure {
	const failure = client.refusal(response);
	if (failure.code !== String(FEISHU_CODES.paramInvalid)) return failure;
	return {
		...failure,
		message: `Feishu refused the request (code ${failure.code}): ${failure.serviceMessage}. Check that namespace "${namespace}" has an object "${objectApiName}", and the field values.`,
	};
}

function recordFailure(result: RecordResult, labels: ReadonlyMap<string, string> | undefined): RecordFailure {
	const errors = (result.errors ?? []).filter((error) => error.code !== '0');
	const first = errors[0];
	const fields = [...new Set(errors.flatMap((error) => error.fields ?? []))];
	const detail = errors.map((error) => error.message).filter(Boolean).join('; ') || 'no reason given';
	const subCodes = errors.map((error) => error.sub_code).filter((subCode): subCode is string => !!subCode);
	return {
		message: `Feishu refused the record: ${detail}${named(fields, labels)}`,
		outcome: 'failed',
		code: first?.code,
		serviceMessage: first?.message,
		fields,
		extra: subCodes.length ? { subCode: subCodes[0], errors: errors as IDataObject[] } : { errors: errors as IDataObject[] },
	};
}

/** `; field "数量" (book_count)`, `; fields "book_name", "数量" (book_count)`: each field once, with its label when it has one. */
function named(fields: string[], labels: ReadonlyMap<string, string> | undefined): string {
	if (fields.length === 0) return '';
	return `; ${fields.length === 1 ? 'field' : 'fields'} ${fields.map((field) => namedField(field, labels?.get(field))).join(', ')}`;
}
