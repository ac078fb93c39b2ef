import { RecordInputError } from '../../shared/errors';
import {
	invalidValue,
	isDateTimeLike,
	isNumberText,
	parseIsoDateTime,
	validDate,
} from '../../shared/values';
import type { FormField } from './fields';

// Values in kintone's write format. Each converter throws RecordInputError naming the field.

type Converter = (value: unknown, field: FormField, path: string) => unknown;

/** Turns what an n8n item holds into `{value}` for one field of a record. */
export type FieldWriter = (raw: unknown) => { value: unknown };

/** The writer of one field, its converter looked up once rather than for every item. */
export function fieldWriter(field: FormField): FieldWriter {
	const convert = converterOf(field);
	return (raw) => {
		try {
			return { value: convert(unwrapFieldValue(raw), field, field.code) };
		} catch (error) {
			throw withLabel(error, field);
		}
	};
}

/** The field as people see it in kintone: `"Quantity" (数量) needs a number`; a label equal to the code is not repeated. */
function withLabel(error: unknown, field: FormField): unknown {
	const label = (field.label ?? '').trim();
	if (!(error instanceof RecordInputError) || error.field !== field.code || !label || label === field.code) return error;
	return new RecordInputError(error.message.replace(`"${field.code}"`, `"${label}" (${field.code})`), error.field);
}

/** `{value}` for one field of a record, from what an n8n item holds. */
export function toFieldValue(field: FormField, raw: unknown, path = field.code): { value: unknown } {
	return { value: converterOf(field)(unwrapFieldValue(raw), field, path) };
}

function converterOf(field: FormField): Converter {
	return CONVERTERS[field.type] ?? ((value: unknown) => value);
}

/** The value that ends a key lookup, e.g. of an update key: text as kintone compares it. */
export function toKeyValue(field: FormField, raw: unknown, path = field.code): string {
	try {
		const value = unwrapFieldValue(raw);
		const text = field.type === 'NUMBER' ? numberText(value, field, path) : plainText(value, field, path);
		if (text === '') throw new RecordInputError(`"${path}" is empty, so no record can be matched by it`, path);
		return text;
	} catch (error) {
		throw withLabel(error, field);
	}
}

/** Values read from kintone (`{type, value}`) are accepted as they are, so records can be copied. */
function unwrapFieldValue(raw: unknown): unknown {
	if (typeof raw !== 'object') return raw;
	if (isPlainObject(raw) && 'value' in raw && Object.keys(raw).every((key) => key === 'value' || key === 'type')) {
		return raw.value;
	}
	return raw;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		!(value instanceof Date) &&
		!isDateTimeLike(value)
	);
}

const invalid = invalidValue;

function plainText(value: unknown, _field: FormField, path: string): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	throw invalid(path, 'text', value);
}

/** NUMBER values travel as text; empty clears the field. */
function numberText(value: unknown, _field: FormField, path: string): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw invalid(path, 'a number', value);
		return String(value);
	}
	if (typeof value === 'string') {
		const text = value.trim();
		if (text === '' || isNumberText(text)) return text;
	}
	throw invalid(path, 'a number', value);
}

// Per form field, so that an item's option is checked without listing the options again.
const optionNamesOfField = new WeakMap<FormField, Set<string>>();

function optionNames(field: FormField): Set<string> {
	let names = optionNamesOfField.get(field);
	if (!names) {
		names = new Set(Object.keys(field.options ?? {}));
		optionNamesOfField.set(field, names);
	}
	return names;
}

function checkOption(name: string, field: FormField, path: string): string {
	const names = optionNames(field);
	if (names.size > 0 && !names.has(name)) {
		const shown = [...names].slice(0, 10).map((option) => `"${option}"`).join(', ');
		throw new RecordInputError(
			`"${name}" is not an option of "${path}"; the options are ${shown}${names.size > 10 ? ', …' : ''}`,
			path,
		);
	}
	return name;
}

function singleOption(value: unknown, field: FormField, path: string): string {
	const name = plainText(value, field, path);
	return name === '' ? '' : checkOption(name, field, path);
}

/** CHECK_BOX / MULTI_SELECT: a list of option names, or comma-separated text. */
function optionList(value: unknown, field: FormField, path: string): string[] {
	if (value === null || value === undefined || value === '') return [];
	let names: unknown[];
	if (Array.isArray(value)) names = value;
	else if (typeof value === 'string') {
		names = optionNames(field).has(value) ? [value] : value.split(',').map((name) => name.trim()).filter(Boolean);
	} else throw invalid(path, 'a list of options (or comma-separated text)', value);
	return names.map((name) => {
		if (typeof name !== 'string') throw invalid(path, 'option names as text', name);
		return checkOption(name, field, path);
	});
}

/** USER_SELECT, ORGANIZATION_SELECT, GROUP_SELECT: codes as a list, comma-separated text or `{code}`s. */
function entityList(value: unknown, _field: FormField, path: string): Array<{ code: string }> {
	if (value === null || value === undefined || value === '') return [];
	const entries = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
	return entries
		.map((entry) => entityCode(entry, path))
		.filter((code) => code !== '')
		.map((code) => ({ code }));
}

function entityCode(entry: unknown, path: string): string {
	if (typeof entry === 'string') return entry.trim();
	if (isPlainObject(entry) && typeof entry.code === 'string') return entry.code.trim();
	throw invalid(path, 'codes (text, or objects with "code")', entry);
}

/** CREATOR / MODIFIER (on add only): one user code. */
function singleEntity(value: unknown, _field: FormField, path: string): { code: string } {
	const code = entityCode(value, path);
	if (code === '') throw invalid(path, 'a user code', value);
	return { code };
}

/** FILE: file keys as a list, `{fileKey}`s or comma-separated text, or the item's files by name (attachments.ts). */
function fileList(value: unknown, _field: FormField, path: string): Array<{ fileKey: string }> {
	if (value === null || value === undefined || value === '') return [];
	const entries = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').filter((entry) => entry.trim() !== '') : [value];
	return entries.map((entry) => {
		if (typeof entry === 'string' && entry.trim() !== '') return { fileKey: entry.trim() };
		if (isPlainObject(entry) && typeof entry.fileKey === 'string') return { fileKey: entry.fileKey };
		throw invalid(path, 'file names (binary properties of the item) or file keys', entry);
	});
}

const pad = (number: number) => String(number).padStart(2, '0');

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The number written by `length` ASCII digits of `text` from `start`. */
function digitsAt(text: string, start: number, length: number): number {
	let number = 0;
	for (let at = start; at < start + length; at++) number = number * 10 + text.charCodeAt(at) - 48;
	return number;
}

// `YYYY`, `YYYY-MM` and `YYYY-M-D` (or with slashes), optionally followed by a time: kintone's
// field-types page (cybozu.dev, "フィールド形式", DATE) accepts the short forms and fills a missing
// month or day with 01, so they are converted here the same way.
const SHORT_DATE = /^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:$|[T ])/;

/** DATE: `YYYY-MM-DD`. Text keeps its own calendar date (a time or zone after it is ignored). */
function dateText(value: unknown, _field: FormField, path: string): string | null {
	if (value === null || value === undefined || value === '') return null;
	if (isDateTimeLike(value) && value.isValid) return value.toISODate();
	if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
	if (typeof value === 'string') {
		// Most dates come as YYYY-MM-DD already: checked and sent as they are, without taking them apart.
		if (ISO_DATE.test(value)) {
			if (validDate(digitsAt(value, 0, 4), digitsAt(value, 5, 2), digitsAt(value, 8, 2))) return value;
		} else {
			const match = SHORT_DATE.exec(value.trim());
			const [year, month, day] = match ? [match[1], match[2] ?? '1', match[3] ?? '1'].map(Number) : [];
			if (match && validDate(year, month, day)) return `${match[1]}-${pad(month)}-${pad(day)}`;
		}
		throw invalid(path, 'a date like 2024-05-31 (a day that exists)', value);
	}
	throw invalid(path, 'a date like 2024-05-31', value);
}

/** TIME: `HH:MM`. */
function timeText(value: unknown, _field: FormField, path: string): string | null {
	if (value === null || value === undefined || value === '') return null;
	if (isDateTimeLike(value) && value.isValid) return value.toFormat('HH:mm');
	if (typeof value === 'string') {
		const match = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value.trim());
		if (match && Number(match[1]) < 24 && Number(match[2]) < 60) return `${pad(Number(match[1]))}:${match[2]}`;
	}
	throw invalid(path, 'a time like 09:30', value);
}

/**
 * DATETIME (and CREATED_TIME / UPDATED_TIME on add): ISO 8601 in UTC. Text without a time zone
 * is taken as UTC; a date alone as midnight UTC. A day or time that does not exist is refused.
 */
function dateTimeText(value: unknown, _field: FormField, path: string): string {
	if (value === null || value === undefined || value === '') return '';
	let time = Number.NaN;
	if (isDateTimeLike(value) && value.isValid) time = value.toJSDate().getTime();
	else if (value instanceof Date) time = value.getTime();
	else if (typeof value === 'string') time = parseIsoDateTime(value);
	if (Number.isNaN(time)) throw invalid(path, 'a date and time like 2024-05-31T09:30:00Z (a day and time that exist)', value);
	return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** SUBTABLE rows: `[{innerCode: value}]` or kintone's `[{id?, value: {innerCode: {value}}}]`, or that list as JSON text. */
function tableRows(value: unknown, field: FormField, path: string): Array<{ id?: string; value: Record<string, { value: unknown }> }> {
	if (value === null || value === undefined || value === '') return [];
	let rows = value;
	if (typeof rows === 'string') {
		try {
			rows = JSON.parse(rows);
		} catch {
			throw invalid(path, 'a list of rows', value);
		}
	}
	if (!Array.isArray(rows)) throw invalid(path, 'a list of rows', value);
	const inner = field.fields ?? {};
	const computed = field.computedFields ?? [];
	return rows.map((row, rowIndex) => {
		const rowPath = `${path}[${rowIndex}]`;
		if (!isPlainObject(row)) throw invalid(rowPath, 'a row object', row);
		const kintoneShape = isPlainObject(row.value) && Object.keys(row).every((key) => key === 'id' || key === 'value');
		const cells = (kintoneShape ? row.value : row) as Record<string, unknown>;
		// A row's own ID (kept rows keep it; rows without one are added), unless a column is named "id".
		const idIsColumn = Object.prototype.hasOwnProperty.call(inner, 'id') || computed.includes('id');
		const id = kintoneShape || !idIsColumn ? row.id : undefined;
		const converted: Record<string, { value: unknown }> = {};
		for (const [code, cell] of Object.entries(cells)) {
			if (code === 'id' && !kintoneShape && !idIsColumn) continue;
			// Own fields only: a cell named like "constructor" is not an inherited property.
			const innerField = Object.prototype.hasOwnProperty.call(inner, code) ? inner[code] : undefined;
			if (innerField) converted[code] = toFieldValue(innerField, cell, `${rowPath}.${code}`);
			else if (!computed.includes(code)) {
				throw new RecordInputError(`"${code}" is not a field of the table "${path}"`, `${rowPath}.${code}`);
			}
		}
		const result: { id?: string; value: Record<string, { value: unknown }> } = { value: converted };
		if (id !== undefined && id !== null && id !== '') result.id = plainText(id, field, `${rowPath}.id`);
		return result;
	});
}

const CONVERTERS: Record<string, Converter> = {
	SINGLE_LINE_TEXT: plainText,
	MULTI_LINE_TEXT: plainText,
	RICH_TEXT: plainText,
	LINK: plainText,
	NUMBER: numberText,
	RADIO_BUTTON: singleOption,
	DROP_DOWN: singleOption,
	CHECK_BOX: optionList,
	MULTI_SELECT: optionList,
	DATE: dateText,
	TIME: timeText,
	DATETIME: dateTimeText,
	CREATED_TIME: dateTimeText,
	UPDATED_TIME: dateTimeText,
	USER_SELECT: entityList,
	ORGANIZATION_SELECT: entityList,
	GROUP_SELECT: entityList,
	CREATOR: singleEntity,
	MODIFIER: singleEntity,
	FILE: fileList,
	SUBTABLE: tableRows,
};
