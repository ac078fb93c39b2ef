import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { returnAllOrLimit } from '../../../shared/descriptions';
import { readEachItem } from '../../../shared/reader';
import type { ServiceClient } from '../../../shared/client';
import type { ObjectTarget } from '../../transport';
import { MAX_BATCH } from '../../transport';
import { lookUpObject, unreadableObject } from '../../transport/fields';
import { combineProperty, conditionsProperty, optionsFor } from '../descriptions';
import type { Condition, QueryRequest } from './read';
import { MAX_CONDITIONS, criterionOf, queryRecords } from './read';

const show = { resource: ['objectRecord'], operation: ['getAll'] };

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
	conditionsProperty({
		displayName: 'Conditions',
		name: 'filters',
		description: `Only records that meet these conditions (at most ${MAX_CONDITIONS})`,
		displayOptions: { show },
	}),
	combineProperty('combineConditions', { show }),
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

/** POST .../records/batch_query, page after page; each input item runs its own query. */
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: ObjectTarget,
): Promise<INodeExecutionData[]> {
	const { pageSize } = this.getNodeParameter('options', 0, {}) as { pageSize?: number };
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
		return await queryRecords(client, target, { select, limit, pageSize, itemIndex, ...filterOf(this, itemIndex, target) });
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
function filterOf(ctx: IExecuteFunctions, itemIndex: number, target: ObjectTarget): Pick<QueryRequest, 'filter' | 'order_by'> {
	const query: Pick<QueryRequest, 'filter' | 'order_by'> = {};
	const conditions = ctx.getNodeParameter('filters.conditions', itemIndex, []) as Condition[];
	const combine = ctx.getNodeParameter('combineConditions', itemIndex, 'and');
	const filter = criterionOf(ctx, target, conditions, combine, { itemIndex, parameter: 'Conditions' });
	if (filter) query.filter = filter;
	const sort = (ctx.getNodeParameter('sort.rules', itemIndex, []) as Array<{ field?: string; direction?: string }>) ?? [];
	const orderBy = sort
		.filter((rule) => String(rule.field ?? '').trim() !== '')
		.map((rule) => ({ field: String(rule.field).trim(), direction: rule.direction === 'DESC' ? 'DESC' : 'ASC' }));
	if (orderBy.length > 0) query.order_by = orderBy;
	return query;
}
