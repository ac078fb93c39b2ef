import type { INodeProperties } from 'n8n-workflow';

import { RESOURCE, targetProperties } from '../descriptions';
import * as create from './create.operation';
import * as deleteOperation from './delete.operation';
import * as getAll from './getAll.operation';
import * as sync from './sync.operation';
import * as update from './update.operation';

export { create, deleteOperation as delete, getAll, sync, update };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [RESOURCE] } },
		options: [
			{
				name: 'Create Many',
				value: 'create',
				description: 'Create a record for each item, up to 500 per request',
				action: 'Create many records',
			},
			{
				name: 'Delete Many',
				value: 'delete',
				description: 'Delete the record of each item by its ID, up to 500 per request',
				action: 'Delete many records',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get records that meet conditions, page by page',
				action: 'Get many records',
			},
			{
				name: 'Sync',
				value: 'sync',
				description:
					'Make the records match the items: create the missing, update only the changed fields, optionally delete the records no item names',
				action: 'Sync records',
			},
			{
				name: 'Update Many',
				value: 'update',
				description: 'Update the record of each item by its ID, up to 500 per request',
				action: 'Update many records',
			},
		],
		default: 'update',
	},
	...targetProperties,
	...create.description,
	...deleteOperation.description,
	...getAll.description,
	...sync.description,
	...update.description,
];
