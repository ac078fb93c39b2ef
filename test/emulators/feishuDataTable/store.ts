import type { PGlite, Transaction } from '@electric-sql/pglite';

import type { FilterNode } from './filter';
import { filterToSql, parseFilter } from './filter';
import { asParamError, ParamError, quoteIdent, sqlBaseType, TEXT_OID, toTextParam } from './sql';
import type { ColumnSpec, TableSpec } from './types';

/** A column as GET /tables/:table_name describes it, plus what the emulator needs to build SQL. */
export interface ColumnMeta {
	name: string;
	description: string;
	data_type: string;
	is_primary_key: boolean;
	is_unique: boolean;
	is_auto_increment: boolean;
	is_array: boolean;
	is_allow_null: boolean;
	default_value: string;
	/** PostgreSQL element type, e.g. `int4`. */
	sqlType: string;
	isArray: boolean;
	/** Cast target for values: `int4` or `int4[]`. */
	castType: string;
}

export interface TableMeta {
	name: string;
	description: string;
	columns: ColumnMeta[];
	/** Column sets an `on_conflict` may name: the primary key, unique columns, composite unique constraints. */
	conflictTargets: string[][];
}

type Queryable = Pick<PGlite | Transaction, 'query'>;

const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,63}$/;
const MAX_RECORDS = 500;

/** Every Prefer token the records POST honours (others, like return=..., are ignored as PostgREST does). */
export interface WritePreferences {
	resolution?: 'merge-duplicates' | 'ignore-conflicts';
	missingDefault: boolean;
}

export function parsePrefer(header: string | string[] | undefined): WritePreferences {
	const tokens = (Array.isArray(header) ? header.join(',') : (header ?? ''))
		.split(',')
		.map((token) => token.trim().toLowerCase());
	const preferences: WritePreferences = { missingDefault: tokens.includes('missing=default') };
	if (tokens.includes('resolution=merge-duplicates')) preferences.resolution = 'merge-duplicates';
	else if (tokens.includes('resolution=ignore-conflicts')) preferences.resolution = 'ignore-conflicts';
	return preferences;
}

/** Parses a JSON string body field that must hold an array (or a single object) of row objects. */
export function parseRecordsField(value: unknown, field: string): Array<Record<string, unknown>> {
	const parsed = parseJsonField(value, field);
	const rows = Array.isArray(parsed) ? parsed : [parsed];
	if (rows.length > MAX_RECORDS) throw new ParamError(`${field} has ${rows.length} records; at most ${MAX_RECORDS} per request`);
	rows.forEach((row, index) => {
		if (row === null || typeof row !== 'object' || Array.isArray(row)) {
			throw new ParamError(`${field}[${index}] must be a JSON object`);
		}
	});
	return rows as Array<Record<string, unknown>>;
}

export function parseJsonField(value: unknown, field: string): unknown {
	if (typeof value !== 'string') throw new ParamError(`${field} is required and must be a JSON string`);
	try {
		return JSON.parse(value) as unknown;
	} catch {
		throw new ParamError(`${field} is not valid JSON`);
	}
}

function splitList(text: string): string[] {
	return text
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

function sameSet(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((name) => b.includes(name));
}

/** Rows and their schema: one PostgreSQL schema per workspace, table metadata kept alongside. */
export class DataStore {
	private readonly workspaces = new Map<string, Map<string, TableMeta>>();

	constructor(readonly db: PGlite) {}

	async createWorkspace(workspaceId: string): Promise<void> {
		if (!WORKSPACE_ID.test(workspaceId)) throw new Error(`Invalid workspace id ${JSON.stringify(workspaceId)}`);
		if (this.workspaces.has(workspaceId)) return;
		await this.db.exec(`CREATE SCHEMA ${quoteIdent(workspaceId)}`);
		this.workspaces.set(workspaceId, new Map());
	}

	async createTable(workspaceId: string, spec: TableSpec): Promise<void> {
		if (!this.workspaces.has(workspaceId)) await this.createWorkspace(workspaceId);
		const tables = this.workspaces.get(workspaceId)!;
		if (tables.has(spec.name)) throw new Error(`Table ${spec.name} already exists in ${workspaceId}`);
		if (Buffer.byteLength(spec.name) > 63) throw new Error(`Table name ${spec.name} is longer than 63 bytes`);
		const userKey = spec.columns.filter((column) => column.is_primary_key).map((column) => column.name);
		const system: ColumnSpec[] = [
			{ name: '_id', data_type: 'uuid', is_primary_key: userKey.length === 0, is_unique: userKey.length > 0, is_allow_null: false, default_value: 'gen_random_uuid()', description: 'Record ID' },
			// clock_timestamp keeps rows of one request in insertion order (now() is per transaction).
			{ name: '_created_at', data_type: 'timestamptz', is_allow_null: false, default_value: 'clock_timestamp()', description: 'Created at' },
		];
		const specs = [...system, ...spec.columns];
		const columns = specs.map((column) => columnMeta(column));
		const names = columns.map((column) => column.name);
		if (new Set(names).size !== names.length) throw new Error(`Duplicate column names in ${spec.name}`);
		const composite = spec.uniqueConstraints ?? [];
		for (const constraint of composite) {
			for (const name of constraint) if (!names.includes(name)) throw new Error(`Unknown column ${name} in unique constraint`);
		}
		const definitions = specs.map((column, index) => {
			const meta = columns[index];
			const parts = [quoteIdent(meta.name), meta.castType];
			if (column.is_auto_increment) parts.push('GENERATED BY DEFAULT AS IDENTITY');
			if (column.default_value !== undefined) parts.push(`DEFAULT ${column.default_value}`);
			if (!meta.is_allow_null) parts.push('NOT NULL');
			if (meta.is_unique && !meta.is_primary_key) parts.push('UNIQUE');
			return parts.join(' ');
		});
		const primaryKey = userKey.length > 0 ? userKey : ['_id'];
		definitions.push(`PRIMARY KEY (${primaryKey.map(quoteIdent).join(', ')})`);
		for (const constraint of composite) definitions.push(`UNIQUE (${constraint.map(quoteIdent).join(', ')})`);
		await this.db.exec(`CREATE TABLE ${this.qualified(workspaceId, spec.name)} (${definitions.join(', ')})`);
		tables.set(spec.name, {
			name: spec.name,
			description: spec.description ?? '',
			columns,
			conflictTargets: [
				primaryKey,
				...columns.filter((column) => column.is_unique && !column.is_primary_key).map((column) => [column.name]),
				...composite,
			],
		});
	}

	listTables(workspaceId: string): TableMeta[] {
		return [...this.workspace(workspaceId).values()];
	}

	table(workspaceId: string, tableName: string): TableMeta {
		const table = this.workspace(workspaceId).get(tableName);
		if (!table) throw new ParamError(`table ${tableName} does not exist in workspace ${workspaceId}`);
		return table;
	}

	/** Rows as the API returns them (JSON values), for assertions. */
	async rows(workspaceId: string, tableName: string, orderBy?: string[]): Promise<Array<Record<string, unknown>>> {
		const table = this.table(workspaceId, tableName);
		const order = (orderBy ?? ['_created_at', '_id']).map((name) => quoteIdent(column(table, name).name));
		const result = await this.db.query<{ row: string }>(
			`SELECT row_to_json(t)::text AS row FROM ${this.qualified(workspaceId, tableName)} t ORDER BY ${order.join(', ')}`,
		);
		return result.rows.map(({ row }) => JSON.parse(row) as Record<string, unknown>);
	}

	/**
	 * Each row's version by `_id`: PostgreSQL's xmin, the transaction that last wrote the row. Any
	 * write of a row (an UPDATE or upsert setting the same values too) gives it a new version.
	 */
	async rowVersions(workspaceId: string, tableName: string): Promise<Map<string, string>> {
		this.table(workspaceId, tableName);
		const result = await this.db.query<{ id: string; version: string }>(
			`SELECT "_id"::text AS id, xmin::text AS version FROM ${this.qualified(workspaceId, tableName)}`,
		);
		return new Map(result.rows.map((row) => [row.id, row.version]));
	}

	async query(
		workspaceId: string,
		tableName: string,
		params: { pageSize: number; offset: number; select?: string; filter?: string; order?: string },
	): Promise<{ items: string; total: number; hasMore: boolean }> {
		const table = this.table(workspaceId, tableName);
		const selected = params.select ? selectList(table, params.select) : '*';
		const values: Array<string | null> = [];
		const where = this.where(table, params.filter, values);
		const order = orderList(table, params.order);
		const from = this.qualified(workspaceId, tableName);
		return await this.run(async (db) => {
			const count = await db.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${from} WHERE ${where}`, values, {
				paramTypes: values.map(() => TEXT_OID),
			});
			const page = await db.query<{ row: string }>(
				`SELECT row_to_json(t)::text AS row FROM (SELECT ${selected} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ${params.pageSize} OFFSET ${params.offset}) t`,
				values,
				{ paramTypes: values.map(() => TEXT_OID) },
			);
			const total = count.rows[0].total;
			return {
				items: `[${page.rows.map(({ row }) => row).join(',')}]`,
				total,
				hasMore: params.offset + page.rows.length < total,
			};
		});
	}

	/**
	 * POST records: INSERT, or upsert with `Prefer: resolution=...`; returns the `_id` of every row
	 * inserted or updated, in record order (rows skipped by ignore-conflicts are not in the list, as
	 * PostgREST's RETURNING has no row for them).
	 */
	async insert(
		workspaceId: string,
		tableName: string,
		rows: Array<Record<string, unknown>>,
		options: {
			preferences: WritePreferences;
			columns?: string;
			onConflict?: string;
			/** With ignore-conflicts, list the existing row's `_id` for a row that was skipped too. */
			listIgnoredRows?: boolean;
		},
	): Promise<string[]> {
		if (rows.length === 0) return [];
		const table = this.table(workspaceId, tableName);
		const names = this.insertColumns(table, rows, options.columns);
		const metas = names.map((name) => column(table, name));
		const usesDefault = options.preferences.missingDefault && rows.some((row) => names.some((name) => !(name in row)));
		const values: Array<string | null> = [];
		let source = '';
		if (usesDefault) {
			source = `VALUES ${rows
				.map(
					(row) =>
						`(${metas
							.map((meta) =>
								meta.name in row ? `CAST($${values.push(toTextParam(row[meta.name], meta))} AS ${meta.castType})` : 'DEFAULT',
							)
							.join(', ')})`,
				)
				.join(', ')}`;
		} else if (names.length > 0) {
			// Like PostgREST, the rows travel as one JSON parameter (one parameter per value makes
			// PostgreSQL parse and plan thousands of them); each value is cast to its column's type.
			values.push(JSON.stringify(rows.map((row) => metas.map((meta) => toTextParam(row[meta.name], meta)))));
			source = `SELECT ${metas.map((meta, index) => `CAST(r->>${index} AS ${meta.castType})`).join(', ')} FROM json_array_elements($1::json) WITH ORDINALITY AS payload(r, n) ORDER BY n`;
		}
		let conflict = '';
		const { resolution } = options.preferences;
		if (resolution) {
			const target = options.onConflict ? splitList(options.onConflict) : table.conflictTargets[0];
			if (!table.conflictTargets.some((candidate) => sameSet(candidate, target))) {
				throw new ParamError(
					`on_conflict ${target.join(',')} does not match a primary key or unique constraint of ${table.name} (use one of: ${table.conflictTargets.map((t) => t.join(',')).join(' | ')})`,
				);
			}
			const targetSql = target.map(quoteIdent).join(', ');
			conflict =
				resolution === 'ignore-conflicts'
					? options.listIgnoredRows
						? // Leaves the row as it is, but RETURNING then has a row for it.
							` ON CONFLICT (${targetSql}) DO UPDATE SET ${quoteIdent(target[0])} = ${this.qualified(workspaceId, tableName)}.${quoteIdent(target[0])}`
						: ` ON CONFLICT (${targetSql}) DO NOTHING`
					: ` ON CONFLICT (${targetSql}) DO UPDATE SET ${names.map((name) => `${quoteIdent(name)} = EXCLUDED.${quoteIdent(name)}`).join(', ')}`;
		}
		const sql =
			names.length === 0
				? `INSERT INTO ${this.qualified(workspaceId, tableName)} SELECT FROM generate_series(1, ${rows.length})`
				: `INSERT INTO ${this.qualified(workspaceId, tableName)} (${names.map(quoteIdent).join(', ')}) ${source}${conflict}`;
		return await this.run(async (db) => {
			const result = await db.query<{ _id: string }>(`${sql} RETURNING "_id"::text AS "_id"`, values, {
				paramTypes: values.map(() => TEXT_OID),
			});
			return result.rows.map((row) => row._id);
		});
	}

	/** PATCH records?filter=: sets the record's keys on every matching row. */
	async updateByFilter(workspaceId: string, tableName: string, filter: string, record: Record<string, unknown>): Promise<string[]> {
		const table = this.table(workspaceId, tableName);
		const names = Object.keys(record);
		if (names.length === 0) throw new ParamError('record has no columns to update');
		const values: Array<string | null> = [];
		const assignments = names.map((name) => {
			const meta = column(table, name);
			return `${quoteIdent(name)} = CAST($${values.push(toTextParam(record[name], meta))} AS ${meta.castType})`;
		});
		const where = this.where(table, filter, values);
		return await this.run(async (db) => {
			const result = await db.query<{ _id: string }>(
				`UPDATE ${this.qualified(workspaceId, tableName)} SET ${assignments.join(', ')} WHERE ${where} RETURNING "_id"::text AS "_id"`,
				values,
				{ paramTypes: values.map(() => TEXT_OID) },
			);
			return result.rows.map((row) => row._id);
		});
	}

	/**
	 * records_batch_update: every row has `_id` and all rows the same columns. Returns the `_id`s of
	 * rows that existed and were updated, in record order (unknown `_id`s update nothing and are left out).
	 */
	async batchUpdate(workspaceId: string, tableName: string, rows: Array<Record<string, unknown>>): Promise<string[]> {
		if (rows.length === 0) return [];
		const table = this.table(workspaceId, tableName);
		rows.forEach((row, index) => {
			if (typeof row._id !== 'string' || row._id === '') throw new ParamError(`records[${index}] has no _id (the primary key is required)`);
		});
		const names = Object.keys(rows[0]).filter((name) => name !== '_id');
		if (names.length === 0) throw new ParamError('records[0] has no columns to update besides _id');
		rows.forEach((row, index) => {
			const keys = Object.keys(row).filter((name) => name !== '_id');
			if (!sameSet(keys, names)) {
				throw new ParamError(
					`all records must update the same columns: records[0] updates ${names.join(',')} but records[${index}] updates ${keys.join(',') || 'nothing'}`,
				);
			}
		});
		const metas = names.map((name) => column(table, name));
		const values: Array<string | null> = [];
		const tuples = rows.map(
			(row) =>
				`(CAST($${values.push(row._id as string)} AS uuid), ${metas
					.map((meta) => `CAST($${values.push(toTextParam(row[meta.name], meta))} AS ${meta.castType})`)
					.join(', ')})`,
		);
		const alias = ['_id', ...names].map(quoteIdent).join(', ');
		const sql = `UPDATE ${this.qualified(workspaceId, tableName)} AS t SET ${names
			.map((name) => `${quoteIdent(name)} = v.${quoteIdent(name)}`)
			.join(', ')} FROM (VALUES ${tuples.join(', ')}) AS v (${alias}) WHERE t."_id" = v."_id" RETURNING t."_id"::text AS "_id"`;
		return await this.run(async (db) => {
			const result = await db.query<{ _id: string }>(sql, values, { paramTypes: values.map(() => TEXT_OID) });
			const updated = new Set(result.rows.map((row) => row._id));
			return rows.map((row) => (row._id as string).toLowerCase()).filter((id) => updated.has(id));
		});
	}

	async deleteByFilter(workspaceId: string, tableName: string, filter: string): Promise<number> {
		const table = this.table(workspaceId, tableName);
		const values: Array<string | null> = [];
		const where = this.where(table, filter, values);
		return await this.run(async (db) => {
			const result = await db.query(`DELETE FROM ${this.qualified(workspaceId, tableName)} WHERE ${where}`, values, {
				paramTypes: values.map(() => TEXT_OID),
			});
			return result.affectedRows ?? 0;
		});
	}

	/**
	 * `POST /sql_commands`: one statement run with the workspace's schema first in the search path
	 * (its tables by their plain names, as in Feishu's example); a SELECT's rows as a JSON text,
	 * nothing for other statements. Any database error is the statement's fault: a ParamError.
	 */
	async sql(workspaceId: string, statement: string): Promise<string> {
		this.workspace(workspaceId);
		try {
			return await this.db.transaction(async (tx) => {
				await tx.query(`SET LOCAL search_path TO ${quoteIdent(workspaceId)}`);
				const result = await tx.query(statement);
				return result.fields.length > 0 ? JSON.stringify(result.rows) : '';
			});
		} catch (error) {
			if (typeof (error as { code?: unknown }).code === 'string') throw new ParamError((error as Error).message);
			throw error;
		}
	}

	async reset(): Promise<void> {
		for (const workspaceId of this.workspaces.keys()) await this.db.exec(`DROP SCHEMA ${quoteIdent(workspaceId)} CASCADE`);
		this.workspaces.clear();
	}

	private workspace(workspaceId: string): Map<string, TableMeta> {
		const tables = this.workspaces.get(workspaceId);
		if (!tables) throw new ParamError(`workspace ${workspaceId} does not exist`);
		return tables;
	}

	private qualified(workspaceId: string, tableName: string): string {
		return `${quoteIdent(workspaceId)}.${quoteIdent(tableName)}`;
	}

	/**
	 * The insert column list as PostgREST builds it: the `columns` parameter when given (other keys
	 * ignored, absent keys NULL or DEFAULT), otherwise the keys of the rows, which must all match.
	 */
	private insertColumns(table: TableMeta, rows: Array<Record<string, unknown>>, columnsParam?: string): string[] {
		if (columnsParam !== undefined) {
			const names = splitList(columnsParam);
			if (names.length === 0) throw new ParamError('columns is empty');
			for (const name of names) column(table, name);
			return [...new Set(names)];
		}
		const names = Object.keys(rows[0]);
		rows.forEach((row, index) => {
			if (!sameSet(Object.keys(row), names)) {
				throw new ParamError(
					`All object keys must match: records[0] has ${names.join(',') || 'no keys'} but records[${index}] has ${Object.keys(row).join(',') || 'no keys'} (send the columns parameter to insert rows with different keys)`,
				);
			}
		});
		for (const name of names) column(table, name);
		return names;
	}

	private where(table: TableMeta, filter: string | undefined, values: Array<string | null>): string {
		const nodes: FilterNode[] = filter ? parseFilter(filter) : [];
		return filterToSql(nodes, (name) => column(table, name), values);
	}

	/** One request's statements in one transaction; database errors caused by the input become ParamErrors. */
	private async run<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
		try {
			return await this.db.transaction(async (tx) => await work(tx));
		} catch (error) {
			throw asParamError(error);
		}
	}
}

function columnMeta(spec: ColumnSpec): ColumnMeta {
	const sqlType = sqlBaseType(spec.data_type);
	const isArray = Boolean(spec.is_array);
	return {
		name: spec.name,
		description: spec.description ?? '',
		data_type: spec.data_type,
		is_primary_key: Boolean(spec.is_primary_key),
		is_unique: Boolean(spec.is_unique || spec.is_primary_key),
		is_auto_increment: Boolean(spec.is_auto_increment),
		is_array: isArray,
		is_allow_null: spec.is_primary_key ? false : spec.is_allow_null !== false,
		default_value: spec.default_value ?? '',
		sqlType,
		isArray,
		castType: isArray ? `${sqlType}[]` : sqlType,
	};
}

function column(table: TableMeta, name: string): ColumnMeta {
	const meta = table.columns.find((candidate) => candidate.name === name);
	if (!meta) throw new ParamError(`column ${name} does not exist in table ${table.name}`);
	return meta;
}

/** `select=a,b` (PostgREST vertical filtering; `*` for all columns). */
function selectList(table: TableMeta, select: string): string {
	const names = splitList(select);
	if (names.length === 0 || names.includes('*')) return '*';
	return names.map((name) => quoteIdent(column(table, name).name)).join(', ');
}

const ORDER_MODIFIERS = new Map([
	['asc', 'ASC'],
	['desc', 'DESC'],
	['nullsfirst', 'NULLS FIRST'],
	['nullslast', 'NULLS LAST'],
]);

/** `order=a.desc,b.asc.nullslast`; `_id` is always the last key so pages are stable. */
function orderList(table: TableMeta, order?: string): string {
	const terms = splitList(order ?? '').map((term) => {
		const [name, ...modifiers] = term.split('.');
		const parts = [quoteIdent(column(table, name).name)];
		for (const modifier of modifiers) {
			const sql = ORDER_MODIFIERS.get(modifier);
			if (!sql) throw new ParamError(`Invalid order "${term}": use column[.asc|.desc][.nullsfirst|.nullslast]`);
			parts.push(sql);
		}
		return parts.join(' ');
	});
	if (terms.length === 0) terms.push('"_created_at"');
	terms.push('"_id"');
	return terms.join(', ');
}
