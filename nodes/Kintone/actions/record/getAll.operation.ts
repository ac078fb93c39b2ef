import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, rateLimitWaitOption, returnAllOrLimit } from '../../../shared/descriptions';
import type { KintoneSession } from '../../transport';
import { appIdOf, asNodeError, openSession, requestKintone } from '../../transport';
import { appLocator, guestSpaceOption, timeoutOption } from '../descriptions';

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
	optionsCollection([guestSpaceOption, rateLimitWaitOption, timeoutOption]),
];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['getAll'] } }, properties);

type KintoneRecord = Record<string, { type?: string; value?: unknown }>;

interface ReadRequest {
	app: string;
	query: string;
	fields: string[];
	/** Records wanted; Infinity for all. */
	max: number;
	itemIndex: number;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const app = appIdOf(this, this.getNodeParameter('app', 0, '', { extractValue: true }));
	const session = await openSession(this, {
		guestSpaceId: options.guestSpaceId,
		timeout: options.timeout as number | undefined,
		rateLimitWait: options.rateLimitWait,
	});
	const output: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
		try {
			const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
			const request: ReadRequest = {
				app,
				query: checkedQuery(this, this.getNodeParameter('query', itemIndex, '') as string, itemIndex),
				fields: fieldList(this.getNodeParameter('fields', itemIndex, []) as string[] | string),
				max: returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number),
				itemIndex,
			};
			const records =
				request.max <= PAGE_SIZE ? await readPage(session, request) : await readWithCursor(session, request);
			const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
			for (const record of records) {
				output.push({ json: simplify ? simplified(record) : (record as IDataObject), pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, itemIndex);
			output.push({
				json: { error: (error as Error).message },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return output;
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

/** Up to 500 records in one GET. */
async function readPage(session: KintoneSession, request: ReadRequest): Promise<KintoneRecord[]> {
	const qs: IDataObject = { app: request.app, query: `${request.query} limit ${request.max}`.trim(), fields: request.fields };
	const body = await requestKintone<{ records?: KintoneRecord[] }>(
		session,
		{ method: 'GET', endpoint: 'records', qs, idempotent: true },
		`Could not read records of app ${request.app}`,
		request.itemIndex,
	);
	return body.records ?? [];
}

/**
 * Any number of records through a cursor, 500 per page. kintone deletes a cursor that was read to
 * the end; one left earlier (limit reached, or an error) is deleted here, as kintone allows only
 * 10 open cursors per domain.
 */
async function readWithCursor(session: KintoneSession, request: ReadRequest): Promise<KintoneRecord[]> {
	const { id } = await requestKintone<{ id: string }>(
		session,
		{
			method: 'POST',
			endpoint: 'records/cursor',
			body: {
				app: request.app,
				query: request.query,
				size: Math.min(PAGE_SIZE, request.max),
				...(request.fields.length ? { fields: request.fields } : {}),
			},
			// A replay could open a second cursor that nobody deletes.
			idempotent: false,
		},
		`Could not start reading records of app ${request.app}`,
		request.itemIndex,
	);
	const records: KintoneRecord[] = [];
	let finished = false;
	try {
		while (records.length < request.max) {
			const page = await requestKintone<{ records?: KintoneRecord[]; next?: boolean }>(
				session,
				// Each read moves the cursor on: a replay would skip a page.
				{ method: 'GET', endpoint: 'records/cursor', qs: { id }, idempotent: false },
				`Could not read records of app ${request.app} (after ${records.length})`,
				request.itemIndex,
			);
			records.push(...(page.records ?? []));
			if (!page.next) {
				finished = true;
				break;
			}
		}
	} finally {
		if (!finished) await deleteCursor(session, id);
	}
	return records.slice(0, request.max);
}

async function deleteCursor(session: KintoneSession, id: string): Promise<void> {
	try {
		await requestKintone(
			session,
			{ method: 'DELETE', endpoint: 'records/cursor', body: { id }, idempotent: true },
			'Could not delete the cursor',
		);
	} catch (error) {
		// The read's own result or error matters more; kintone drops idle cursors after 10 minutes.
		session.ctx.logger.warn(`kintone cursor ${id} could not be deleted: ${(error as Error).message}`);
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
