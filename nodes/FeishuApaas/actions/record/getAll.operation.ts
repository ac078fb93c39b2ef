import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { returnAllOrLimit } from '../../../shared/descriptions';
import { readEachItem, readPages } from '../../../shared/reader';
import { parseItems } from '../../../feishu/api';
import type { ServiceClient } from '../../../shared/client';
import type { ObjectTarget } from '../../transport';
import { MAX_BATCH, recordsPath } from '../../transport';
import { lookUpObject, unreadableObject } from '../../transport/fields';
import { optionsFor } from '../descriptions';

const show = { resource: ['objectRecord'], operation: ['getAll'] };

// The service takes at most 10 conditions per query.
const MAX_CONDITIONS = 10;

export const description: INodeProperties[] = [
	...returnAllOrLimit({ show }),
	{
		displayName: 'Fields to Return',
		name: 'select',
		type: 'string',
		default: '',
		placeholder: '_id, book_name, book_count',
		description:
			'Comma-separated API names of the fields to return; a dot reads through a lookup (owner._name). Leave empty for all fields of the object.',
		displayOptions: { show },
	},
	{
		displayName: 'Conditions',
		name: 'filters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Condition',
		default: {},
		description: `Only records that meet these conditions (at most ${MAX_CONDITIONS})`,
		displayOptions: { show },
		options: [
			{
				displayName: 'Condition',
				name: 'conditions',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'book_name',
						description: 'API name of the field to compare',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'string',
						default: 'equal',
						description: 'The aPaaS condition operator, e.g. equal',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'The value to compare the field with',
					},
				],
			},
		],
	},
	{
		displayName: 'Combine Conditions',
		name: 'combineConditions',
		type: 'options',
		options: [
			{ name: 'All Must Match (AND)', value: 'and' },
			{ name: 'Any May Match (OR)', value: 'or' },
		],
		default: 'and',
		displayOptions: { show },
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Sort Rule',
		default: {},
		description: 'The first rule sorts first',
		displayOptions: { show },
		options: [
			{
				displayName: 'Rule',
				name: 'rules',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '_id',
						description: 'API name of the field to sort by',
					},
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [
							{ name: 'Ascending', value: 'ASC' },
							{ name: 'Descending', value: 'DESC' },
						],
						default: 'ASC',
					},
				],
			},
		],
	},
	optionsFor('getAll', [
		{
			displayName: 'Page Size',
			name: 'pageSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_BATCH },
			default: MAX_BATCH,
			description: `Records per request, at most ${MAX_BATCH}`,
		},
	]),
];

interface QueryAnswer {
	items?: string;
	has_more?: boolean;
	next_page_token?: string;
}

interface Condition {
	field?: string;
	operator?: string;
	value?: unknown;
}

/** POST .../records/batch_query, page after page; each input item runs its own query. */
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: ObjectTarget,
): Promise<INodeExecutionData[]> {
	const { pageSize } = this.getNodeParameter('options', 0, {}) as { pageSize?: number };
	const pageLimit = Math.min(MAX_BATCH, Math.max(1, Math.floor(pageSize ?? MAX_BATCH)));
	let allFields: string[] | undefined;

	return await readEachItem(this, async (itemIndex) => {
		let select = splitNames(this.getNodeParameter('select', itemIndex, '') as string);
		if (select.length === 0) {
			allFields ??= await allFieldsOf(this, client, target, itemIndex);
			if (allFields.length === 0) {
				throw new NodeOperationError(
					this.getNode(),
					`Feishu returned no field list for object "${target.objectApiName}": list the fields to return under "Fields to Return"`,
					{ itemIndex },
				);
			}
			select = allFields;
		}
		const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex) as number);
		const query: IDataObject = { select, use_page_token: true, ...filterOf(this, itemIndex, target) };
		return await readPages(client, { limit, itemIndex }, async (pageToken, wanted) => {
			const body: IDataObject = { ...query, page_size: Math.min(pageLimit, wanted) };
			if (pageToken) body.page_token = pageToken;
			const data = await client.read<QueryAnswer>(
				{ method: 'POST', path: recordsPath(target, 'batch_query'), body },
				`Could not read records of object "${target.objectApiName}"`,
				itemIndex,
			);
			const next = data.next_page_token;
			const records = parseItems(this.getNode(), data.items);
			// The service marks the last page with has_more false, no token, the text "null", or no records.
			return { records, next: data.has_more && next && next !== 'null' && records.length > 0 ? next : undefined };
		});
	});
}

/** The API names of every field of the object, for "Fields to Return" left empty. */
async function allFieldsOf(ctx: IExecuteFunctions, client: ServiceClient, target: ObjectTarget, itemIndex: number): Promise<string[]> {
	const lookup = await lookUpObject(client, target);
	if (lookup.found) return lookup.fields.map((field) => field.api_name);
	const { message, fix } = unreadableObject(target, lookup.error);
	throw new NodeOperationError(ctx.getNode(), message, { description: fix, itemIndex });
}

function splitNames(text: string): string[] {
	return String(text ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
}

/** The query's `filter` and `order_by`, in the service's criterion format. */
function filterOf(ctx: IExecuteFunctions, itemIndex: number, target: ObjectTarget): IDataObject {
	const query: IDataObject = {};
	const conditions = ((ctx.getNodeParameter('filters.conditions', itemIndex, []) as Condition[]) ?? []).filter(
		(condition) => String(condition.field ?? '').trim() !== '',
	);
	if (conditions.length > MAX_CONDITIONS) {
		throw new NodeOperationError(ctx.getNode(), `At most ${MAX_CONDITIONS} conditions are allowed, got ${conditions.length}`, {
			itemIndex,
		});
	}
	if (conditions.length > 0) {
		const combine = ctx.getNodeParameter('combineConditions', itemIndex, 'and') as string;
		query.filter = {
			conditions: conditions.map((condition, index) => ({
				index: String(index + 1),
				left: {
					type: 'metadataVariable',
					settings: JSON.stringify({
						fieldPath: [{ fieldApiName: String(condition.field).trim(), objectApiName: target.objectApiName }],
					}),
				},
				right: { type: 'constant', settings: JSON.stringify({ data: condition.value ?? '' }) },
				operator: String(condition.operator ?? '').trim() || 'equal',
			})),
			logic_expression: conditions.map((_, index) => index + 1).join(` ${combine === 'or' ? 'or' : 'and'} `),
		};
	}
	const sort = (ctx.getNodeParameter('sort.rules', itemIndex, []) as Array<{ field?: string; direction?: string }>) ?? [];
	const orderBy = sort
		.filter((rule) => String(rule.field ?? '').trim() !== '')
		.map((rule) => ({ field: String(rule.field).trim(), direction: rule.direction === 'DESC' ? 'DESC' : 'ASC' }));
	if (orderBy.length > 0) query.order_by = orderBy;
	return query;
}
