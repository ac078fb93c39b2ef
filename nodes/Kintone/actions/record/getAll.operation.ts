import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, rateLimitWaitOption, returnAllOrLimit } from '../../../shared/descriptions';
import type { ServiceClient } from '../../../shared/client';
import { readEachItem } from '../../../shared/reader';
import type { KintoneTarget } from '../../transport';
import { appLocator, guestSpaceOption, kintoneTimeoutOption } from '../descriptions';
import { downloadOptions, downloadSettings, FileDownloads } from './downloads';
import type { KintoneRecord, ReadRequest } from './read';
import { PAGE_SIZE, RecordReader } from './read';


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
	...downloadOptions,
	optionsCollection([guestSpaceOption, rateLimitWaitOption, kintoneTimeoutOption]),
];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['getAll'] } }, properties);


export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	const reader = new RecordReader(client, target);
	const downloads = new FileDownloads(this, client, target);
	// Each record's files, by its output's json, put on the output items once they are made.
	const files = new WeakMap<IDataObject, IBinaryKeyData>();
	const output = await readEachItem(this, async (itemIndex) => {
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const request: ReadRequest = {
			query: checkedQuery(this, this.getNodeParameter('query', itemIndex, '') as string, itemIndex),
			fields: fieldList(this.getNodeParameter('fields', itemIndex, []) as string[] | string),
			max: returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number),
			itemIndex,
		};
		const records = request.max <= PAGE_SIZE ? await reader.page(request) : await reader.throughCursor(request);
		const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
		const download = downloadSettings(this, itemIndex);
		if (!download) return records.map((record) => (simplify ? simplified(record) : (record as IDataObject)));
		return await Promise.all(
			records.map(async (record) => {
				const json = simplify ? simplified(record) : { ...(record as IDataObject) };
				const { binary, skipped } = await downloads.of(record, download, itemIndex);
				if (skipped) json._filesNotDownloaded = skipped;
				if (binary) files.set(json, binary);
				return json;
			}),
		);
	});
	for (const item of output) {
		const binary = files.get(item.json);
		if (binary) item.binary = binary;
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

/** `{code: value}` with `$id` and `$revision`, instead of kintone's `{code: {type, value}}`. */
export function simplified(record: KintoneRecord): IDataObject {
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
