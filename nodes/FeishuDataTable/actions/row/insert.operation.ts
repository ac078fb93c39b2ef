import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { TableTarget } from '../../transport';
import { columnsParameter, writeOptions } from '../descriptions';
import type { MissingColumns } from './addRows';
import { addRowsRequest, inOrder, missingColumnsOption } from './addRows';
import { readMapping } from './mapping';
import { uniqueKeyReadBack } from './readBack';
import { writeRows } from './write';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['insert'] } };

export const description: INodeProperties[] = [
	...columnsParameter('add', displayOptions),
	writeOptions([missingColumnsOption], displayOptions),
];

/**
 * `POST .../records`: one new row per item, `record_ids` mapped back to the items in order. Never
 * resent blindly when the outcome is unknown (that could add rows twice): rows with a unique key
 * are read back by it, and sent again only when not found (readBack.ts).
 */
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
): Promise<INodeExecutionData[]> {
	const missing = this.getNodeParameter('options.missingColumns', 0, 'separate') as MissingColumns;
	const { mapper } = readMapping(this, target);
	return await writeRows(this, client, {
		action: 'create',
		keyColumns: [],
		duplicates: 'merge',
		groupByColumns: missing === 'separate',
		readRow: (itemIndex) => mapper.read(itemIndex),
		targetName: `table "${target.table}"`,
		idempotent: false,
		request: (rows) => addRowsRequest(client, target, rows, { prefer: missing === 'default' ? 'missing=default' : undefined }),
		answer: (part, response) => inOrder(part, response),
		readBack: uniqueKeyReadBack(client, target),
	});
}
