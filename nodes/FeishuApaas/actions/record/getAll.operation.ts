import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { returnAllOrLimit } from '../../../shared/descriptions';
import { PageTokens } from '../../../shared/paging';
import type { ApaasClient, ObjectTarget } from '../../transport';
import { MAX_BATCH, apaasRequest, isSuccess, recordsPath } from '../../transport';
import { objectFields } from '../../transport/fields';
import { requestFailure } from '../../transport/results';
import { optionsFor } from '../common';

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
	client: ApaasClient,
	target: ObjectTarget,
): Promise<INodeExecutionData[]> {
	const { pageSize } = this.getNodeParameter('options', 0, {}) as { pageSize?: number };
	const pageLimit = Math.min(MAX_BATCH, Math.max(1, Math.floor(pageSize ?? MAX_BATCH)));
	let allFields: string[] | undefined;
	const output: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		try {
			let select = splitNames(this.getNodeParameter('select', itemIndex, '') as string);
			if (select.length === 0) {
				allFields ??= (await objectFields(this, client, target)).map((field) => field.api_name);
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
			const records = await queryAll(this, client, target, query, pageLimit, limit, itemIndex);
			output.push(...records.map((json) => ({ json, pairedItem: { item: itemIndex } })));
		} catch (error) {
			const failure =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			if (!this.continueOnFail()) throw failure;
			const details: IDataObject = { itemIndex };
			if (failure instanceof NodeApiError && failure.httpCode) details.httpCode = failure.httpCode;
			output.push({
				json: { error: failure.message, message: failure.description ?? failure.message, details },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return output;
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

async function queryAll(
	ctx: IExecuteFunctions,
	client: ApaasClient,
	target: ObjectTarget,
	query: IDataObject,
	pageLimit: number,
	limit: number,
	itemIndex: number,
): Promise<IDataObject[]> {
	const records: IDataObject[] = [];
	const pageTokens = new PageTokens(ctx, 'Feishu', itemIndex);
	let pageToken: string | undefined;

	while (records.length < limit) {
		const body: IDataObject = { ...query, page_size: Math.min(pageLimit, limit - records.length) };
		if (pageToken) body.page_token = pageToken;
		// A query changes nothing, so it is safe to resend.
		const response = await apaasRequest<QueryAnswer>(ctx, client, 'POST', recordsPath(target, 'batch_query'), body, true);
		if (!isSuccess(response)) {
			const failure = requestFailure(response);
			throw new NodeApiError(ctx.getNode(), (response.body ?? {}) as JsonObject, {
				message: failure.message,
				httpCode: failure.httpCode,
				itemIndex,
			});
		}
		const page = parseItems(ctx, response.body?.data?.items, itemIndex);
		records.push(...page.slice(0, limit - records.length));

		const next = response.body?.data?.next_page_token;
		// The service marks the last page with has_more false, no token, or the text "null".
		if (!response.body?.data?.has_more || !next || next === 'null' || page.length === 0) break;
		pageToken = pageTokens.next(next);
	}
	return records;
}

/** `data.items` is a JSON string holding the page's records. */
function parseItems(ctx: IExecuteFunctions, items: unknown, itemIndex: number): IDataObject[] {
	if (items === undefined || items === null || items === '') return [];
	let parsed: unknown = items;
	if (typeof items === 'string') {
		try {
			parsed = JSON.parse(items);
		} catch {
			throw new NodeOperationError(ctx.getNode(), 'Feishu answered with records that are not valid JSON', { itemIndex });
		}
	}
	if (!Array.isArray(parsed)) {
		throw new NodeOperationError(ctx.getNode(), 'Feishu answered with records in an unexpected shape', { itemIndex });
	}
	return parsed.filter((record): record is IDataObject => typeof record === 'object' && record !== null);
}
