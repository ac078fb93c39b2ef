import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { runBulkWrite } from '../../../shared/bulkWrite';
import { failed, succeeded } from '../../../shared/results';
import { optionsCollection, rateLimitWaitOption } from '../../../shared/descriptions';
import { isSuccess, tablePath } from '../../transport';
import { refusalOf } from './isolate';
import { openClient, readTarget, timeoutOption } from '../common';
import { filterParameters, readFilter, requireFilter } from '../filters';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['delete'] } };

export const description: INodeProperties[] = [
	...filterParameters(displayOptions, false),
	optionsCollection([rateLimitWaitOption, timeoutOption], { displayOptions }),
];

/**
 * `DELETE .../records?filter=`: one request per item, deleting every row that matches the item's
 * filter. Every filter is checked before the first delete is sent; an empty filter is refused.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const target = readTarget(this);
	const client = await openClient(this);
	const path = tablePath(this, target.workspaceId, target.table, 'records');

	return await runBulkWrite<string>(this, {
		batchSize: 1,
		prepare: (itemIndex) => {
			const filter = requireFilter(readFilter(this, itemIndex));
			return { key: filter, payload: filter };
		},
		send: async ([record]) => {
			// Deleting what matches a filter twice leaves the same table, so it may be resent.
			const response = await client.send({ method: 'DELETE', path, qs: { filter: record.payload } }, true);
			if (!isSuccess(response)) return [failed(record.itemIndex, refusalOf(response), record.key)];
			return [succeeded(record.itemIndex, { deleted: true, filter: record.payload }, record.key)];
		},
	});
}
