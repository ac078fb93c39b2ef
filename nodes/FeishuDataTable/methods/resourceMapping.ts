import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { unsetUntilChosen } from '../../shared/mapping';
import type { TableColumn } from '../transport/schema';
import { ROW_ID, fieldTypeOf, hasDefault, isSystemColumn } from '../transport/schema';
import { currentTable } from './context';

/**
 * The table's columns for the mapping UI. What can be matched on depends on the operation: update
 * by ID matches on `_id`; upsert on the columns of the primary key or of a unique constraint (its
 * `on_conflict`). The table description marks single unique columns but not composite unique
 * constraints (such as user_id + product_id), so upsert offers every column and preselects the
 * primary key; Feishu refuses columns that form no unique constraint.
 * Columns the platform maintains (`_created_at`, ...) are shown read-only and left out by default.
 */
export async function getColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const table = await currentTable(this);
	if (!table) return { fields: [] };
	const operation = this.getNodeParameter('operation', undefined) as string;
	const updateBy = operation === 'update' ? (this.getNodeParameter('updateBy', undefined) as string) : undefined;
	const matchable = (column: TableColumn) =>
		operation === 'upsert'
			? !isSystemColumn(column.name)
			: operation === 'update' && updateBy === 'id' && column.name === ROW_ID;
	const preselected = (column: TableColumn) =>
		operation === 'upsert' ? Boolean(column.is_primary_key) : matchable(column);

	// Updates (and upserts, which update existing rows) write only what the user chose.
	const typed = operation === 'insert' ? (field: ResourceMapperField) => field : unsetUntilChosen;
	const fields = (table.columns ?? []).map((column): ResourceMapperField => {
		const system = isSystemColumn(column.name);
		// A new row gets its _id from the platform; only matching needs it.
		const hidden = system || (column.name === ROW_ID && !matchable(column));
		const unique = column.is_primary_key ? ' (primary key)' : column.is_unique ? ' (unique)' : '';
		return typed({
			id: column.name,
			displayName: operation === 'upsert' ? `${column.name}${unique}` : column.name,
			type: fieldTypeOf(column),
			required: !system && column.is_allow_null === false && !hasDefault(column),
			defaultMatch: preselected(column),
			canBeUsedToMatch: matchable(column),
			display: true,
			readOnly: system,
			removed: hidden,
		});
	});
	return { fields };
}
