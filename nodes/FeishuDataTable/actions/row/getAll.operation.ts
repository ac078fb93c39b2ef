import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { parseItems } from '../../../feishu/api';
import type { ServiceClient } from '../../../shared/client';
import { optionsCollection, rateLimitWaitOption, returnAllOrLimit } from '../../../shared/descriptions';
import { RecordInputError } from '../../../shared/errors';
import { readEachItem, readPages } from '../../../shared/reader';
import type { TableTarget } from '../../transport';
import { MAX_ROWS_PER_REQUEST, queryOf, tablePath } from '../../transport';
import { checkColumnName } from '../../transport/filter';
import { TABLE_DEPENDENT, columnParameter, dataTableTimeoutOption } from '../descriptions';
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
	optionsCollection([...queryOptions, rateLimitWaitOption, dataTableTimeoutOption], { displayOptions }),
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
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
): Promise<INodeExecutionData[]> {
	const path = tablePath(this, target.workspaceId, target.table, 'records');
	return await readEachItem(this, async (itemIndex) => {
		const query = readQuery(this, itemIndex);
		return await readPages(client, { limit: query.limit, itemIndex }, async (pageToken, wanted) => {
			const data = await client.read<{ items?: unknown; has_more?: boolean; page_token?: string }>(
				{
					method: 'GET',
					path,
					qs: queryOf({
						page_size: Math.min(query.pageSize, wanted),
						filter: query.filter,
						select: query.select,
						order: query.order,
						page_token: pageToken,
					}),
				},
				`Could not read rows of table "${target.table}"`,
				itemIndex,
			);
			return { records: parseItems(this.getNode(), data.items, 'rows'), next: data.has_more ? data.page_token : undefined };
		});
	});
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
