import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { RecordInputError } from '../../shared/errors';
import type { FilterCombinator, FilterCondition } from '../transport/filter';
import { buildFilter } from '../transport/filter';
import { columnParameter } from './descriptions';

/** Filters of Get Many, Delete and Update by filter: the UI, and each item's PostgREST expression. */
const VALUELESS_OPERATORS = ['isNull', 'isNotNull', 'isTrue', 'isFalse'];

/** The filter UI: conditions on columns, or a raw PostgREST expression. */
export function filterParameters(displayOptions: IDisplayOptions, optional: boolean): INodeProperties[] {
	const filterType: INodeProperties = {
		displayName: 'Filter',
		name: 'filterType',
		type: 'options',
		options: [
			...(optional ? [{ name: 'None (All Rows)', value: 'none' }] : []),
			{ name: 'Build Conditions', value: 'conditions' },
			{
				name: 'Raw Expression',
				value: 'expression',
				description: 'A PostgREST filter, for conditions the builder cannot express',
			},
		],
		default: 'conditions',
		displayOptions,
	};
	if (optional) filterType.default = 'none';
	const show = (type: string): IDisplayOptions => ({
		show: { ...displayOptions.show, filterType: [type] },
	});
	return [
		filterType,
		{
			displayName: 'Match',
			name: 'combinator',
			type: 'options',
			options: [
				{ name: 'All Conditions', value: 'and' },
				{ name: 'Any Condition', value: 'or' },
			],
			default: 'and',
			displayOptions: show('conditions'),
		},
		{
			displayName: 'Conditions',
			name: 'conditions',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true },
			placeholder: 'Add Condition',
			default: {},
			hint: 'Values are matched literally, whatever characters they contain',
			displayOptions: show('conditions'),
			options: [
				{
					name: 'condition',
					displayName: 'Condition',
					values: [
						columnParameter,
						{
							displayName: 'Operator',
							name: 'operator',
							type: 'options',
							// eslint-disable-next-line n8n-nodes-base/node-param-options-type-unsorted-items
							options: [
								{ name: 'Equals', value: 'eq' },
								{ name: 'Not Equals', value: 'neq' },
								{ name: 'Greater Than', value: 'gt' },
								{ name: 'Greater Than or Equal', value: 'gte' },
								{ name: 'Less Than', value: 'lt' },
								{ name: 'Less Than or Equal', value: 'lte' },
								{ name: 'Like (Case-Sensitive)', value: 'like' },
								{ name: 'Like (Case-Insensitive)', value: 'ilike' },
								{ name: 'Is One Of', value: 'in' },
								{ name: 'Is None Of', value: 'notIn' },
								{ name: 'Is Empty (Null)', value: 'isNull' },
								{ name: 'Is Not Empty (Not Null)', value: 'isNotNull' },
								{ name: 'Is True', value: 'isTrue' },
								{ name: 'Is False', value: 'isFalse' },
							],
							default: 'eq',
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							hint: 'For "Like", % or * match any text. For "Is One Of" / "Is None Of", a comma-separated list, or a JSON array when values contain commas.',
							displayOptions: { hide: { operator: VALUELESS_OPERATORS } },
						},
					],
				},
			],
		},
		{
			displayName: 'Filter Expression',
			name: 'filterExpression',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'or=(status.eq.open,amount.gt.100)',
			description:
				'PostgREST horizontal filtering syntax. Double-quote values that contain , . : ( ) and escape " and \\ with a backslash, e.g. name.eq."Smith, J."',
			displayOptions: show('expression'),
		},
	];
}

/** One item's filter expression; empty when the operation allows "all rows" and none is set. */
export function readFilter(ctx: IExecuteFunctions, itemIndex: number): string {
	const filterType = ctx.getNodeParameter('filterType', itemIndex, 'none') as string;
	if (filterType === 'expression') {
		return String(ctx.getNodeParameter('filterExpression', itemIndex, '')).trim();
	}
	if (filterType !== 'conditions') return '';
	const combinator = ctx.getNodeParameter('combinator', itemIndex, 'and') as FilterCombinator;
	const conditions = ctx.getNodeParameter('conditions.condition', itemIndex, []) as FilterCondition[];
	return buildFilter(conditions, combinator);
}

/** Deletes and updates by filter must never run on the whole table by accident. */
export function requireFilter(filter: string): string {
	if (filter === '') {
		throw new RecordInputError(
			'The filter is empty. Add at least one condition; to target every row on purpose, use the raw expression _id=not.is.null.',
		);
	}
	return filter;
}
