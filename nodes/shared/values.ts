import type { FieldType, INodePropertyOptions } from 'n8n-workflow';

import { RecordInputError } from './errors';

/** A value as messages show it: text quoted (and cut), other kinds named. */
export function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') {
		// Cut between characters, so that a message never holds half an emoji.
		const characters = [...value];
		return `"${characters.length > 40 ? `${characters.slice(0, 40).join('')}…` : value}"`;
	}
	return String(value);
}

export function invalidValue(path: string, expected: string, value: unknown): RecordInputError {
	return new RecordInputError(`"${path}" needs ${expected}, got ${describeValue(value)}`, path);
}

// Every part can match in one way only, so the check takes linear time whatever the text (a form
// like `\d+\.?\d*` can split a run of digits in many ways and backtracks for seconds on long input).
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether text is a plain decimal number (sign, point and exponent allowed), checked in linear time. */
export function isNumberText(text: string): boolean {
	return NUMBER_TEXT.test(text);
}

/** A day of the Gregorian calendar, years 100 to 9999 (as JavaScript dates read 0–99 as 1900–1999). */
export function validDate(year: number, month: number, day: number): boolean {
	if (year < 100 || month < 1 || month > 12 || day < 1) return false;
	const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	return day <= (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

const DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The instant an ISO 8601 text names (`YYYY-MM-DD`, optionally with a time and zone; no zone is
 * UTC), or NaN. A day or time that does not exist (February 30th, 25:00) gives NaN, not another
 * day as JavaScript's own date parsing would roll it over to.
 */
export function parseIsoDateTime(text: string): number {
	const match = DATE_TIME.exec(text.trim());
	if (!match) return Number.NaN;
	const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
	const utc = zone.toUpperCase() === 'Z';
	const exists =
		validDate(Number(year), Number(month), Number(day)) &&
		Number(hour) < 24 &&
		Number(minute) < 60 &&
		Number(second) < 60 &&
		(utc || Number(zone.slice(1, 3)) < 24);
	if (!exists) return Number.NaN;
	const offset = utc ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
	return Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset}`);
}

/** A luxon DateTime (what n8n expressions produce for dates), recognised without importing luxon. */
export interface DateTimeLike {
	toJSDate(): Date;
	toISODate(): string | null;
	toISO(): string | null;
	toFormat(format: string): string;
	isValid: boolean;
}

export function isDateTimeLike(value: unknown): value is DateTimeLike {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as DateTimeLike).toJSDate === 'function' &&
		typeof (value as DateTimeLike).toISODate === 'function'
	);
}

/** A field of n8n's mapping form as the saved `columns.schema` describes it. */
export interface SchemaField {
	id: string;
	type?: FieldType;
	options?: INodePropertyOptions[];
	removed?: boolean;
}

const TIME_TEXT = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * One value checked against the type its field has in the mapping form's schema, so a value the
 * service would refuse (`qty: "ten"`, 2024-02-30) fails its item before anything is sent, naming
 * the field. Valid values are sent as they are, except that numbers given as text become numbers
 * (unless that would lose digits), "true"/"false" booleans and dates ISO text. Null is left to the
 * caller.
 */
export function checkedValue(field: SchemaField, value: unknown): unknown {
	if (value === null || value === undefined) return value;
	switch (field.type) {
		case 'number':
			if (typeof value === 'number' && Number.isFinite(value)) return value;
			if (typeof value === 'string' && isNumberText(value.trim())) return numberOf(value.trim());
			throw invalidValue(field.id, 'a number', value);
		case 'boolean':
			if (typeof value === 'boolean') return value;
			if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
			throw invalidValue(field.id, 'true or false', value);
		case 'dateTime':
			return dateTimeValue(field, value);
		case 'time':
			if (typeof value === 'string') {
				const match = TIME_TEXT.exec(value.trim());
				if (match && Number(match[1]) < 24 && Number(match[2]) < 60 && Number(match[3] ?? 0) < 60) return value.trim();
			}
			throw invalidValue(field.id, 'a time like 09:30', value);
		case 'options':
			return optionValue(field, value);
		default:
			return value;
	}
}

/** Numeric text as a number, or as the text when a number would lose digits (big integers). */
function numberOf(text: string): number | string {
	const number = Number(text);
	const whole = /^[+-]?\d+$/.test(text);
	return !whole || Number.isSafeInteger(number) ? number : text;
}

function dateTimeValue(field: SchemaField, value: unknown): unknown {
	if (isDateTimeLike(value) && value.isValid) return value.toISO();
	if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
	if (typeof value === 'string' && !Number.isNaN(parseIsoDateTime(value))) return value.trim();
	throw invalidValue(field.id, 'a date like 2024-05-31 or 2024-05-31T09:30:00Z (a day and time that exist)', value);
}

function optionValue(field: SchemaField, value: unknown): unknown {
	const options = field.options ?? [];
	if (options.length === 0) return value;
	const option = options.find((candidate) => candidate.value === value || String(candidate.value) === String(value));
	if (option) return option.value;
	const shown = options.slice(0, 10).map((candidate) => `"${String(candidate.value)}"`).join(', ');
	throw new RecordInputError(
		`${describeValue(value)} is not an option of "${field.id}"; the options are ${shown}${options.length > 10 ? ', …' : ''}`,
		field.id,
	);
}
