import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { RecordInputError } from './errors';
import type { FileSource } from './upload';

/** One of an input item's binary properties (n8n's files), by name. */
export interface ItemFile {
	itemIndex: number;
	property: string;
	name: string;
	mimeType: string;
	/** Its size when n8n recorded it (it does for files it stores); otherwise known only when it is read. */
	bytes?: number;
}

/** Names the item's binary properties, for the message of a name it does not have. */
function namesOf(binaries: Record<string, IBinaryData>): string {
	const names = Object.keys(binaries);
	return names.length === 0 ? 'the item has no files' : `the item has ${names.map((name) => `"${name}"`).join(', ')}`;
}

/**
 * The item's files that `names` asks for: binary property names, or `*` for every one of them.
 * A name the item does not have throws, naming `field` and the files the item has.
 */
export function itemFiles(ctx: IExecuteFunctions, itemIndex: number, names: string[], field: string): ItemFile[] {
	const binaries = ctx.getInputData()[itemIndex]?.binary ?? {};
	const wanted = names.includes('*') ? Object.keys(binaries) : names;
	return wanted.map((property) => {
		const binary = Object.prototype.hasOwnProperty.call(binaries, property) ? binaries[property] : undefined;
		if (!binary) throw new RecordInputError(`"${field}" names the file "${property}", but ${namesOf(binaries)}`, field);
		return { itemIndex, property, name: binary.fileName || property, mimeType: binary.mimeType, bytes: declaredBytes(binary) };
	});
}

/** Whether the item has a binary property of this name. */
export function hasItemFile(ctx: IExecuteFunctions, itemIndex: number, name: string): boolean {
	const binaries = ctx.getInputData()[itemIndex]?.binary;
	return !!binaries && Object.prototype.hasOwnProperty.call(binaries, name);
}

/** The size n8n recorded, or for a file held in the item itself, the size of its base64 data. */
function declaredBytes(binary: IBinaryData): number | undefined {
	if (typeof binary.bytes === 'number') return binary.bytes;
	return binary.id ? undefined : Buffer.byteLength(binary.data ?? '', 'base64');
}

/**
 * The file, ready to be read as often as a request carrying it is sent: from n8n's binary data
 * store (filesystem, S3, database) as a stream, so that it is never held whole in memory, or from
 * the item itself.
 */
export async function openItemFile(ctx: IExecuteFunctions, file: ItemFile): Promise<FileSource> {
	const binary = ctx.helpers.assertBinaryData(file.itemIndex, file.property);
	const { id } = binary;
	const bytes = file.bytes ?? (id ? (await ctx.helpers.getBinaryMetadata(id)).fileSize : declaredBytes(binary) ?? 0);
	return {
		name: file.name,
		mimeType: file.mimeType,
		bytes,
		read: id
			? async function* () {
					yield* await ctx.helpers.getBinaryStream(id);
				}
			: async function* () {
					yield Buffer.from(binary.data, 'base64');
				},
	};
}
