import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { ObjectTarget } from '../../transport';
import { dryRunOption } from '../../../shared/descriptions';
import { batchSizeOption, optionsFor } from '../descriptions';
import type { RecordBatch } from './write';
import { recordId, writeRecords } from './write';

export const description: INodeProperties[] = [
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		// Not an expression: n8n's editor drops what a user types over an expression default in a new node.
		default: '',
		placeholder: '={{ $json._id }}',
		required: true,
		description: 'The ID (_id) of the record this item deletes',
		hint: 'Map it, e.g. {{ $json._id }} from Get Many',
		displayOptions: { show: { resource: ['objectRecord'], operation: ['delete'] } },
	},
	optionsFor('delete', [batchSizeOption, dryRunOption]),
];

/** DELETE .../records/batch_delete with a JSON body `{ ids }`. */
export const deleteRecords: RecordBatch<string> = {
	action: 'batch_delete',
	method: 'DELETE',
	// A record deleted once stays deleted; a resent request can only report it as gone.
	idempotent: true,
	refusalMayFollowLostAnswer: true,
	body: (ids) => ({ ids }),
	idOf: (record) => record.payload,
	onSuccess: (record) => ({ _id: record.payload, deleted: true }),
};

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: ObjectTarget,
): Promise<INodeExecutionData[]> {
	return await writeRecords<string>(this, client, target, {
		...deleteRecords,
		prepare: (itemIndex) => {
			const id = recordId(this.getNodeParameter('recordId', itemIndex), 'Record ID');
			return { key: `_id ${id}`, payload: id };
		},
	});
}
