import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';
import * as deleteOperation from './delete.operation';
import * as getAll from './getAll.operation';
import * as sync from './sync.operation';
import * as update from './update.operation';
import * as updateStatus from './updateStatus.operation';
import * as upsert from './upsert.operation';

export { create, deleteOperation as delete, getAll, sync, update, updateStatus, upsert };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['record'] } },
		options: [
			{
				name: 'Create Many',
				value: 'create',
				description: 'Add a record per item, 100 per request',
				action: 'Create many records',
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
				action: 'Create or update records',
			},
			{
				name: 'Delete Many',
				value: 'delete',
				description: 'Delete a record per item, by record ID, 100 per request',
				action: 'Delete many records',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Read records that match a query, any number of them',
				action: 'Get many records',
			},
			{
				name: 'Sync',
				value: 'sync',
				description:
					'Make the records match the items: add the missing, update only the changed fields, optionally delete the records no item names',
				action: 'Sync records',
			},
			{
				name: 'Update Many',
				value: 'update',
				description: 'Change a record per item, found by record ID or a unique field, 100 per request',
				action: 'Update many records',
			},
			{
				name: 'Update Status',
				value: 'updateStatus',
				description: "Run a process management action on a record per item (e.g. move it from To Do to Done), 100 per request",
				action: 'Update status of records',
			},
		],
		default: 'update',
	},
	...create.description,
	...deleteOperation.description,
	...getAll.description,
	...sync.description,
	...update.description,
	...updateStatus.description,
	...upsert.description,
];
