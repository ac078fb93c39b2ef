import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RecordInputError } from '../../../shared/errors';
import { decidedOncePerName } from '../../../shared/fieldNames';
import { assertSomethingMapped } from '../../../shared/mapping';
import type { FieldWriter } from '../../transport/convert';
import { fieldWriter, toKeyValue } from '../../transport/convert';
import type { FormField, FormFields, WriteMode } from '../../transport/fields';
import { canBeUpdateKey, fetchFormFields, RECORD_ID, REVISION, writableFields } from '../../transport/fields';
import { describeValue } from '../../../shared/values';
import { asPositiveId } from '../../transport/url';
import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import type { RecordFiles } from './attachments';
import { attachItemFiles } from './attachments';
import type { RecordWrite } from './write';

/** How items become records, decided once at item 0 from the resource mapper and the app's form. */
export interface FieldMapping {
	autoMap: boolean;
	/** `$id` or the code of the update key field; absent for add. */
	matchOn?: string;
	matchField?: FormField;
	/** The fields that may be written in this mode. */
	writable: FormFields;
	/** Every field of the form, to tell a field that cannot be written from a typo. */
	form: FormFields;
	/** Whether "Expected Revision" has a value; when empty it is not evaluated for every item. */
	checkRevision: boolean;
	/**
	 * The writer of the field an input field name writes to; null when it is not sent (the record ID,
	 * a field kintone fills itself), `notAField` when the app has no such field (auto-map); throws
	 * when it cannot be written.
	 */
	writerOf(code: string): FieldWriter | null | typeof NOT_A_FIELD;
	/**
	 * Every field the run has found a writer for, as undefined (which JSON leaves out). A record
	 * starts as a copy of it: inside n8n, adding fields one by one to a new object cost more than the
	 * rest of building a record, while a copy takes its fields at once.
	 */
	recordShape: IDataObject;
	/** Whether any writable field holds files (a FILE field, or a table with a FILE cell). */
	hasFiles: boolean;
	/** FILE fields whose current files stay, the item's files added after them ("Keep Existing Files In"). */
	keepFiles: ReadonlySet<string>;
}

export async function readFieldMapping(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	{ app, guestSpaceId }: KintoneTarget,
	mode: WriteMode,
	matching: boolean,
): Promise<FieldMapping> {
	assertSomethingMapped(ctx, `app ${app}`);
	const autoMap = ctx.getNodeParameter('columns.mappingMode', 0, 'defineBelow') === 'autoMapInputData';
	const form = await fetchFormFields(client, { app, guestSpaceId });
	const writable = writableFields(form, mode);
	const mapping: FieldMapping = {
		autoMap,
		writable,
		form,
		checkRevision: revisionOptionSet(ctx),
		recordShape: {},
		hasFiles: Object.values(writable).some(
			(field) => field.type === 'FILE' || Object.values(field.fields ?? {}).some((cell) => cell.type === 'FILE'),
		),
		keepFiles: new Set(ctx.getNodeParameter('options.keepFiles', 0, []) as string[]),
		writerOf: decidedOncePerName((code) => {
			const field = targetOf(mapping, code);
			if (field === null || field === NOT_A_FIELD) return field;
			mapping.recordShape[code] = undefined;
			return fieldWriter(field);
		}),
	};
	if (!matching) return mapping;

	const [matchOn] = ctx.getNodeParameter('columns.matchingColumns', 0, []) as string[];
	if (!matchOn) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the field to match records on', {
			description: 'Under "Fields", pick the record ID or a unique Text or Number field in "Record to Match".',
		});
	}
	mapping.matchOn = matchOn;
	if (matchOn === RECORD_ID) return mapping;
	const field = form[matchOn];
	if (!field || !canBeUpdateKey({ ...field, code: matchOn })) {
		throw new NodeOperationError(ctx.getNode(), `Records cannot be matched on "${matchOn}"`, {
			description: field
				? 'kintone matches records by record ID, or by a Text or Number field with "Prohibit duplicate values" turned on.'
				: `App ${app} has no field "${matchOn}". Refresh the field list under "Fields".`,
		});
	}
	mapping.matchField = { ...field, code: matchOn };
	return mapping;
}

/** One item's values: the input item itself (auto-map) or the values mapped under "Fields". */
export function itemValues(ctx: IExecuteFunctions, mapping: FieldMapping, itemIndex: number): IDataObject {
	if (mapping.autoMap) return ctx.getInputData()[itemIndex].json;
	// Converted here per kintone type, so n8n's own type checks are skipped.
	return (ctx.getNodeParameter('columns.value', itemIndex, {}, { skipValidation: true }) ?? {}) as IDataObject;
}

/** The `notAField` decision: auto-map met an input field the app does not have. */
export const NOT_A_FIELD = 'notAField';

/**
 * The `{code: {value}}` of a record from one item's values. A value that is null or absent is not
 * sent (kintone keeps the field, or uses its default on add); empty text or an empty list clears it.
 * With auto-map, fields kintone fills itself are skipped, and input fields the app does not have are
 * not sent and named in `ignored`.
 */
function toRecord(mapping: FieldMapping, values: IDataObject): { record: IDataObject; ignored?: string[] } {
	const record: IDataObject = { ...mapping.recordShape };
	let ignored: string[] | undefined;
	for (const code in values) {
		const raw = values[code];
		if (raw === null || raw === undefined) continue;
		const write = mapping.writerOf(code);
		if (write === NOT_A_FIELD) (ignored ??= []).push(code);
		else if (write) record[code] = write(raw);
	}
	return ignored ? { record, ignored } : { record };
}

/**
 * One item's record, with the item's files it names put in place for upload (see attachments.ts).
 * An item without FILE values costs nothing more.
 */
export function itemRecord(
	ctx: IExecuteFunctions,
	mapping: FieldMapping,
	itemIndex: number,
	values: IDataObject,
): { record: IDataObject; ignored?: string[]; files?: RecordFiles } {
	const converted = toRecord(mapping, values);
	if (!mapping.hasFiles) return converted;
	const files = attachItemFiles(ctx, mapping.form, mapping.keepFiles, itemIndex, converted.record);
	return files ? { ...converted, files } : converted;
}

/** The form field an input field name writes to; null for the record ID, the revision and the field matched on. */
function targetOf(mapping: FieldMapping, code: string): FormField | null | typeof NOT_A_FIELD {
	if (code === mapping.matchOn || code === RECORD_ID || code === REVISION) return null;
	// Own fields only: an input field named like "constructor" is not an inherited property.
	const field = Object.prototype.hasOwnProperty.call(mapping.writable, code) ? mapping.writable[code] : undefined;
	if (field) return field;
	if (mapping.autoMap) return Object.prototype.hasOwnProperty.call(mapping.form, code) ? null : NOT_A_FIELD;
	throw new RecordInputError(
		Object.prototype.hasOwnProperty.call(mapping.form, code)
			? `kintone does not let this operation write "${code}" (${mapping.form[code].type})`
			: `The app has no field "${code}" any more; refresh the field list under "Fields"`,
		code,
	);
}

/** The part of an update entry that says which record: `{id}` or `{updateKey}`, and how people call it. */
function recordTarget(
	mapping: FieldMapping,
	values: IDataObject,
): { key: string; id?: string; updateKey?: { field: string; value: string } } {
	const raw = values[mapping.matchOn ?? RECORD_ID];
	if (mapping.matchOn === RECORD_ID || !mapping.matchField) {
		const id = recordIdOf(raw, RECORD_ID);
		return { key: `id ${id}`, id };
	}
	const updateKey = { field: mapping.matchField.code, value: toKeyValue(mapping.matchField, raw) };
	return { key: `${updateKey.field} = "${updateKey.value}"`, updateKey };
}

export function recordIdOf(raw: unknown, field: string): string {
	const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
	if (value === undefined || value === null || value === '') {
		throw new RecordInputError(`"${field}" is empty: map the record ID, e.g. {{ $json.$id }} from Get Many`, field);
	}
	const id = asPositiveId(value);
	if (id === undefined) throw new RecordInputError(`"${field}" must be a record ID (a positive whole number), got ${describeValue(value)}`, field);
	return id;
}

/**
 * Whether the "Expected Revision" option holds anything, read once from the saved parameters:
 * evaluating an empty option for each of 100,000 items costs more CPU than the rest of the write.
 */
function revisionOptionSet(ctx: IExecuteFunctions): boolean {
	const revision = (ctx.getNode().parameters.options as IDataObject | undefined)?.revision;
	return revision !== undefined && revision !== null && revision !== '';
}

/** The "Expected Revision" option of one item, or undefined when the revision is not checked. */
export function expectedRevision(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	const raw = ctx.getNodeParameter('options.revision', itemIndex, '') as unknown;
	const text = raw === null || raw === undefined ? '' : typeof raw === 'object' ? undefined : String(raw).trim();
	if (text === '' || text === '-1') return undefined;
	const revision = asPositiveId(text);
	if (revision === undefined) {
		throw new RecordInputError(`Expected Revision must be a revision number (or empty), got ${describeValue(text ?? raw)}`, 'revision');
	}
	return revision;
}

/** One item as an update (or upsert) entry: which record, the expected revision and the new values. */
export function updateEntry(
	ctx: IExecuteFunctions,
	mapping: FieldMapping,
	itemIndex: number,
): { key: string; payload: RecordWrite; ignored?: string[] } {
	const values = itemValues(ctx, mapping, itemIndex);
	const { key, id, updateKey } = recordTarget(mapping, values);
	const revision = mapping.checkRevision ? expectedRevision(ctx, itemIndex) : undefined;
	const entry: IDataObject = id !== undefined ? { id } : { updateKey };
	if (revision !== undefined) entry.revision = revision;
	const { record, ignored, files } = itemRecord(ctx, mapping, itemIndex, values);
	entry.record = record;
	return { key, payload: { entry, id, updateKey, revision, ...(files ? { files } : {}) }, ignored };
}
