import { isNumberText } from '../../../shared/values';
import type { ObjectField } from '../../transport/fields';

/**
 * Whether a value as the node sends it (the mapped value, as Create and Update send it) leaves the
 * field as aPaaS stores it now, compared by the field's aPaaS type: `"1.50"` is the number 1.5,
 * options and lookups in another order or shape are the same set, an empty text is no value. A field
 * whose type is unknown (the object's metadata is hidden) is compared as JSON, empty values alike.
 */
export function sameValue(field: ObjectField | undefined, sent: unknown, stored: unknown): boolean {
	const same = SAME_BY_TYPE[(field?.type ?? '').toLowerCase()] ?? sameJson;
	return same(sent, stored);
}

/**
 * The text that identifies a record by `field` (the match key): the same for an item's value and
 * the stored one whenever aPaaS holds them as one value, e.g. `"007"` and 7 in a number field.
 * It is also the constant of the `equal` condition that finds the record.
 */
export function keyText(field: ObjectField | undefined, value: unknown): string {
	const key = KEY_BY_TYPE[(field?.type ?? '').toLowerCase()] ?? text;
	return key(value);
}

type Same = (sent: unknown, stored: unknown) => boolean;
type Key = (value: unknown) => string;

const isEmpty = (value: unknown) =>
	value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/** Empty (null, "", no entries) is one value: aPaaS answers null for a field that was never set. */
const text: Key = (value) => (isEmpty(value) ? '' : typeof value === 'object' ? canonicalJson(value) : String(value));

const byKey =
	(key: Key): Same =>
	(sent, stored) =>
		key(sent) === key(stored);

/**
 * Numbers as numbers: `"1.50"`, 1.5 and `"1.5"` are one; whole numbers beyond 2^53 (bigint
 * fields) compared digit for digit, not rounded. Text that is no number stays as it is.
 */
const numberKey: Key = (value) => {
	if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : String(value);
	const written = text(value).trim();
	if (!isNumberText(written)) return text(value);
	if (/^[+-]?\d+$/.test(written)) return BigInt(written).toString();
	return numberKey(Number(written));
};

const booleanKey: Key = (value) => (typeof value === 'string' ? value.trim().toLowerCase() : text(value));

/** An option by its API name, whether given as the name or as `{ api_name, label }`. */
const optionKey: Key = (value) => text(isObject(value) && 'api_name' in value ? value.api_name : value);

/** A record of a lookup (users among them: `_user` records) by its ID, given as the ID or as `{ _id, ... }`. */
const idKey: Key = (value) => numberKey(isObject(value) ? (value._id ?? value.id) : value);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Lists whose order aPaaS does not keep meaningfully (options, lookups): the same entries, in any order. */
const asSet =
	(key: Key): Same =>
	(sent, stored) => {
		const keys = (value: unknown) => [...new Set((Array.isArray(value) ? value : isEmpty(value) ? [] : [value]).map(key))].sort();
		return JSON.stringify(keys(sent)) === JSON.stringify(keys(stored));
	};

/**
 * Attachments: what is sent (an upload's token) is never what aPaaS answers (the stored file), so
 * only "no files" on both sides is known to be no change.
 */
const sameFiles: Same = (sent, stored) => isEmpty(sent) && isEmpty(stored);

/** JSON with keys in order and empty entries left out, so `{ zh_cn: "a", en_us: "" }` is `{ zh_cn: "a" }`. */
function canonicalJson(value: unknown): string {
	return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(canonical);
	if (!isObject(value)) return value;
	const entries = Object.keys(value)
		.filter((name) => !isEmpty(value[name]))
		.sort()
		.map((name) => [name, canonical(value[name])]);
	return Object.fromEntries(entries);
}

const sameJson = byKey(text);

const NUMBER_TYPES = ['number', 'bigint', 'decimal', 'float', 'integer'];

const KEY_BY_TYPE: Record<string, Key> = {
	...Object.fromEntries(NUMBER_TYPES.map((type) => [type, numberKey])),
	// Milliseconds since the epoch: one instant whatever the time zone, as a number or as text. A
	// date field holds its day as "YYYY-MM-DD" text and compares as text.
	datetime: numberKey,
	boolean: booleanKey,
	option: optionKey,
	lookup: idKey,
};

const SAME_BY_TYPE: Record<string, Same> = {
	...Object.fromEntries(Object.entries(KEY_BY_TYPE).map(([type, key]) => [type, byKey(key)])),
	multioption: asSet(optionKey),
	lookupmulti: asSet(idKey),
	attachment: sameFiles,
	avatarorlogo: sameFiles,
};
