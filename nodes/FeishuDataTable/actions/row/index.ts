import type { INodeProperties } from 'n8n-workflow';

import * as deleteOperation from './delete.operation';
import * as getAll from './getAll.operation';
import * as insert from './insert.operation';
import * as sync from './sync.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

export { deleteOperation as delete, getAll, insert, sync, update, upsert };

export const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['row'] } },
	options: [
		{
			name: 'Create Many',
			value: 'insert',
			description: 'Add a new row per item (insert), up to 500 per request',
			action: 'Create many rows',
		},
		{
			name: 'Create or Update',
			value: 'upsert',
			description: 'Create a new row, or update the current one if it already exists (upsert)',
			action: 'Create or update rows',
		},
		{
			name: 'Delete Many',
			value: 'delete',
			description: 'Delete the rows that match a filter',
			action: 'Delete many rows',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description: 'Get rows, optionally filtered and sorted',
			action: 'Get many rows',
		},
		{
			name: 'Sync',
			value: 'sync',
			description:
				'Make the rows match the items: add the missing, update only the changed columns, optionally delete the rows no item names',
			action: 'Sync rows',
		},
		{
			name: 'Update Many',
			value: 'update',
			description: 'Update rows by row ID or by filter',
			action: 'Update many rows',
		},
	],
	default: 'upsert',
};

/** Each operation's own parameters, shown after the workspace and table. */
export const description: INodeProperties[] = [
	...insert.description,
	...upsert.description,
	...sync.description,
	...update.description,
	...deleteOperation.description,
	...getAll.description,
];
