import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { batchFailure } from '../../../shared/bulkWrite';
import { RecordInputError } from '../../../shared/errors';
import { optionsCollection, rateLimitWaitOption, returnAllOrLimit } from '../../../shared/descriptions';
import { PageTokens } from '../../../shared/paging';
import type { DataTableClient } from '../../transport';
import { MAX_ROWS_PER_REQUEST, describeDataTableError, isSuccess, tablePath } from '../../transport';
import { checkColumnName } from '../../transport/filter';
import { parseItems } from '../../transport/schema';
import { TABLE_DEPENDENT, columnParameter, openClient, readTarget, timeoutOption } from '../common';
import { filterParameters, readFilter } from '../filters';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['getAll'] } };

const queryOptions: INodeProperties[] = [
	{
		displayName: 'Columns to Return',
		name: 'select',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getColumnNames', loadOptionsDependsOn: TABLE_DEPENDENT },
		default: [],
		description:
			'Which columns each row has; all when empty. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Page Size',
		name: 'pageSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_ROWS_PER_REQUEST },
		default: MAX_ROWS_PER_REQUEST,
		description: 'Rows per request (at most 500); fewer means more, smaller requests',
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Sort Rule',
		default: {},
		options: [
			{
				name: 'rule',
				displayName: 'Rule',
				values: [
					columnParameter,
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [
							{ name: 'Ascending', value: 'asc' },
							{ name: 'Descending', value: 'desc' },
						],
						default: 'asc',
					},
				],
			},
		],
	},
];

export const description: INodeProperties[] = [
	...filterParameters(displayOptions, true),
	...returnAllOrLimit(displayOptions),
	optionsCollection([...queryOptions, rateLimitWaitOption, timeoutOption], { displayOptions }),
];

interface Query {
	filter: string;
	select: string;
	order: string;
	pageSize: number;
	/** Rows wanted; Infinity for all. */
	limit: number;
}

/** One query per item (filters may use the item's data), each row an output item paired with it. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const target = readTarget(this);
	const client = await openClient(this);
	const path = tablePath(this, target.workspaceId, target.table, 'records');
	const output: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		try {
			const rows = await queryRows(this, client, path, readQuery(this, itemIndex), itemIndex);
			output.push(...rows.map((json) => ({ json, pairedItem: { item: itemIndex } })));
		} catch (error) {
			const nodeError =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			if (!this.continueOnFail()) throw nodeError;
			output.push({
				json: { error: nodeError.message, message: nodeError.description ?? nodeError.message, details: { itemIndex } },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return output;
}

function readQuery(ctx: IExecuteFunctions, itemIndex: number): Query {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as {
		select?: string[];
		pageSize?: number;
		sort?: { rule?: Array<{ column: string; direction: 'asc' | 'desc' }> };
	};
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (ctx.getNodeParameter('limit', itemIndex, 50) as number);
	const pageSize = Math.trunc(options.pageSize ?? MAX_ROWS_PER_REQUEST);
	if (!(pageSize >= 1 && pageSize <= MAX_ROWS_PER_REQUEST)) {
		throw new RecordInputError(`Page Size must be between 1 and ${MAX_ROWS_PER_REQUEST}`, 'pageSize');
	}
	return {
		filter: readFilter(ctx, itemIndex),
		select: (options.select ?? []).map(checkColumnName).join(','),
		order: (options.sort?.rule ?? [])
			.map(({ column, direction }) => `${checkColumnName(column)}.${direction === 'desc' ? 'desc' : 'asc'}`)
			.join(','),
		pageSize,
		limit,
	};
}

/** Follows page tokens until the limit or the last page. */
async function queryRows(
	ctx: IExecuteFunctions,
	client: DataTableClient,
	path: string,
	query: Query,
	itemIndex: number,
): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	const pageTokens = new PageTokens(ctx, 'Feishu', itemIndex);
	let pageToken: string | undefined;
	do {
		const pageSize = Math.min(query.pageSize, query.limit - rows.length);
		let response;
		try {
			response = await client.send<{ items?: unknown; has_more?: boolean; page_token?: string }>(
				{
					method: 'GET',
					path,
					qs: {
						page_size: pageSize,
						...(query.filter ? { filter: query.filter } : {}),
						...(query.select ? { select: query.select } : {}),
						...(query.order ? { order: query.order } : {}),
						...(pageToken ? { page_token: pageToken } : {}),
					},
				},
				true,
			);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), batchFailure(error).message, { itemIndex });
		}
		if (!isSuccess(response)) {
			const error = describeDataTableError(response);
			throw new NodeApiError(ctx.getNode(), (response.body ?? {}) as IDataObject as never, {
				itemIndex,
				message: error.message,
				description: error.hint,
				httpCode: error.httpCode,
			});
		}
		const data = response.body?.data;
		rows.push(...parseItems(data?.items));
		pageToken = data?.has_more ? pageTokens.next(data.page_token) : undefined;
	} while (pageToken && rows.length < query.limit);
	return rows.slice(0, query.limit);
}
