import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { optionsCollection, rateLimitWaitOption } from '../../../shared/descriptions';
import { columnsParameter, timeoutOption } from '../common';
import type { MissingColumns, Resolution } from './addRows';
import { addRows, missingColumnsOption } from './addRows';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['upsert'] } };

const reportActionOption: INodeProperties = {
	displayName: 'Report Inserted or Updated',
	name: 'reportAction',
	type: 'boolean',
	default: false,
	description:
		'Whether to look the keys up before writing, so each output says "_action": "inserted" or "updated". Costs one extra read request per 100 items.',
	displayOptions: { show: { '/resolution': ['merge-duplicates'] } },
};

export const description: INodeProperties[] = [
	{
		displayName: 'If a Row Already Exists',
		name: 'resolution',
		type: 'options',
		options: [
			{
				name: 'Update It',
				value: 'merge-duplicates',
				description: 'Write the mapped columns into the existing row (Prefer: resolution=merge-duplicates)',
			},
			{
				name: 'Keep It Unchanged',
				value: 'ignore-conflicts',
				description: 'Only add rows whose key is new (Prefer: resolution=ignore-conflicts)',
			},
		],
		default: 'merge-duplicates',
		hint: 'Used for all items',
		displayOptions,
	},
	columnsParameter('upsert', displayOptions),
	optionsCollection([missingColumnsOption, reportActionOption, rateLimitWaitOption, timeoutOption], { displayOptions }),
];

/**
 * Adds or updates one row per item, matching on the chosen unique columns (`on_conflict`).
 * Safe to resend: the same key lands on the same row.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await addRows(this, {
		resolution: this.getNodeParameter('resolution', 0) as Resolution,
		missing: this.getNodeParameter('options.missingColumns', 0, 'separate') as MissingColumns,
		reportAction: this.getNodeParameter('options.reportAction', 0, false) as boolean,
	});
}
