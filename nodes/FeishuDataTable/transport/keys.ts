import type { ServiceClient } from '../../shared/client';
import type { TableInfo } from './schema';
import { ROW_ID } from './schema';
import { tablesPath } from './index';

/** A key an upsert can match on (its `on_conflict`): the primary key or a unique constraint. */
export interface UniqueKey {
	columns: string[];
	primary: boolean;
}

export interface TableKeys {
	/** The primary key first, then the unique keys in the order they were made. */
	keys: UniqueKey[];
	/**
	 * Whether keys of several columns are known. The table description marks single columns only;
	 * the others are read with SQL, which needs the scope app_engine:workspace.sql_commands:write.
	 */
	complete: boolean;
}

/** The scope that lets the node read keys of several columns, for messages. */
export const SQL_SCOPE = 'app_engine:workspace.sql_commands:write';

/**
 * The unique indexes of the table as `SELECT` sees it in the workspace (an unqualified name, as in
 * Feishu's own example), their columns in key order. Partial and expression indexes are left out:
 * an `on_conflict` list of columns cannot name them.
 */
function keysQuery(table: string): string {
	const literal = `'${table.replace(/'/g, "''")}'`;
	return [
		'SELECT i.indisprimary AS is_primary,',
		'(SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)',
		'JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns',
		`FROM pg_index i WHERE i.indrelid = to_regclass(quote_ident(${literal}))`,
		'AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL',
		'ORDER BY i.indisprimary DESC, i.indexrelid',
	].join(' ');
}

/**
 * The table's keys, read with `POST .../sql_commands`. When Feishu refuses it (the scope is not
 * granted, or SQL is not open to the user), the single-column keys of the table description.
 */
export async function readTableKeys(client: ServiceClient, workspaceId: string, table: TableInfo): Promise<TableKeys> {
	try {
		const data = await client.read<{ result?: string }>(
			{ method: 'POST', path: tablesPath(client.ctx, workspaceId, 'sql_commands'), body: { sql: keysQuery(table.name) } },
			`Could not read the unique keys of table "${table.name}"`,
		);
		const rows = JSON.parse(data.result || '[]') as Array<{ is_primary?: boolean; columns?: string[] }>;
		const keys = rows.map((row) => ({ columns: row.columns ?? [], primary: row.is_primary === true }));
		if (keys.length > 0 && keys.every((key) => key.columns.length > 0)) return { keys, complete: true };
	} catch {
		// A refusal is expected without the SQL scope; the table description still gives single keys.
	}
	return { keys: singleColumnKeys(table), complete: false };
}

function singleColumnKeys(table: TableInfo): UniqueKey[] {
	const columns = table.columns ?? [];
	return [
		...columns.filter((column) => column.is_primary_key).map((column) => ({ columns: [column.name], primary: true })),
		...columns
			.filter((column) => column.is_unique && !column.is_primary_key)
			.map((column) => ({ columns: [column.name], primary: false })),
	];
}

/** A key of the table's own data, e.g. warehouse + sku; the platform's row id is not one. */
function isBusinessKey(key: UniqueKey): boolean {
	return !(key.columns.length === 1 && key.columns[0] === ROW_ID);
}

/** The keys a user would pick first: business keys, then `_id`. */
export function keysInOrder(keys: TableKeys): UniqueKey[] {
	return [...keys.keys.filter(isBusinessKey), ...keys.keys.filter((key) => !isBusinessKey(key))];
}

export function sameColumns(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((column) => b.includes(column));
}

/** How a key reads in the editor and in messages, e.g. `warehouse + sku (unique)`. */
export function keyLabel(key: UniqueKey): string {
	return `${key.columns.join(' + ')} (${key.primary ? 'primary key' : 'unique'})`;
}

/** The parameter value of a key: its columns, comma separated, as `on_conflict` takes them. */
export function keyValue(key: UniqueKey): string {
	return key.columns.join(',');
}

function columnsOf(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((column) => column.trim())
		.filter((column) => column !== '');
}

/**
 * The columns an upsert matches on for the "Unique Key" chosen in the editor: that key, or the
 * first business key when none (or a key the table no longer has) is chosen. A key the SQL could
 * not confirm is taken as given, since keys of several columns are then unknown.
 */
export function chosenKey(keys: TableKeys, wanted: unknown): string[] {
	const columns = columnsOf(wanted);
	if (columns.length > 0) {
		const known = keys.keys.find((key) => sameColumns(key.columns, columns));
		if (known) return known.columns;
		if (!keys.complete) return columns;
	}
	return keys.keys.find(isBusinessKey)?.columns ?? [];
}
