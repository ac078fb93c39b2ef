import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { optionsCollection, rateLimitWaitOption } from '../../../shared/descriptions';
import { columnsParameter, timeoutOption } from '../common';
import type { MissingColumns } from './addRows';
import { addRows, missingColumnsOption } from './addRows';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['insert'] } };

export const description: INodeProperties[] = [
	columnsParameter('add', displayOptions),
	optionsCollection([missingColumnsOption, rateLimitWaitOption, timeoutOption], { displayOptions }),
];

/** Adds one row per item. Never resent when the outcome is unknown: that could add rows twice. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await addRows(this, {
		missing: this.getNodeParameter('options.missingColumns', 0, 'separate') as MissingColumns,
		reportAction: false,
	});
}
