import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import type { ItemFile } from '../../../shared/binaries';
import { hasItemFile, itemFiles, openItemFile } from '../../../shared/binaries';
import { batchFailure, RecordInputError } from '../../../shared/errors';
import type { ServiceClient } from '../../../shared/client';
import { Limiter } from '../../../shared/limiter';
import type { RecordOutcome } from '../../../shared/results';
import { failed } from '../../../shared/results';
import { MultipartBody } from '../../../shared/upload';
import type { KintoneTarget } from '../../transport';
import { kintonePath } from '../../transport/url';
import type { FormFields } from '../../transport/fields';
import { RECORD_ID } from '../../transport/fields';
import { looseKeyText, RecordReader } from './read';
import type { RecordWrite } from './write';

/**
 * kintone keeps files of at most 1 GB each (its limits page, article 04044:
 * https://jp.cybozu.help/k/zh-tw/admin/limitation/limit.html). Larger files are refused before
 * anything is sent.
 */
export const MAX_FILE_BYTES = 1024 ** 3;

/** Uploads in flight at once for the whole run: each holds a connection, not the file (it is streamed). */
const UPLOAD_CONCURRENCY = 4;

/** A file upload (`POST /k/v1/file.json`) is one file per request; its fileKey fills one FILE entry. */
interface Upload {
	file: ItemFile;
	/** The FILE value it belongs to, e.g. `invoice` or `items[0].photo`, for messages. */
	field: string;
	list: unknown[];
	index: number;
}

/** The files of one record: what to upload before it is sent, and the FILE fields whose current files stay. */
export interface RecordFiles {
	uploads: Upload[];
	keep: string[];
}

/** A FILE entry naming the item's files rather than a fileKey; the upload replaces it. */
interface Placeholder {
	upload: string;
	binaryProperty: string;
	bytes?: number;
}

/**
 * Fills in the item's files in the FILE values of a record (top level and table cells): an entry
 * naming a binary property of the item (or `*`, all of them) becomes one placeholder per file,
 * uploaded just before the record is sent. Other entries are file keys. Throws for a file over
 * kintone's limit or a name the item has no file for.
 */
export function attachItemFiles(
	ctx: IExecuteFunctions,
	form: FormFields,
	keep: ReadonlySet<string>,
	itemIndex: number,
	record: IDataObject,
): RecordFiles | undefined {
	const files: RecordFiles = { uploads: [], keep: [] };
	const fill = (field: { value?: unknown } | undefined, path: string) => {
		if (!field || !Array.isArray(field.value)) return;
		field.value = field.value.flatMap((entry: { fileKey?: string }) => {
			const name = String(entry.fileKey ?? '').trim();
			if (name !== '*' && !hasItemFile(ctx, itemIndex, name)) return [checkedFileKey(name, path, entry)];
			return itemFiles(ctx, itemIndex, [name], path).map((file) => placeholder(file, path));
		});
		(field.value as unknown[]).forEach((entry, index) => {
			if (isPlaceholder(entry)) files.uploads.push({ file: fileOf(ctx, itemIndex, entry), field: path, list: field.value as unknown[], index });
		});
	};
	for (const code in record) {
		const field = record[code] as { value?: unknown } | undefined;
		const type = form[code]?.type;
		if (type === 'FILE') {
			fill(field, code);
			if (field && keep.has(code)) files.keep.push(code);
		} else if (type === 'SUBTABLE' && Array.isArray(field?.value)) {
			const cells = form[code].fields ?? {};
			(field.value as Array<{ value: Record<string, { value?: unknown }> }>).forEach((row, rowIndex) => {
				for (const cell in row.value) if (cells[cell]?.type === 'FILE') fill(row.value[cell], `${code}[${rowIndex}].${cell}`);
			});
		}
	}
	return files.uploads.length || files.keep.length ? files : undefined;
}

/** File keys come from kintone (a UUID after upload, a long code once attached); anything else is a misspelt file name. */
const FILE_KEY = /^[0-9A-Za-z][0-9A-Za-z-]{19,}$/;

function checkedFileKey(name: string, path: string, entry: unknown): unknown {
	if (FILE_KEY.test(name)) return entry;
	throw new RecordInputError(
		`"${path}" names "${name}", which is neither a file of the item (a binary property, or * for all) nor a kintone file key`,
		path,
	);
}

function placeholder(file: ItemFile, path: string): Placeholder {
	if (file.bytes !== undefined && file.bytes > MAX_FILE_BYTES) throw tooLarge(file, file.bytes, path);
	return { upload: file.name, binaryProperty: file.property, ...(file.bytes === undefined ? {} : { bytes: file.bytes }) };
}

function tooLarge(file: ItemFile, bytes: number, path: string): RecordInputError {
	return new RecordInputError(
		`"${path}": the file "${file.name}" (binary property "${file.property}") has ${bytes.toLocaleString('en-US')} bytes; kintone takes files of at most 1 GB`,
		path,
	);
}

function isPlaceholder(entry: unknown): entry is Placeholder {
	return typeof entry === 'object' && entry !== null && 'binaryProperty' in entry;
}

function fileOf(ctx: IExecuteFunctions, itemIndex: number, entry: Placeholder): ItemFile {
	return itemFiles(ctx, itemIndex, [entry.binaryProperty], entry.upload)[0];
}

type Send = (records: Array<PendingRecord<RecordWrite>>) => Promise<RecordOutcome[]>;

/**
 * Work before each batch of records with files: the current files of "Keep Existing Files In"
 * fields are read (one request for the batch), the item's files are uploaded, and only records
 * whose every file is in place are sent. A record whose file could not be uploaded is not sent.
 */
export function fileStep(ctx: IExecuteFunctions, client: ServiceClient, target: KintoneTarget) {
	const uploads = new Limiter(UPLOAD_CONCURRENCY);
	const reader = new RecordReader(client, target);
	return async (batch: Array<PendingRecord<RecordWrite>>, send: Send): Promise<RecordOutcome[]> => {
		if (!batch.some((record) => record.payload.files)) return await send(batch);
		const failures = new Map<PendingRecord<RecordWrite>, RecordOutcome>();
		await keepCurrentFiles(reader, batch, failures);
		await Promise.all(
			batch.flatMap((record) =>
				(record.payload.files?.uploads ?? []).map(async (upload) => {
					if (failures.has(record)) return;
					try {
						upload.list[upload.index] = { fileKey: await uploads.run(async () => await uploadFile(ctx, client, target, upload)) };
					} catch (error) {
						failures.set(record, notUploaded(record, upload, error));
					}
				}),
			),
		);
		const ready = batch.filter((record) => !failures.has(record));
		const sent = ready.length ? await send(ready) : [];
		// One outcome per record, in the batch's order.
		return batch.map((record) => failures.get(record) ?? sent[ready.indexOf(record)]);
	};
}

/** `POST /k/v1/file.json`, the file streamed from n8n's binary data; kintone answers its fileKey. */
async function uploadFile(ctx: IExecuteFunctions, client: ServiceClient, target: KintoneTarget, upload: Upload): Promise<string> {
	const source = await openItemFile(ctx, upload.file);
	if (source.bytes > MAX_FILE_BYTES) throw tooLarge(upload.file, source.bytes, upload.field);
	// Safe to resend: a fileKey no record uses is deleted by kintone after 3 days.
	const response = await client.send(
		{ method: 'POST', path: kintonePath('file', target.guestSpaceId), body: new MultipartBody('file', source) },
		true,
	);
	const fileKey = (response.body as { fileKey?: unknown } | undefined)?.fileKey;
	if (client.isSuccess(response) && typeof fileKey === 'string') return fileKey;
	const refusal = client.refusal(response);
	throw Object.assign(new Error(refusal.message), { refusal });
}

function notUploaded(record: PendingRecord<RecordWrite>, upload: Upload, error: unknown): RecordOutcome {
	const cause = (error as { refusal?: ReturnType<ServiceClient['refusal']> }).refusal ?? batchFailure(error);
	return failed(
		record.itemIndex,
		{
			...cause,
			message: `The file "${upload.file.name}" (binary property "${upload.file.property}") for "${upload.field}" could not be uploaded, so the record was not sent: ${cause.message}`,
			outcome: 'notSent',
			fields: [upload.field],
		},
		record.key,
	);
}

/**
 * Puts the current files of the "Keep Existing Files In" fields before the new ones (kintone
 * replaces a FILE field with the files a write lists; listing a file a record has keeps it:
 * https://developer.cybozu.io/hc/ja/articles/200283219). One read for the batch, by ID or update key.
 */
async function keepCurrentFiles(
	reader: RecordReader,
	batch: Array<PendingRecord<RecordWrite>>,
	failures: Map<PendingRecord<RecordWrite>, RecordOutcome>,
): Promise<void> {
	const keeping = batch.filter((record) => record.payload.files?.keep.length && (record.payload.id ?? record.payload.updateKey));
	if (keeping.length === 0) return;
	// By record ID when every record has one (kintone finds records fastest by it), else by the update key.
	const byId = keeping.every((record) => record.payload.id !== undefined);
	const keyField = byId ? RECORD_ID : keeping.find((record) => record.payload.updateKey)!.payload.updateKey!.field;
	const keyOf = (record: RecordWrite) => (byId ? record.id! : record.updateKey!.value);
	const fields = [...new Set(keeping.flatMap((record) => record.payload.files!.keep))];
	let current: Map<string, Record<string, { value?: unknown }>>;
	try {
		const records = await reader.withKeys(keyField, keeping.map((record) => keyOf(record.payload)), [keyField, ...fields]);
		current = new Map(records.map((found) => [looseKeyText(found[keyField]?.value), found]));
	} catch (error) {
		for (const record of keeping) {
			failures.set(record, failed(record.itemIndex, { ...batchFailure(error), outcome: 'notSent', message: `The files to keep could not be read, so the record was not sent: ${(error as Error).message}` }, record.key));
		}
		return;
	}
	for (const record of keeping) {
		const found = current.get(looseKeyText(keyOf(record.payload)));
		const entry = record.payload.entry.record as IDataObject;
		for (const code of record.payload.files!.keep) {
			const kept = ((found?.[code]?.value ?? []) as Array<{ fileKey: string }>).map(({ fileKey }) => ({ fileKey }));
			const list = (entry[code] as { value: unknown[] }).value;
			list.unshift(...kept);
			for (const upload of record.payload.files!.uploads) if (upload.list === list) upload.index += kept.length;
		}
	}
}
