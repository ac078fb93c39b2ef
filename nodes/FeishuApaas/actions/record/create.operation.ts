import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ApaasClient, ObjectTarget } from '../../transport';
import { batchSizeOption, columnsFor, optionsFor } from '../common';
import { isAutoMap, mappedFields, writeRecords } from './write';

export const description: INodeProperties[] = [columnsFor('create'), optionsFor('create', [batchSizeOption])];

/** POST .../records/batch_create. Never resent when its outcome is unknown: that could duplicate records. */
export async function execute(
	this: IExecuteFunctions,
	client: ApaasClient,
	target: ObjectTarget,
): Promise<INodeExecutionData[]> {
	const autoMap = isAutoMap(this);
	return await writeRecords<IDataObject>(this, client, target, {
		action: 'batch_create',
		method: 'POST',
		idempotent: false,
		prepare: (itemIndex) => {
			// Feishu assigns the ID; an `_id` carried over from another record must not be sent.
			const payload = mappedFields(this, itemIndex, autoMap);
			delete payload._id;
			return { key: `new record of item ${itemIndex}`, payload };
		},
		body: (payloads) => ({ records: JSON.stringify(payloads) }),
		onSuccess: (record, result) => ({ _id: result.id, ...record.payload }),
	});
}
