import type { ServiceClient } from '../../shared/client';
import type { KintoneTarget } from './index';
import { kintoneRequest } from './index';

/** A field as `/k/v1/app/form/fields.json` describes it. */
export interface FormField {
	type: string;
	code: string;
	label?: string;
	required?: boolean;
	unique?: boolean;
	options?: Record<string, { label?: string; index?: string }>;
	/** Auto-calculated SINGLE_LINE_TEXT has a formula. */
	expression?: string;
	lookup?: { fieldMappings?: Array<{ field: string }> };
	/** SUBTABLE: its inner fields. */
	fields?: Record<string, FormField>;
	/** SUBTABLE after `writableFields`: inner fields kintone computes, skipped when a row has them. */
	computedFields?: string[];
}

export type FormFields = Record<string, FormField>;

/** What the record will be written with: `add` for new records, `update` for changes (upsert included). */
export type WriteMode = 'add' | 'update';

export async function fetchFormFields(client: ServiceClient, target: KintoneTarget): Promise<FormFields> {
	const body = await client.read<{ properties?: FormFields }>(
		kintoneRequest(client, target, { method: 'GET', endpoint: 'app/form/fields', qs: { app: target.app } }),
		`Could not read the fields of app ${target.app}`,
	);
	return body.properties ?? {};
}

// Types kintone never takes a value for: computed, process management, layout, system.
const NEVER_WRITTEN = new Set([
	'RECORD_NUMBER',
	'__ID__',
	'__REVISION__',
	'CALC',
	'STATUS',
	'STATUS_ASSIGNEE',
	'CATEGORY',
	'LABEL',
	'SPACER',
	'HR',
	'GROUP',
	'REFERENCE_TABLE',
]);

// Set by kintone itself, and settable by an app administrator only when a record is added.
const ADD_ONLY = new Set(['CREATOR', 'MODIFIER', 'CREATED_TIME', 'UPDATED_TIME']);

/** Copy destinations of lookups: kintone fills them from the looked-up record. */
function lookupCopies(fields: FormFields): Set<string> {
	const copies = new Set<string>();
	for (const field of Object.values(fields)) {
		for (const mapping of field.lookup?.fieldMappings ?? []) copies.add(mapping.field);
	}
	return copies;
}

function isAutoCalculated(field: FormField): boolean {
	return field.type === 'SINGLE_LINE_TEXT' && typeof field.expression === 'string' && field.expression !== '';
}

/**
 * The fields a record can be written with in this mode, in form order, codes as keys; SUBTABLE
 * fields keep only their writable inner fields.
 */
export function writableFields(fields: FormFields, mode: WriteMode): FormFields {
	const copies = lookupCopies(fields);
	for (const table of Object.values(fields)) {
		if (table.type === 'SUBTABLE') lookupCopies(table.fields ?? {}).forEach((code) => copies.add(code));
	}
	const writable = (field: FormField) =>
		!NEVER_WRITTEN.has(field.type) &&
		!(mode === 'update' && ADD_ONLY.has(field.type)) &&
		!copies.has(field.code) &&
		!isAutoCalculated(field);

	const result: FormFields = {};
	for (const [code, field] of Object.entries(fields)) {
		const withCode = { ...field, code: field.code ?? code };
		if (!writable(withCode)) continue;
		if (withCode.type === 'SUBTABLE') {
			const inner: FormFields = {};
			const computed: string[] = [];
			for (const [innerCode, innerField] of Object.entries(withCode.fields ?? {})) {
				const withInnerCode = { ...innerField, code: innerField.code ?? innerCode };
				if (writable(withInnerCode)) inner[innerCode] = withInnerCode;
				else computed.push(innerCode);
			}
			result[code] = { ...withCode, fields: inner, computedFields: computed };
		} else {
			result[code] = withCode;
		}
	}
	return result;
}

/** kintone's update key: a Text or Number field with "Prohibit duplicate values". */
export function canBeUpdateKey(field: FormField): boolean {
	return (field.type === 'SINGLE_LINE_TEXT' || field.type === 'NUMBER') && field.unique === true && !isAutoCalculated(field);
}

/** "Label (code)", or the code when the label says nothing more. */
export function fieldDisplayName(field: FormField): string {
	const label = (field.label ?? '').trim();
	return label && label !== field.code ? `${label} (${field.code})` : field.code;
}

/** The record ID, offered for matching next to unique fields. */
export const RECORD_ID = '$id';
export const REVISION = '$revision';
