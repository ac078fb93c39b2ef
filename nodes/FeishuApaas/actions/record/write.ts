import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeExecutionData } from 'n8n-workflow';

import { CONCURRENT_BATCHES } from '../../../feishu/api';
import type { PendingRecord } from '../../../shared/batching';
import { runBulkWrite } from '../../../shared/bulkWrite';
import { RecordInputError } from '../../../shared/errors';
import { FieldMapper } from '../../../shared/mapping';
import type { ApaasClient, ObjectTarget } from '../../transport';
import { MAX_BATCH, apaasRequest, recordsPath } from '../../transport';
import type { RecordResult } from '../../transport/results';
import { batchOutcomes } from '../../transport/results';

export interface WriteSpec<T> {
	/** The batch endpoint under `.../records/`. */
	action: 'batch_create' | 'batch_update' | 'batch_delete';
	method: IHttpRequestMethods;
	/** Whether sending the request twice leaves the same records behind (never for create). */
	idempotent: boolean;
	prepare(itemIndex: number): { key: string; payload: T; ignored?: string[] };
	body(payloads: T[]): IDataObject;
	/** The record id each result must carry, for requests that name their records. */
	idOf?(record: PendingRecord<T>): string;
	/** Whether a record refused by a resend may have been applied by the attempt before it (see batchOutcomes). */
	refusalMayFollowLostAnswer?: boolean;
	onSuccess(record: PendingRecord<T>, result: RecordResult): IDataObject;
}

/** One batch write operation: every item becomes a record, sent in batches of at most 500. */
export async function writeRecords<T>(
	ctx: IExecuteFunctions,
	client: ApaasClient,
	target: ObjectTarget,
	spec: WriteSpec<T>,
): Promise<INodeExecutionData[]> {
	const { batchSize } = ctx.getNodeParameter('options', 0, {}) as { batchSize?: number };
	return await runBulkWrite<T>(ctx, {
		batchSize: Math.min(MAX_BATCH, Math.max(1, Math.floor(batchSize ?? MAX_BATCH))),
		// Keys are record IDs (or unique per new record): two changes to one record still land in input order.
		concurrency: CONCURRENT_BATCHES,
		orderByKey: true,
		targetName: `object "${target.objectApiName}"`,
		prepare: spec.prepare,
		send: async (batch) => {
			const response = await apaasRequest<{ items?: RecordResult[] }>(
				ctx,
				client,
				spec.method,
				recordsPath(target, spec.action),
				spec.body(batch.map((record) => record.payload)),
				spec.idempotent,
			);
			return batchOutcomes(batch, response, {
				idOf: spec.idOf,
				onSuccess: spec.onSuccess,
				refusalMayFollowLostAnswer: spec.refusalMayFollowLostAnswer,
			});
		},
	});
}

/**
 * The execute function of a create or update: each item's mapped fields become one record, and a
 * batch travels as a JSON string.
 */
export function mappedWriteOperation(
	spec: Omit<WriteSpec<IDataObject>, 'prepare' | 'body'> & {
		prepare(fields: IDataObject, itemIndex: number): { key: string; payload: IDataObject };
		/** Input fields never sent, without a word (create: `_id`, which Feishu assigns). */
		neverSent?: string[];
	},
) {
	return async function (
		this: IExecuteFunctions,
		client: ApaasClient,
		target: ObjectTarget,
	): Promise<INodeExecutionData[]> {
		const mapper = new FieldMapper(this, { neverSent: (name) => spec.neverSent?.includes(name) === true });
		return await writeRecords<IDataObject>(this, client, target, {
			...spec,
			prepare: (itemIndex) => {
				const { values, ignored } = mapper.read(itemIndex);
				return { ...spec.prepare(values, itemIndex), ignored };
			},
			body: (payloads) => ({ records: JSON.stringify(payloads) }),
		});
	};
}

/** A record ID as the service writes it: digits in a string. */
export function recordId(value: unknown, field = '_id'): string {
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (text === '') {
		throw new RecordInputError(`The record ID is missing: map "${field}" to the ID of an existing record`, field);
	}
	return text;
}
