import { validDate } from '../../../shared/values';
import type { TableColumn } from '../../transport/schema';

/**
 * Whether a value as the node sends it (JSON, see toJsonValue in transport/schema.ts) leaves the
 * column as PostgreSQL stores it now (as the records API returns it). Both are read the way
 * PostgreSQL reads the column's type, so that another way of writing the same value is no change:
 * `"1.50"` for 1.5, 1.005 in a numeric(10,2) holding 1.01, a date-time with another offset for
 * the same instant, `"yes"` for true, a UUID in capitals. Empty text is not null: PostgreSQL keeps
 * them apart. A value the type cannot read is compared as it is (and the service will refuse it).
 */
export function sameValue(column: TableColumn | undefined, sent: unknown, stored: unknown): boolean {
	if (isNull(sent) || isNull(stored)) return isNull(sent) && isNull(stored);
	const read = readerOf(column);
	const a = read(sent, offsetOf(stored));
	const b = read(stored);
	return a !== undefined && b !== undefined ? a === b : stableJson(sent) === stableJson(stored);
}

/**
 * A row's key as one text, the same for the values an item sends and for those the table returns
 * (`"007"` and 7 in an integer column, a UUID in any case): how Sync finds the row of an item.
 */
export function matchKeyOf(columns: Array<TableColumn | undefined>, values: unknown[]): string {
	return JSON.stringify(values.map((value, index) => (isNull(value) ? null : (readerOf(columns[index])(value) ?? stableJson(value)))));
}

/** One text for every way of writing what the column stores; undefined when the type cannot read the value. */
type Reader = (value: unknown, offset?: string) => string | undefined;

const isNull = (value: unknown) => value === null || value === undefined;

/** What PostgreSQL reads from a JSON value of a non-JSON column: its text (objects as JSON). */
const textOf = (value: unknown) => (typeof value === 'object' ? JSON.stringify(value) : String(value));

/** JSON with object keys in order: jsonb keeps no key order. */
function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.keys(value)
			.sort()
			.map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** The reader of a column's type, by its `data_type` (e.g. `numeric(10,2)`, `int4[]`). */
function readerOf(column: TableColumn | undefined): Reader {
	const type = String(column?.data_type ?? '').trim().toLowerCase();
	const base = type.replace(/\[\]$/, '');
	const element = elementReader(base);
	return column?.is_array || type.endsWith('[]') ? arrayOf(element) : element;
}

function elementReader(type: string): Reader {
	const name = type.replace(/\s*\(.*\)$/, '');
	if (/^(int[248]?|smallint|integer|bigint|(big|small)?serial[248]?)$/.test(name)) return readInteger;
	if (name === 'numeric' || name === 'decimal') return decimalReader(type);
	if (name === 'float4' || name === 'real') return (value) => numberText(value, Math.fround);
	if (name === 'float8' || name === 'double precision') return (value) => numberText(value, (number) => number);
	return READERS[name] ?? readText;
}

const readText: Reader = (value) => textOf(value);

/** Arrays are ordered in PostgreSQL: the same elements in the same order. */
const arrayOf =
	(element: Reader): Reader =>
	(value) => {
		if (!Array.isArray(value)) return undefined;
		const elements = value.map((entry) => (isNull(entry) ? null : element(entry)));
		return elements.includes(undefined) ? undefined : JSON.stringify(elements);
	};

/** A decimal as text (a number's own digits, or text PostgreSQL takes: sign, point, exponent, spaces around). */
function decimalText(value: unknown): string | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) ? text : undefined;
}

/**
 * Integer columns take whole numbers only ("1.5" is refused), with any zeros in front. Compared as
 * JavaScript numbers, as the answer's JSON numbers are read: past 2^53 an int8 is known only that far.
 */
const readInteger: Reader = (value) => {
	const text = decimalText(value);
	return text !== undefined && /^[+-]?\d+$/.test(text) ? String(Number(text)) : undefined;
};

function numberText(value: unknown, precision: (number: number) => number): string | undefined {
	const text = decimalText(value);
	return text === undefined ? undefined : String(precision(Number(text)));
}

/**
 * numeric(p, s) keeps `s` places, rounding half away from zero; numeric alone keeps all. Compared as
 * JavaScript numbers after rounding, as the answer's JSON numbers are read.
 */
function decimalReader(type: string): Reader {
	const scale = /\(\s*\d+\s*(?:,\s*(\d+)\s*)?\)/.exec(type);
	if (!scale) return (value) => numberText(value, (number) => number);
	const places = Number(scale[1] ?? 0);
	return (value) => {
		const text = decimalText(value);
		const rounded = text === undefined ? undefined : roundDecimal(text, places);
		return rounded === undefined ? undefined : String(Number(rounded));
	};
}

/** A decimal text rounded to `places`, half away from zero, exactly (BigInt digits, no binary fractions). */
function roundDecimal(text: string, places: number): string | undefined {
	const [, sign, whole, fraction, exponent = '0'] = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text)!;
	const shift = Number(exponent) - fraction.length + places;
	if (Math.abs(shift) > 1000) return undefined;
	const digits = BigInt(`${whole}${fraction}` || '0');
	let scaled = digits;
	if (shift >= 0) scaled = digits * 10n ** BigInt(shift);
	else {
		const divisor = 10n ** BigInt(-shift);
		scaled = digits / divisor + ((digits % divisor) * 2n >= divisor ? 1n : 0n);
	}
	const padded = scaled.toString().padStart(places + 1, '0');
	const unsigned = places > 0 ? `${padded.slice(0, -places)}.${padded.slice(-places)}` : padded;
	return `${sign === '-' ? '-' : ''}${unsigned}`;
}

/** bool: PostgreSQL takes true/false, yes/no, on/off, 1/0 and unambiguous beginnings of them, in any case. */
const readBoolean: Reader = (value) => {
	if (typeof value === 'boolean') return String(value);
	const text = String(value).trim().toLowerCase();
	if (text === '') return undefined;
	const starts = (...words: string[]) => words.some((word) => word.startsWith(text));
	if (text === '1' || text === 'on' || starts('true', 'yes')) return 'true';
	if (text === '0' || text === 'of' || text === 'off' || starts('false', 'no')) return 'false';
	return undefined;
};

const DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

interface DateTimeParts {
	date: string;
	/** Microseconds since midnight. */
	micros: bigint;
	/** The offset written, e.g. `+08:00`, `Z`; undefined when none. */
	offset?: string;
}

/** An ISO date-time as PostgreSQL reads it, to the microsecond (more digits are rounded); undefined when it is none. */
function dateTimeParts(value: unknown): DateTimeParts | undefined {
	if (typeof value !== 'string') return undefined;
	const match = DATE_TIME.exec(value.trim());
	if (!match) return undefined;
	const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = match;
	if (!validDate(Number(year), Number(month), Number(day)) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
		return undefined;
	}
	const micros = Number(fraction.slice(0, 6).padEnd(6, '0')) + (fraction[6] >= '5' ? 1 : 0);
	const seconds = (Number(hour) * 60 + Number(minute)) * 60 + Number(second);
	return { date: `${year}-${month}-${day}`, micros: BigInt(seconds) * 1_000_000n + BigInt(micros), offset };
}

/** The offset of a stored date-time (the zone PostgreSQL answers in), for a sent value written without one. */
function offsetOf(stored: unknown): string | undefined {
	return dateTimeParts(stored)?.offset;
}

function offsetMinutes(offset: string): number {
	if (offset.toUpperCase() === 'Z') return 0;
	const digits = offset.replace(':', '');
	const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0);
	return offset.startsWith('-') ? -minutes : minutes;
}

const dayMicros = (date: string) => BigInt(Date.parse(`${date}T00:00:00Z`)) * 1000n;

/**
 * timestamptz: the instant, in microseconds. A value without an offset is read in the zone the
 * service answers in (the stored value's offset); without one to go by, it cannot be compared.
 */
const readInstant: Reader = (value, zone) => {
	const parts = dateTimeParts(value);
	const offset = parts?.offset ?? zone;
	if (!parts || offset === undefined) return undefined;
	return String(dayMicros(parts.date) + parts.micros - BigInt(offsetMinutes(offset)) * 60_000_000n);
};

/** timestamp (without time zone): the date and time written; PostgreSQL ignores an offset. */
const readLocalDateTime: Reader = (value) => {
	const parts = dateTimeParts(value);
	return parts && String(dayMicros(parts.date) + parts.micros);
};

/** date: the day written; PostgreSQL ignores a time and offset after it. */
const readDate: Reader = (value) => dateTimeParts(value)?.date;

const TIME = /^(?:\d{4}-\d{2}-\d{2} )?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** time: the time of day to the microsecond (`10:00` is `10:00:00`); PostgreSQL ignores an offset. */
const readTime: Reader = (value) => {
	const match = typeof value === 'string' ? TIME.exec(value.trim()) : null;
	if (!match) return undefined;
	const [, hour, minute, second = '0', fraction = ''] = match;
	if (Number(hour) > 24 || Number(minute) > 59 || Number(second) > 59) return undefined;
	const date = dateTimeParts(`2000-01-01T${hour.padStart(2, '0')}:${minute}:${second.padStart(2, '0')}${fraction ? `.${fraction}` : ''}`);
	return date && String(date.micros);
};

/** uuid: the 32 hex digits, in any case, with or without hyphens and braces. */
const readUuid: Reader = (value) => {
	const hex = String(value).trim().replace(/^\{(.*)\}$/, '$1').replace(/-/g, '').toLowerCase();
	return /^[0-9a-f]{32}$/.test(hex) ? hex : undefined;
};

const readJson: Reader = (value) => stableJson(value);

const READERS: Record<string, Reader> = {
	bool: readBoolean,
	boolean: readBoolean,
	timestamptz: readInstant,
	'timestamp with time zone': readInstant,
	timestamp: readLocalDateTime,
	'timestamp without time zone': readLocalDateTime,
	date: readDate,
	time: readTime,
	'time without time zone': readTime,
	uuid: readUuid,
	json: readJson,
	jsonb: readJson,
};
