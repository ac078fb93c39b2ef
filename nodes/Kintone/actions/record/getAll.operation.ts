import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, rateLimitWaitOption, returnAllOrLimit } from '../../../shared/descriptions';
import type { ServiceClient } from '../../../shared/client';
import { readEachItem, readPages } from '../../../shared/reader';
import type { KintoneCall, KintoneTarget } from '../../transport';
import { kintoneRequest } from '../../transport';
import { appLocator, guestSpaceOption, kintoneTimeoutOption } from '../descriptions';

/** kintone returns at most 500 records per page; the cursor API reads past offset 10,000. */
const PAGE_SIZE = 500;

const properties: INodeProperties[] = [
	appLocator,
	...returnAllOrLimit(),
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: 'Status in ("Open") and Amount > 100 order by Amount desc',
		description:
			'A kintone query: conditions and "order by", without "limit" or "offset" (use Limit or Return All). Empty: all records.',
		hint: 'Field codes, not labels, e.g. Customer like "Acme"',
	},
	{
		displayName: 'Field Names or IDs',
		name: 'fields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getReadableFields', loadOptionsDependsOn: ['app.value', 'options.guestSpaceId'] },
		default: [],
		description:
			'Fields to return. Empty: all fields. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			"Whether to return each field's value only (e.g. \"Name\": \"Acme\") instead of kintone's {type, value} objects",
	},
	optionsCollection([guestSpaceOption, rateLimitWaitOption, kintoneTimeoutOption]),
];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['getAll'] } }, properties);

type KintoneRecord = Record<string, { type?: string; value?: unknown }>;

interface ReadRequest {
	query: string;
	fields: string[];
	/** Records wanted; Infinity for all. */
	max: number;
	itemIndex: number;
}

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	const reader = new RecordReader(client, target);
	return await readEachItem(this, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const request: ReadRequest = {
			query: checkedQuery(this, this.getNodeParameter('query', itemIndex, '') as string, itemIndex),
			fields: fieldList(this.getNodeParameter('fields', itemIndex, []) as string[] | string),
			max: returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number),
			itemIndex,
		};
		const records = request.max <= PAGE_SIZE ? await reader.page(request) : await reader.throughCursor(request);
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		return records.map((record) => (simplify ? simplified(record) : (record as IDataObject)));
	});
}

function checkedQuery(ctx: IExecuteFunctions, query: string, itemIndex: number): string {
	const trimmed = (query ?? '').trim();
	if (/\b(?:limit|offset)\s+\d+\s*(?:(?:limit|offset)\s+\d+\s*)?$/i.test(trimmed)) {
		throw new NodeOperationError(ctx.getNode(), 'Remove "limit" and "offset" from the query', {
			itemIndex,
			description: 'Use the Limit parameter or Return All: they read past 10,000 records too.',
		});
	}
	return trimmed;
}

function fieldList(fields: string[] | string): string[] {
	const list = Array.isArray(fields) ? fields : String(fields ?? '').split(',');
	return list.map((field) => field.trim()).filter(Boolean);
}

/** Reads records of the app: one page, or any number through a cursor. */
class RecordReader {
	constructor(
		private readonly client: ServiceClient,
		private readonly target: KintoneTarget,
	) {}

	private async call<T>(call: KintoneCall, doing: string, itemIndex?: number, idempotent = true): Promise<T> {
		return await this.client.read<T>(kintoneRequest(this.client, this.target, call), doing, itemIndex, idempotent);
	}

	/** Up to 500 records in one GET. */
	async page(request: ReadRequest): Promise<KintoneRecord[]> {
		const qs: IDataObject = { app: this.target.app, query: `${request.query} limit ${request.max}`.trim(), fields: request.fields };
		const body = await this.call<{ records?: KintoneRecord[] }>(
			{ method: 'GET', endpoint: 'records', qs },
			`Could not read records of app ${this.target.app}`,
			request.itemIndex,
		);
		return body.records ?? [];
	}

	/**
	 * Any number of records through a cursor, 500 per page. kintone deletes a cursor that was read to
	 * the end; one left earlier (limit reached, or an error) is deleted here, as kintone allows only
	 * 10 open cursors per domain.
	 */
	async throughCursor(request: ReadRequest): Promise<KintoneRecord[]> {
		const { app } = this.target;
		const { id } = await this.call<{ id: string }>(
			{
				method: 'POST',
				endpoint: 'records/cursor',
				body: { app, query: request.query, size: Math.min(PAGE_SIZE, request.max), ...(request.fields.length ? { fields: request.fields } : {}) },
			},
			`Could not start reading records of app ${app}`,
			request.itemIndex,
			// A replay could open a second cursor that nobody deletes.
			false,
		);
		let finished = false;
		let read = 0;
		try {
			return await readPages(this.client, { limit: request.max, itemIndex: request.itemIndex }, async () => {
				const page = await this.call<{ records?: KintoneRecord[]; next?: boolean }>(
					{ method: 'GET', endpoint: 'records/cursor', qs: { id } },
					`Could not read records of app ${app} (after ${read})`,
					request.itemIndex,
					// Each read moves the cursor on: a replay would skip a page.
					false,
				);
				read += page.records?.length ?? 0;
				finished = !page.next;
				return { records: page.records ?? [], more: page.next === true };
			});
		} finally {
			if (!finished) await this.deleteCursor(id);
		}
	}

	private async deleteCursor(id: string): Promise<void> {
		try {
			await this.call({ method: 'DELETE', endpoint: 'records/cursor', body: { id } }, 'Could not delete the cursor');
		} catch (error) {
			// The read's own result or error matters more; kintone drops idle cursors after 10 minutes.
			this.client.ctx.logger.warn(`kintone cursor ${id} could not be deleted: ${(error as Error).message}`);
		}
	}
}

/** `{code: value}` with `$id` and `$revision`, instead of kintone's `{code: {type, value}}`. */
function simplified(record: KintoneRecord): IDataObject {
	const result: IDataObject = {};
	for (const [code, field] of Object.entries(record)) {
		result[code] = field?.type === 'SUBTABLE' ? simplifiedRows(field.value) : (field?.value as IDataObject[keyof IDataObject]);
	}
	return result;
}

function simplifiedRows(rows: unknown): IDataObject[] {
	return ((rows ?? []) as Array<{ id?: string; value?: KintoneRecord }>).map((row) => ({
		id: row.id,
		...simplified(row.value ?? {}),
	}));
}
