import type {
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import { optionsCollection, rateLimitWaitOption, returnAllOrLimit } from '../../../shared/descriptions';
import { RecordInputError } from '../../../shared/errors';
import { readEachItem } from '../../../shared/reader';
import type { TableTarget } from '../../transport';
import { MAX_ROWS_PER_REQUEST } from '../../transport';
import { checkColumnName } from '../../transport/filter';
import { TABLE_DEPENDENT, columnParameter, dataTableTimeoutOption } from '../descriptions';
import { filterParameters, readFilter } from '../filters';
import type { RowQuery } from './read';
import { RowReader } from './read';

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

/** One query per item (filters may use the item's data), each row an output item paired with it. */
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
): Promise<INodeExecutionData[]> {
	const reader = new RowReader(client, target);
	return await readEachItem(this, async (itemIndex) => await reader.rows({ ...readQuery(this, itemIndex), itemIndex }));
}

function readQuery(ctx: IExecuteFunctions, itemIndex: number): RowQuery {
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
