/** Thrown for anything the service answers with HTTP 400 / 2320001 (bad params, filters, constraint violations). */
export class ParamError extends Error {}

/** A double-quoted SQL identifier; names come from requests, so they are always quoted, never spliced raw. */
export function quoteIdent(name: string): string {
	if (name.length === 0 || name.includes('\0')) throw new ParamError(`Invalid identifier ${JSON.stringify(name)}`);
	return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Column types a table may use, as the data platform names them, mapped to PostgreSQL. Types are
 * spliced into SQL (casts, DDL), so only these are accepted.
 */
const TYPE_ALIASES: Record<string, string> = {
	varchar: 'varchar',
	text: 'text',
	int2: 'int2',
	smallint: 'int2',
	int4: 'int4',
	integer: 'int4',
	int: 'int4',
	int8: 'int8',
	bigint: 'int8',
	float4: 'float4',
	real: 'float4',
	float8: 'float8',
	'double precision': 'float8',
	numeric: 'numeric',
	decimal: 'numeric',
	bool: 'bool',
	boolean: 'bool',
	timestamptz: 'timestamptz',
	timestamp: 'timestamp',
	date: 'date',
	time: 'time',
	jsonb: 'jsonb',
	json: 'json',
	uuid: 'uuid',
};

/** The PostgreSQL type for a `data_type`, or a ParamError; accepts `varchar(n)` and `numeric(p[,s])`. */
export function sqlBaseType(dataType: string): string {
	const normalized = dataType.trim().toLowerCase();
	const sized = /^(varchar|numeric|decimal)\((\d{1,4})(?:,\s*(\d{1,4}))?\)$/.exec(normalized);
	if (sized) {
		const base = TYPE_ALIASES[sized[1]];
		if (base === 'varchar' && sized[3] !== undefined) throw new ParamError(`Unsupported data type ${dataType}`);
		return sized[3] === undefined ? `${base}(${sized[2]})` : `${base}(${sized[2]},${sized[3]})`;
	}
	const base = TYPE_ALIASES[normalized];
	if (!base) throw new ParamError(`Unsupported data type ${dataType}`);
	return base;
}

export function isJsonType(sqlType: string): boolean {
	return sqlType === 'json' || sqlType === 'jsonb';
}

/** Text of one scalar for a PostgreSQL cast from text; objects become JSON (PostgreSQL rejects them unless json). */
function scalarText(value: unknown): string {
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A PostgreSQL array literal (`{"a","b\"c",NULL}`) from a JSON array, every element quoted and escaped. */
function arrayLiteral(values: unknown[], elementIsJson: boolean): string {
	const elements = values.map((element) => {
		if (element === null) return 'NULL';
		const text = elementIsJson ? JSON.stringify(element) : scalarText(element);
		return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
	});
	return `{${elements.join(',')}}`;
}

/**
 * A JSON value from a request as the text parameter cast to the column type (the way PostgREST's
 * json_populate_recordset reads JSON into columns): JSON for json columns, array literals for arrays.
 */
export function toTextParam(value: unknown, column: { sqlType: string; isArray: boolean }): string | null {
	if (value === null || value === undefined) return null;
	if (column.isArray) {
		if (Array.isArray(value)) return arrayLiteral(value, isJsonType(column.sqlType));
		return scalarText(value);
	}
	if (isJsonType(column.sqlType)) return JSON.stringify(value);
	return scalarText(value);
}

/** Postgres error fields PGlite exposes. */
interface PgErrorFields {
	code?: string;
	message: string;
	detail?: string;
	hint?: string;
}

/** Database errors caused by request content become ParamErrors with PostgreSQL's message. */
export function asParamError(error: unknown): unknown {
	const pg = error as PgErrorFields;
	// SQLSTATE 21000 (a row affected twice), classes 22 (bad data) and 23 (constraints), undefined
	// column, no constraint matching ON CONFLICT, operator/type mismatch (e.g. like on an integer).
	if (typeof pg?.code === 'string' && /^(21000|22...|23...|42703|42P10|42883|42804)$/.test(pg.code)) {
		const extra = [pg.detail, pg.hint].filter(Boolean).join(' ');
		return new ParamError(extra ? `${pg.message}. ${extra}` : pg.message);
	}
	return error;
}

export const TEXT_OID = 25;
