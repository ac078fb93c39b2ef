import type { ErrorBag, Messages } from './errors';
import { KintoneError } from './errors';
import type { FieldDef, FieldType, KintoneRecord } from './types';

/** A field property with its code, as the form fields API returns it. */
export type FieldProperty = FieldDef & { code: string; label: string };

export type FormFields = Record<string, FieldProperty>;

/** A stored subtable row: row id and inner values (GET value form). */
export interface StoredRow {
	id: number;
	value: Record<string, unknown>;
}

/** Field values of a stored record in GET value form, keyed by field code. */
export type StoredValues = Record<string, unknown>;

const TEXT_TYPES = new Set<FieldType>(['SINGLE_LINE_TEXT', 'MULTI_LINE_TEXT', 'RICH_TEXT', 'LINK']);
const MULTI_VALUE_TYPES = new Set<FieldType>(['CHECK_BOX', 'MULTI_SELECT', 'FILE', 'CATEGORY']);
const ENTITY_LIST_TYPES = new Set<FieldType>(['USER_SELECT', 'ORGANIZATION_SELECT', 'GROUP_SELECT', 'STATUS_ASSIGNEE']);
/** Set by kintone itself; values sent for them are dropped (lookup copies are handled by the lookup). */
const COMPUTED_TYPES = new Set<FieldType>(['RECORD_NUMBER', 'CALC', 'STATUS', 'STATUS_ASSIGNEE', 'CATEGORY']);
/** Settable when adding a record (app administrators, API tokens), never on update. */
const ADD_ONLY_TYPES = new Set<FieldType>(['CREATOR', 'MODIFIER', 'CREATED_TIME', 'UPDATED_TIME']);

/** Fills the defaults kintone reports for a field property. */
export function toProperty(code: string, def: FieldDef): FieldProperty {
	const property: FieldProperty = { ...def, code, label: def.label ?? code, noLabel: def.noLabel ?? false };
	if (!COMPUTED_TYPES.has(def.type) && !ADD_ONLY_TYPES.has(def.type) && def.type !== 'SUBTABLE') {
		property.required = def.required ?? false;
	}
	if (['SINGLE_LINE_TEXT', 'NUMBER', 'LINK', 'DATE', 'DATETIME'].includes(def.type)) property.unique = def.unique ?? false;
	if (def.type === 'STATUS' || def.type === 'CATEGORY') property.enabled = def.enabled ?? true;
	if (def.type === 'SUBTABLE') {
		property.fields = Object.fromEntries(
			Object.entries(def.fields ?? {}).map(([inner, innerDef]) => [inner, toProperty(inner, innerDef)]),
		);
	}
	return property;
}

/** Copy-destination fields of all lookups of a form (kintone fills them; writes are ignored). */
export function lookupCopyFields(fields: FormFields): Set<string> {
	const copies = new Set<string>();
	for (const field of Object.values(fields)) field.lookup?.fieldMappings.forEach(({ field: code }) => copies.add(code));
	return copies;
}

export type WriteKind = 'write' | 'ignore' | 'addOnly';

/** How kintone treats a value sent for a field. */
export function writeKindOf(field: FieldProperty, copies: Set<string>): WriteKind {
	if (COMPUTED_TYPES.has(field.type) || copies.has(field.code)) return 'ignore';
	if (field.type === 'SINGLE_LINE_TEXT' && typeof field.expression === 'string' && field.expression !== '') return 'ignore';
	if (ADD_ONLY_TYPES.has(field.type)) return 'addOnly';
	return 'write';
}

/** The empty value a field holds when nothing was written to it. */
export function emptyValue(type: FieldType): unknown {
	if (MULTI_VALUE_TYPES.has(type) || ENTITY_LIST_TYPES.has(type) || type === 'SUBTABLE') return [];
	if (type === 'DROP_DOWN' || type === 'DATE' || type === 'TIME') return null;
	return '';
}

export function isEmptyValue(value: unknown): boolean {
	return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export interface ConvertContext {
	t: Messages;
	bag: ErrorBag;
	/** Display name of a user code, undefined when no such user. */
	userName(code: string): string | undefined;
	now(): Date;
	/**
	 * The stored file a FILE value's fileKey stands for: a download fileKey among `kept` (the
	 * field's files before this write), else an unused, unexpired upload fileKey (used up by this);
	 * undefined otherwise.
	 */
	file(fileKey: string, kept: unknown): { contentType: string; fileKey: string; name: string; size: string } | undefined;
}

/**
 * Where a value sits in the request, for error keys: `prefix` is `records[3]` (or `record`, or a
 * subtable row path), the key of a field is `${prefix}.${code}.value`.
 */
interface Location {
	prefix: string;
	inSubtable: boolean;
	/** The field's value before this write (update, or a kept subtable row). */
	existing?: unknown;
}

/** Converts a write-format value to its stored (GET) form, adding messages to `ctx.bag` when invalid. */
export function convertValue(field: FieldProperty, value: unknown, where: Location, ctx: ConvertContext): unknown {
	const key = `${where.prefix}.${field.code}`;
	const { t, bag } = ctx;
	const bad = (suffix = '.value', message = t.badType) => {
		bag.add(key + suffix, message);
		return emptyValue(field.type);
	};
	if (TEXT_TYPES.has(field.type)) {
		if (value === null || value === undefined) return '';
		if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return bad();
		const text = String(value);
		const max = numberProperty(field.maxLength);
		const min = numberProperty(field.minLength);
		if (text !== '' && max !== undefined && [...text].length > max) bag.add(`${key}.value`, t.tooLong(max));
		if (text !== '' && min !== undefined && [...text].length < min) bag.add(`${key}.value`, t.tooShort(min));
		return text;
	}
	switch (field.type) {
		case 'NUMBER':
			return convertNumber(field, value, key, where, ctx);
		case 'CHECK_BOX':
		case 'MULTI_SELECT': {
			if (value === null || value === undefined) return [];
			if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return bad('.values');
			value.forEach((item: string, index) => {
				if (!(item in (field.options ?? {}))) bag.add(`${key}.values[${index}].value`, t.notInOptions(item));
			});
			return [...value];
		}
		case 'RADIO_BUTTON':
		case 'DROP_DOWN': {
			if (value === null || value === undefined || value === '') return emptyValue(field.type);
			if (typeof value !== 'string') return bad();
			if (!(value in (field.options ?? {}))) bag.add(`${key}.value`, t.notInOptions(value));
			return value;
		}
		case 'DATE': {
			if (value === null || value === undefined || value === '') return null;
			if (typeof value !== 'string' || !isValidDate(value)) return bad('.value', t.badDate);
			return value;
		}
		case 'TIME': {
			if (value === null || value === undefined || value === '') return null;
			const match = typeof value === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$/.exec(value) : null;
			if (!match) return bad('.value', t.badTime);
			return `${match[1]}:${match[2]}`;
		}
		case 'DATETIME':
		case 'CREATED_TIME':
		case 'UPDATED_TIME': {
			if (value === null || value === undefined || value === '') return '';
			const normalized = typeof value === 'string' ? normalizeDateTime(value) : undefined;
			return normalized ?? bad('.value', t.badDateTime);
		}
		case 'USER_SELECT':
		case 'ORGANIZATION_SELECT':
		case 'GROUP_SELECT': {
			if (value === null || value === undefined) return [];
			if (!Array.isArray(value) || value.some((entity) => typeof (entity as { code?: unknown })?.code !== 'string')) {
				return bad('.values.value');
			}
			return value.map(({ code }: { code: string }) => ({
				code,
				name: field.type === 'USER_SELECT' ? knownUser(code, ctx) : code,
			}));
		}
		case 'CREATOR':
		case 'MODIFIER': {
			const code = (value as { code?: unknown } | null)?.code;
			if (typeof code !== 'string') return bad();
			return { code, name: knownUser(code, ctx) };
		}
		case 'FILE': {
			if (value === null || value === undefined) return [];
			if (!Array.isArray(value) || value.some((file) => typeof (file as { fileKey?: unknown })?.fileKey !== 'string')) {
				return bad('.values');
			}
			// Each fileKey: a file this field already holds (kept), or an upload used here for the first
			// time; the value replaces the field's files (https://developer.cybozu.io/hc/ja/articles/200283219).
			return value.flatMap(({ fileKey }: { fileKey: string }, index) => {
				const file = ctx.file(fileKey, where.existing);
				if (!file) bag.add(`${key}.value[${index}].fileKey`, t.fileKeyInvalid(fileKey));
				return file ? [file] : [];
			});
		}
		default:
			return bad();
	}
}

function convertNumber(field: FieldProperty, value: unknown, key: string, where: Location, ctx: ConvertContext): string {
	if (value === null || value === undefined) return '';
	if (typeof value !== 'string' && typeof value !== 'number') {
		ctx.bag.add(`${key}.value`, ctx.t.badType);
		return '';
	}
	const text = String(value).trim();
	if (text === '') return '';
	const number = Number(text);
	if (!Number.isFinite(number)) {
		// Real kintone: top-level non-numbers are refused (bracket key, plus "Required." when required);
		// inside a subtable they are silently saved as "".
		if (where.inSubtable) return '';
		ctx.bag.add(`${where.prefix}[${field.code}].value`, ctx.t.onlyNumbers);
		if (field.required) ctx.bag.add(`${key}.value`, ctx.t.required);
		return '';
	}
	const max = field.maxValue === undefined || field.maxValue === '' ? undefined : String(field.maxValue);
	const min = field.minValue === undefined || field.minValue === '' ? undefined : String(field.minValue);
	if (max !== undefined && number > Number(max)) ctx.bag.add(`${key}.value`, ctx.t.tooLarge(max));
	if (min !== undefined && number < Number(min)) ctx.bag.add(`${key}.value`, ctx.t.tooSmall(min));
	return String(number);
}

function knownUser(code: string, ctx: ConvertContext): string {
	const name = ctx.userName(code);
	if (name === undefined) throw new KintoneError(400, 'GAIA_IL26', ctx.t.userNotFound(code));
	return name;
}

function numberProperty(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = Number(value);
	return Number.isFinite(number) ? number : undefined;
}

function isValidDate(text: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
	const date = new Date(`${text}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** ISO 8601 date-time to kintone's stored form: UTC, minute precision (`2024-01-31T09:00:00Z`). */
export function normalizeDateTime(text: string): string | undefined {
	const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
	if (!match || !isValidDate(match[1])) return undefined;
	const zone = match[5] ?? 'Z';
	const time = Date.parse(`${match[1]}T${match[2]}${match[3] ?? ':00'}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
	return Number.isNaN(time) ? undefined : formatDateTime(new Date(time));
}

export function formatDateTime(date: Date): string {
	return `${date.toISOString().slice(0, 16)}:00Z`;
}

/** The key a "Required." message goes under for a field type (observed suffixes). */
export function requiredKey(prefix: string, field: FieldProperty): string {
	if (MULTI_VALUE_TYPES.has(field.type)) return `${prefix}.${field.code}.values`;
	if (ENTITY_LIST_TYPES.has(field.type)) return `${prefix}.${field.code}.values.value`;
	return `${prefix}.${field.code}.value`;
}

/** Whether a field appears in GET records (process management / categories only when enabled). */
export function isRecordField(field: FieldProperty, fields: FormFields): boolean {
	if (field.type === 'STATUS' || field.type === 'CATEGORY') return field.enabled !== false;
	if (field.type === 'STATUS_ASSIGNEE') {
		return Object.values(fields).some((other) => other.type === 'STATUS' && other.enabled !== false);
	}
	return true;
}

/** Renders a stored record in GET shape, optionally only some fields (`$id`/`$revision` included only when asked). */
export function renderRecord(
	fields: FormFields,
	stored: { id: number; revision: number; values: StoredValues },
	only?: ReadonlySet<string>,
): KintoneRecord {
	const record: KintoneRecord = {};
	for (const field of Object.values(fields)) {
		if (only && !only.has(field.code)) continue;
		if (!isRecordField(field, fields)) continue;
		record[field.code] = { type: field.type, value: renderValue(field, stored.values[field.code], stored.id) };
	}
	if (!only || only.has('$id')) record.$id = { type: '__ID__', value: String(stored.id) };
	if (!only || only.has('$revision')) record.$revision = { type: '__REVISION__', value: String(stored.revision) };
	return record;
}

function renderValue(field: FieldProperty, value: unknown, id: number): unknown {
	if (field.type === 'RECORD_NUMBER') return String(id);
	if (field.type === 'SUBTABLE') {
		return ((value as StoredRow[] | undefined) ?? []).map((row) => ({
			id: String(row.id),
			value: Object.fromEntries(
				Object.values(field.fields as FormFields).map((inner) => [
					inner.code,
					{ type: inner.type, value: copyValue(row.value[inner.code] ?? emptyValue(inner.type)) },
				]),
			),
		}));
	}
	return copyValue(value === undefined ? emptyValue(field.type) : value);
}

function copyValue(value: unknown): unknown {
	if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' && item !== null ? { ...item } : item));
	if (typeof value === 'object' && value !== null) return { ...value };
	return value;
}

/**
 * Evaluates a CALC expression over a record: numbers, NUMBER/CALC field codes, + - * / ^ and
 * parentheses, and SUM(code) over a subtable column; inside a row (`row`), its own cells. Empty
 * operands count as 0, as in kintone.
 */
export function evaluateCalc(expression: string, values: StoredValues, fields: FormFields, row?: Record<string, unknown>): string {
	const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_$\p{L}\p{N}_・＿]+|[-+*/^()]/gu) ?? [];
	let position = 0;
	const numberOf = (code: string): number => {
		if (row && code in row) return Number(row[code]) || 0;
		const owner = Object.values(fields).find((field) => field.type === 'SUBTABLE' && code in (field.fields ?? {}));
		if (owner) {
			return ((values[owner.code] as StoredRow[] | undefined) ?? []).reduce(
				(sum, row) => sum + (Number(row.value[code]) || 0),
				0,
			);
		}
		return Number(values[code]) || 0;
	};
	const primary = (): number => {
		const token = tokens[position++];
		if (token === '(') {
			const inner = sum();
			position++;
			return inner;
		}
		if (token === '-') return -primary();
		if (/^\d/.test(token ?? '')) return Number(token);
		if (token?.toUpperCase() === 'SUM' && tokens[position] === '(') {
			position++;
			const code = tokens[position++];
			position++;
			return numberOf(code);
		}
		return numberOf(token ?? '');
	};
	const power = (): number => {
		const base = primary();
		if (tokens[position] !== '^') return base;
		position++;
		return base ** power();
	};
	const product = (): number => {
		let result = power();
		while (tokens[position] === '*' || tokens[position] === '/') {
			const operator = tokens[position++];
			const right = power();
			result = operator === '*' ? result * right : result / right;
		}
		return result;
	};
	const sum = (): number => {
		let result = product();
		while (tokens[position] === '+' || tokens[position] === '-') {
			const operator = tokens[position++];
			const right = product();
			result = operator === '+' ? result + right : result - right;
		}
		return result;
	};
	const result = sum();
	return Number.isFinite(result) ? String(result) : '';
}
