import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseItems } from '../../../feishu/api';
import type { ServiceClient } from '../../../shared/client';
import { readPages } from '../../../shared/reader';
import type { ObjectTarget } from '../../transport';
import { MAX_BATCH, recordsPath } from '../../transport';

/** batch_query takes at most 10 conditions (open.feishu.cn/document/apaas-v1/application-object-record/batch_query). */
export const MAX_CONDITIONS = 10;

/** One condition as Get Many's "Conditions" (and Sync's "Scope") hold it. */
export interface Condition {
	field?: string;
	operator?: string;
	value?: unknown;
}

/** A batch_query `filter` ("criterion"). */
export interface Criterion extends IDataObject {
	conditions: IDataObject[];
	logic_expression: string;
}

export interface QueryRequest {
	select: string[];
	filter?: Criterion;
	order_by?: IDataObject[];
	/** Records wanted; Infinity for all. */
	limit: number;
	/** Records per page, at most 500. */
	pageSize?: number;
	itemIndex?: number;
}

interface QueryAnswer {
	items?: string;
	has_more?: boolean;
	next_page_token?: string;
}

/** POST .../records/batch_query, page after page by page token, through the run's client (throttled, retried). */
export async function queryRecords(client: ServiceClient, target: ObjectTarget, request: QueryRequest): Promise<IDataObject[]> {
	const pageSize = Math.min(MAX_BATCH, Math.max(1, Math.floor(request.pageSize ?? MAX_BATCH)));
	const query: IDataObject = { select: request.select, use_page_token: true };
	if (request.filter) query.filter = request.filter;
	if (request.order_by) query.order_by = request.order_by;
	return await readPages(client, { limit: request.limit, itemIndex: request.itemIndex }, async (pageToken, wanted) => {
		const body: IDataObject = { ...query, page_size: Math.min(pageSize, wanted) };
		if (pageToken) body.page_token = pageToken;
		const data = await client.read<QueryAnswer>(
			{ method: 'POST', path: recordsPath(target, 'batch_query'), body },
			`Could not read records of object "${target.objectApiName}"`,
			request.itemIndex,
		);
		const next = data.next_page_token;
		const records = parseItems(client.ctx.getNode(), data.items);
		// The service marks the last page with has_more false, no token, the text "null", or no records.
		return { records, next: data.has_more && next && next !== 'null' && records.length > 0 ? next : undefined };
	});
}

/** How many records the object holds (one request of one record, with the total count). */
export async function countRecords(client: ServiceClient, target: ObjectTarget): Promise<number> {
	const data = await client.read<{ total?: number }>(
		{ method: 'POST', path: recordsPath(target, 'batch_query'), body: { select: ['_id'], page_size: 1, need_total_count: true } },
		`Could not count the records of object "${target.objectApiName}"`,
	);
	return Number(data.total ?? 0);
}

/**
 * The criterion of conditions as the user writes them (field, operator, value), combined with
 * "and" or "or"; none when no condition names a field. More than 10 fail, naming `what`.
 */
export function criterionOf(
	ctx: IExecuteFunctions,
	target: ObjectTarget,
	entered: Condition[] | undefined,
	combine: unknown,
	what: { itemIndex?: number; parameter: string },
): Criterion | undefined {
	const conditions = (entered ?? []).filter((condition) => String(condition.field ?? '').trim() !== '');
	if (conditions.length > MAX_CONDITIONS) {
		throw new NodeOperationError(ctx.getNode(), `At most ${MAX_CONDITIONS} conditions are allowed in ${what.parameter}, got ${conditions.length}`, {
			itemIndex: what.itemIndex,
			description: `Feishu's record query takes ${MAX_CONDITIONS} conditions at most: remove some.`,
		});
	}
	if (conditions.length === 0) return undefined;
	return criterion(
		target,
		conditions.map((condition) => ({
			field: String(condition.field).trim(),
			operator: String(condition.operator ?? '').trim() || 'equal',
			value: condition.value ?? '',
		})),
		combine === 'or' ? 'or' : 'and',
	);
}

/**
 * Records whose `field` holds one of `values` (at most 10): batch_query documents no "in"
 * operator, only "equal", so each value is one condition and the conditions are joined by "or".
 */
export function oneOf(target: ObjectTarget, field: string, values: string[]): Criterion {
	return criterion(
		target,
		values.map((value) => ({ field, operator: 'equal', value })),
		'or',
	);
}

/** The documented criterion shape: a field on the left, a constant on the right, numbered conditions. */
function criterion(target: ObjectTarget, conditions: Array<Required<Condition>>, combine: 'and' | 'or'): Criterion {
	return {
		conditions: conditions.map((condition, index) => ({
			index: String(index + 1),
			left: {
				type: 'metadataVariable',
				settings: JSON.stringify({ fieldPath: [{ fieldApiName: condition.field, objectApiName: target.objectApiName }] }),
			},
			right: { type: 'constant', settings: JSON.stringify({ data: condition.value }) },
			operator: condition.operator,
		})),
		logic_expression: conditions.map((_, index) => index + 1).join(` ${combine} `),
	};
}
