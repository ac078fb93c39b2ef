import type { FieldType } from 'n8n-workflow';

import type { ServiceClient } from '../../shared/client';
import { readPages } from '../../shared/reader';
import { MAX_ROWS_PER_REQUEST, tablePath, tablesPath } from './index';

/** A column as `GET /tables/:table_name` describes it. */
export interface TableColumn {
	name: string;
	description?: string;
	data_type?: string;
	is_primary_key?: boolean;
	is_unique?: boolean;
	is_auto_increment?: boolean;
	is_array?: boolean;
	is_allow_null?: boolean;
	default_value?: string | null;
}

export interface TableInfo {
	name: string;
	description?: string;
	columns?: TableColumn[];
}

/** The row id every table has; the only key `records_batch_update` matches on. */
export const ROW_ID = '_id';

export async function getTable(client: ServiceClient, workspaceId: string, tableName: string): Promise<TableInfo> {
	return await client.read<TableInfo>(
		{ method: 'GET', path: tablePath(client.ctx, workspaceId, tableName) },
		`Could not read table "${tableName}"`,
	);
}

/** All tables of a workspace, following page tokens. */
export async function listTables(client: ServiceClient, workspaceId: string): Promise<TableInfo[]> {
	return await readPages(client, { limit: Infinity }, async (pageToken) => {
		const page = await client.read<{ items?: TableInfo[]; has_more?: boolean; page_token?: string }>(
			{
				method: 'GET',
				path: tablesPath(client.ctx, workspaceId),
				qs: { page_size: MAX_ROWS_PER_REQUEST, ...(pageToken ? { page_token: pageToken } : {}) },
			},
			'Could not list the tables of the workspace',
		);
		return { records: page.items ?? [], next: page.has_more ? page.page_token : undefined };
	});
}

/** System columns other than `_id` (`_created_at`, ...) are maintained by the platform. */
export function isSystemColumn(name: string): boolean {
	return name.startsWith('_') && name !== ROW_ID;
}

/** Whether the platform fills the column when a new row leaves it out. */
export function hasDefault(column: TableColumn): boolean {
	return (
		Boolean(column.is_auto_increment) ||
		Boolean(column.is_primary_key) ||
		(column.default_value !== undefined && column.default_value !== null && column.default_value !== '')
	);
}

const NUMBER_TYPES = /^(int[248]?|smallint|integer|bigint|(big|small)?serial[248]?|numeric|decimal|float[48]?|real|double( precision)?|money)\b/i;

/** The n8n field type for a PostgreSQL column type, so the mapping UI offers the right input. */
export function fieldTypeOf(column: TableColumn): FieldType {
	if (column.is_array) return 'array';
	const type = String(column.data_type ?? '').trim().toLowerCase();
	if (type.endsWith('[]')) return 'array';
	if (NUMBER_TYPES.test(type)) return 'number';
	if (type === 'bool' || type === 'boolean') return 'boolean';
	if (type.startsWith('timestamp') || type === 'date') return 'dateTime';
	if (type.startsWith('time')) return 'time';
	if (type === 'json' || type === 'jsonb') return 'object';
	return 'string';
}

/** A value as JSON for the records API: dates become ISO text, nothing else changes. */
export function toJsonValue(value: unknown): unknown {
	if (typeof value !== 'object' || value === null) return value;
	if (value instanceof Date) return value.toISOString();
	if (typeof (value as { toISO?: unknown }).toISO === 'function') {
		return (value as { toISO: () => string }).toISO();
	}
	return value;
}
