import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { WriteThrough } from '../../../shared/batchEndpoint';
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
		...rowDelete<string>(client, target, {
			batchSize: 1,
			filter: ([filter]) => filter,
			output: (filter) => ({ deleted: true, filter }),
		}),
		sentRecord: (filter) => ({ filter }),
		prepare: (itemIndex) => {
			const filter = requireFilter(readFilter(this, itemIndex));
			return { key: filter, payload: filter };
		},
	});
}

/** What a delete request is made of: how many records one takes, its filter, and each record's output. */
interface RowDeletion<T> {
	batchSize: number;
	filter(records: T[]): string;
	output(record: T): IDataObject;
}

/**
 * How records go to `DELETE .../records?filter=`: the filter of each batch deletes what it matches,
 * and Feishu answers with nothing but success, so each record of an accepted request is deleted.
 */
export function rowDelete<T>(client: ServiceClient, target: TableTarget, deletion: RowDeletion<T>): WriteThrough<T> {
	return {
		action: 'delete',
		targetName: `table "${target.table}"`,
		endpoint: {
			batchSize: deletion.batchSize,
			// Deleting what matches a filter twice leaves the same table, so it may be resent.
			idempotent: () => true,
			request: (records) => ({
				method: 'DELETE',
				path: tablePath(client.ctx, target.workspaceId, target.table, 'records'),
				qs: { filter: deletion.filter(records) },
			}),
			answer: (part, response) => {
				const refusal = client.isSuccess(response) ? undefined : refusalOf(client, response);
				return {
					outcomes: part.map((record) =>
						refusal
							? failed(record.itemIndex, refusal, record.key)
							: succeeded(record.itemIndex, deletion.output(record.payload), record.key),
					),
				};
			},
		},
	};
}
