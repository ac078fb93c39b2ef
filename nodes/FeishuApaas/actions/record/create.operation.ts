import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ApaasClient, ObjectTarget } from '../../transport';
import { batchSizeOption, columnsFor, optionsFor } from '../common';
import { writeMappedRecords } from './write';

export const description: INodeProperties[] = [columnsFor('create'), optionsFor('create', [batchSizeOption])];

/** POST .../records/batch_create. Never resent when its outcome is unknown: that could duplicate records. */
export async function execute(
	this: IExecuteFunctions,
	client: ApaasClient,
	target: ObjectTarget,
): Promise<INodeExecutionData[]> {
	return await writeMappedRecords(this, client, target, {
		action: 'batch_create',
		method: 'POST',
		idempotent: false,
		prepare: (fields, itemIndex) => {
			// Feishu assigns the ID; an `_id` carried over from another record must not be sent.
			delete fields._id;
			return { key: `new record of item ${itemIndex}`, payload: fields };
		},
		onSuccess: (record, result) => ({ _id: result.id, ...record.payload }),
	});
}
