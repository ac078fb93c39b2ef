import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import { Limiter } from '../../../shared/limiter';
import type { HttpResponse } from '../../../shared/request';
import type { KintoneTarget } from '../../transport';
import { kintonePath } from '../../transport/url';
import type { KintoneRecord } from './read';

/** Downloads in flight at once: each answer is written to n8n's binary data as it arrives. */
const DOWNLOAD_CONCURRENCY = 4;

export const downloadOptions: INodeProperties[] = [
	{
		displayName: 'Download Attachments',
		name: 'download',
		type: 'boolean',
		default: false,
		description:
			"Whether to return each record's files as binary data, named after their field: invoice_0, invoice_1, or items_0_photo_0 for a table's cell",
	},
	{
		displayName: 'Attachment Field Names or IDs',
		name: 'downloadFields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFileFields', loadOptionsDependsOn: ['app.value', 'options.guestSpaceId'] },
		default: [],
		displayOptions: { show: { download: [true] } },
		description:
			'The attachment fields whose files to download. Empty: all of them. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Max File Size (MB)',
		name: 'maxDownloadMb',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 100,
		displayOptions: { show: { download: [true] } },
		description: 'Larger files are not downloaded; the record lists them under "_filesNotDownloaded". 0: no limit.',
	},
];

interface StoredFile {
	fileKey: string;
	name?: string;
	contentType?: string;
	size?: string;
}

interface FileSettings {
	fields: string[];
	maxBytes: number;
}

export function downloadSettings(ctx: IExecuteFunctions, itemIndex: number): FileSettings | undefined {
	if (!ctx.getNodeParameter('download', itemIndex, false)) return undefined;
	const megabytes = Number(ctx.getNodeParameter('maxDownloadMb', itemIndex, 100));
	return {
		fields: ctx.getNodeParameter('downloadFields', itemIndex, []) as string[],
		maxBytes: megabytes > 0 ? megabytes * 1024 * 1024 : Infinity,
	};
}

/** Where each file of a record goes: `invoice_0`, or `items_0_photo_0` for a table's cell. */
function filesOf(record: KintoneRecord, fields: string[]): Array<{ property: string; field: string; file: StoredFile }> {
	const wanted = (code: string) => fields.length === 0 || fields.includes(code);
	const found: Array<{ property: string; field: string; file: StoredFile }> = [];
	const add = (value: unknown, property: string, field: string) =>
		((value ?? []) as StoredFile[]).forEach((file, index) => found.push({ property: `${property}_${index}`, field, file }));
	for (const [code, field] of Object.entries(record)) {
		if (field?.type === 'FILE' && wanted(code)) add(field.value, code, code);
		if (field?.type !== 'SUBTABLE') continue;
		(field.value as Array<{ value?: KintoneRecord }>).forEach((row, rowIndex) => {
			for (const [cell, inner] of Object.entries(row.value ?? {})) {
				if (inner?.type === 'FILE' && (wanted(code) || wanted(cell))) add(inner.value, `${code}_${rowIndex}_${cell}`, `${code}[${rowIndex}].${cell}`);
			}
		});
	}
	return found;
}

/**
 * Each record's files as n8n binary data (`GET /k/v1/file.json?fileKey=`), a few at a time,
 * streamed into n8n's binary data store. Files over the size limit are listed, not downloaded.
 */
export class FileDownloads {
	private readonly limiter = new Limiter(DOWNLOAD_CONCURRENCY);

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly client: ServiceClient,
		private readonly target: KintoneTarget,
	) {}

	async of(record: KintoneRecord, settings: FileSettings, itemIndex: number): Promise<{ binary?: IBinaryKeyData; skipped?: IDataObject[] }> {
		const binary: IBinaryKeyData = {};
		const skipped: IDataObject[] = [];
		await Promise.all(
			filesOf(record, settings.fields).map(async ({ property, field, file }) => {
				if (Number(file.size) > settings.maxBytes) {
					skipped.push({ field, name: file.name, size: Number(file.size), reason: 'larger than Max File Size' });
					return;
				}
				binary[property] = await this.limiter.run(async () => await this.download(file, field, itemIndex));
			}),
		);
		return { ...(Object.keys(binary).length ? { binary } : {}), ...(skipped.length ? { skipped } : {}) };
	}

	private async download(file: StoredFile, field: string, itemIndex: number) {
		const { client, ctx } = this;
		const response = await client.send<AsyncIterable<Uint8Array>>(
			{ method: 'GET', path: kintonePath('file', this.target.guestSpaceId), qs: { fileKey: file.fileKey }, encoding: 'stream' },
			true,
		);
		if (!client.isSuccess(response)) {
			const { code, message } = client.describe({ ...response, body: await jsonOf(response) });
			throw new Error(`Item ${itemIndex}: could not download "${file.name}" of "${field}"${code ? ` (code ${code})` : ''}: ${message}`);
		}
		return await ctx.helpers.prepareBinaryData(response.body as never, file.name, file.contentType);
	}
}

/** The error body of a streamed answer, read whole (kintone's errors are short JSON). */
async function jsonOf(response: HttpResponse<AsyncIterable<Uint8Array>>): Promise<unknown> {
	const chunks: Uint8Array[] = [];
	for await (const chunk of response.body) chunks.push(chunk);
	const text = Buffer.concat(chunks).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
