import { RecordInputError } from '../../shared/errors';
import { toJsonValue } from './schema';

/**
 * Builds the `filter` expression of the records endpoints, PostgREST's horizontal filtering
 * syntax. The expression is read like a query string (conditions split at `&`, each key and value
 * percent-decoded), so conditions always go into one logic tree (`and=(...)` / `or=(...)`), where
 * PostgREST parses quoted values: every value is double-quoted with `\` escaping `"` and `\`, and
 * the characters a query string gives a meaning (`%`, `&`, `+`, `#`, `;`) are percent-encoded.
 * So `&`, `,`, `(`, `)`, `.`, `:` and quotes in a value are matched literally and can never add a
 * condition. The expression is then sent (URL-encoded again) as the single `filter` parameter.
 */

export type FilterOperator =
	| 'eq'
	| 'neq'
	| 'gt'
	| 'gte'
	| 'lt'
	| 'lte'
	| 'like'
	| 'ilike'
	| 'in'
	| 'notIn'
	| 'isNull'
	| 'isNotNull'
	| 'isTrue'
	| 'isFalse';

export interface FilterCondition {
	column: string;
	operator: FilterOperator;
	value?: unknown;
}

export type FilterCombinator = 'and' | 'or';

/** Operators that take no value: PostgREST's `is` with a keyword. */
const KEYWORD_OPERATORS: Partial<Record<FilterOperator, string>> = {
	isNull: 'is.null',
	isNotNull: 'not.is.null',
	isTrue: 'is.true',
	isFalse: 'is.false',
};

/** Column names are plain identifiers; anything else could change the expression's structure. */
export function checkColumnName(name: string): string {
	const column = String(name ?? '').trim();
	if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(column)) {
		throw new RecordInputError(
			`"${column}" is not a column name (letters, digits and underscores, not starting with a digit)`,
			column,
		);
	}
	return column;
}

/** A PostgREST quoted value: matches the text literally, whatever characters it contains. */
export function quoteValue(value: unknown): string {
	const quoted = `"${toText(value).replace(/[\\"]/g, (character) => `\\${character}`)}"`;
	return quoted.replace(/[%&+#;]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A value of an `in` list: bare when it holds only letters, digits, `-` and `_`, which PostgREST reads
 * as they are (quotes matter only around `,` `.` `:` `(` `)`, quotes and spaces), so that a read of
 * 500 keys such as SKUs or UUIDs fits in one URL; quoted otherwise. `null` is always quoted.
 */
function listValue(value: unknown): string {
	const text = toText(value);
	return /^[A-Za-z0-9_-]+$/.test(text) && text.toLowerCase() !== 'null' ? text : quoteValue(value);
}

function toText(value: unknown): string {
	const json = toJsonValue(value);
	if (json === null || json === undefined) return '';
	return typeof json === 'object' ? JSON.stringify(json) : String(json);
}

/**
 * The values of an "in" condition: an array as is, or a JSON array text, or else a
 * comma-separated list (use the JSON form for values that contain commas).
 */
export function listValues(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	const text = toText(value).trim();
	if (text.startsWith('[')) {
		try {
			const parsed: unknown = JSON.parse(text);
			if (Array.isArray(parsed)) return parsed;
		} catch {
			// Not JSON: a comma-separated list that happens to start with "[".
		}
	}
	return text === '' ? [] : text.split(',').map((part) => part.trim());
}

function conditionExpression({ column, operator, value }: FilterCondition): string {
	const name = checkColumnName(column);
	const keyword = KEYWORD_OPERATORS[operator];
	if (keyword) return `${name}.${keyword}`;
	if (operator === 'in' || operator === 'notIn') {
		const values = listValues(value);
		if (values.length === 0) {
			throw new RecordInputError(`The condition on "${name}" needs at least one value to compare with`, name);
		}
		return `${name}.${operator === 'notIn' ? 'not.in' : 'in'}.(${values.map(quoteValue).join(',')})`;
	}
	if (toText(value) === '') {
		// An expression that resolved to nothing must not turn into "equals empty text", least of
		// all for deletes and updates.
		throw new RecordInputError(
			`The condition on "${name}" has no value to compare with. Use "Is Empty" to match empty columns, or a raw expression to match empty text.`,
			name,
		);
	}
	return `${name}.${operator}.${quoteValue(value)}`;
}

/** The whole filter expression, e.g. `and=(status.eq."open",amount.gt."10")`. */
export function buildFilter(conditions: readonly FilterCondition[], combinator: FilterCombinator): string {
	if (conditions.length === 0) return '';
	return `${combinator}=(${conditions.map(conditionExpression).join(',')})`;
}

/** Rows whose key columns equal one of the given keys (one value per key column, in order). */
export function keysFilter(columns: readonly string[], keys: ReadonlyArray<readonly unknown[]>): string {
	return termsFilter(columns, keys.map((key) => keyTerm(columns, key)));
}

/**
 * One key's part of a keys filter: its quoted value for one column (an `in` list element), or
 * `and(a.eq."x",b.eq."y")` for several. Separate, so that a reader can measure keys one by one.
 */
export function keyTerm(columns: readonly string[], key: readonly unknown[]): string {
	if (columns.length === 1) return listValue(key[0]);
	return `and(${columns.map((column, index) => conditionExpression({ column, operator: 'eq', value: key[index] })).join(',')})`;
}

/** The filter of some keys' terms (see keyTerm): `and=(a.in.(…))`, or `or=(and(…),…)` for several columns. */
export function termsFilter(columns: readonly string[], terms: readonly string[]): string {
	if (columns.length === 1) return `and=(${checkColumnName(columns[0])}.in.(${terms.join(',')}))`;
	return `or=(${terms.join(',')})`;
}
