import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { writeBatches } from '../../../shared/batchEndpoint';
import type { ServiceClient } from '../../../shared/client';
import { failed, succeeded } from '../../../shared/results';
import type { TableTarget } from '../../transport';
import { tablePath } from '../../transport';
import { writeOptions } from '../descriptions';
import { filterParameters, readFilter, requireFilter } from '../filters';
import { refusalOf } from './write';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['delete'] } };

export const description: INodeProperties[] = [
	...filterParameters(displayOptions, false),
	writeOptions([], displayOptions),
];

/**
 * `DELETE .../records?filter=`: one request per item, deleting every row that matches the item's
 * filter. Every filter is checked before the first delete is sent; an empty filter is refused.
 */
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
): Promise<INodeExecutionData[]> {
	return await writeBatches<string>(this, client, {
		action: 'delete',
		sentRecord: (filter) => ({ filter }),
		targetName: `table "${target.table}"`,
		prepare: (itemIndex) => {
			const filter = requireFilter(readFilter(this, itemIndex));
			return { key: filter, payload: filter };
		},
		endpoint: {
			batchSize: 1,
			// Deleting what matches a filter twice leaves the same table, so it may be resent.
			idempotent: () => true,
			request: ([filter]) => ({ method: 'DELETE', path: tablePath(client.ctx, target.workspaceId, target.table, 'records'), qs: { filter } }),
			answer: ([record], response) => ({
				outcomes: [
					client.isSuccess(response)
						? succeeded(record.itemIndex, { deleted: true, filter: record.payload }, record.key)
						: failed(record.itemIndex, refusalOf(client, response), record.key),
				],
			}),
		},
	});
}
