import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeExecutionData } from 'n8n-workflow';

import { CONCURRENT_BATCHES } from '../../../feishu/api';
import type { PendingRecord } from '../../../shared/batching';
import { RecordInputError, runBulkWrite } from '../../../shared/bulkWrite';
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
	prepare(itemIndex: number): { key: string; payload: T };
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
	},
) {
	return async function (
		this: IExecuteFunctions,
		client: ApaasClient,
		target: ObjectTarget,
	): Promise<INodeExecutionData[]> {
		const autoMap = isAutoMap(this);
		return await writeRecords<IDataObject>(this, client, target, {
			...spec,
			prepare: (itemIndex) => spec.prepare(mappedFields(this, itemIndex, autoMap), itemIndex),
			body: (payloads) => ({ records: JSON.stringify(payloads) }),
		});
	};
}

/** The fields an item maps to: the mapping form's values, or the item itself when auto-mapping. */
function mappedFields(ctx: IExecuteFunctions, itemIndex: number, autoMap: boolean): IDataObject {
	const fields = autoMap
		? { ...ctx.getInputData()[itemIndex].json }
		: { ...((ctx.getNodeParameter('columns.value', itemIndex, {}) as IDataObject | null) ?? {}) };
	for (const [name, value] of Object.entries(fields)) {
		if (value === undefined) delete fields[name];
	}
	return fields;
}

function isAutoMap(ctx: IExecuteFunctions): boolean {
	return ctx.getNodeParameter('columns.mappingMode', 0) === 'autoMapInputData';
}

/** A record ID as the service writes it: digits in a string. */
export function recordId(value: unknown, field = '_id'): string {
	const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (text === '') {
		throw new RecordInputError(`The record ID is missing: map "${field}" to the ID of an existing record`, field);
	}
	return text;
}
