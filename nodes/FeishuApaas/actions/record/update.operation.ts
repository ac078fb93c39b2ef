import type { INodeProperties } from 'n8n-workflow';

import { RecordInputError } from '../../../shared/errors';
import { dryRunOption } from '../../../shared/descriptions';
import { batchSizeOption, columnsFor, optionsFor } from '../descriptions';
import type { MappedWrite } from './write';
import { mappedWriteOperation, recordId } from './write';

export const description: INodeProperties[] = [
	{
		displayName:
			'Each item updates the record whose ID (_id) it carries; only the fields it maps are changed. Up to 500 records go in one request.',
		name: 'updateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['objectRecord'], operation: ['update'] } },
	},
	...columnsFor('update'),
	optionsFor('update', [batchSizeOption, dryRunOption]),
];

/** PATCH .../records/batch_update: records as a JSON string, each carrying `_id`. */
export const updateRecords: MappedWrite = {
	action: 'batch_update',
	method: 'PATCH',
	// Writing the same values to the same record twice leaves it as once.
	idempotent: true,
	prepare: (fields) => {
		const payload = { ...fields, _id: recordId(fields._id) };
		if (Object.keys(payload).length === 1) {
			throw new RecordInputError('Nothing to update: map at least one field besides _id');
		}
		return { key: `_id ${payload._id}`, payload };
	},
	idOf: (record) => String(record.payload._id),
	onSuccess: (record) => ({ ...record.payload }),
};

export const execute = mappedWriteOperation(updateRecords);
