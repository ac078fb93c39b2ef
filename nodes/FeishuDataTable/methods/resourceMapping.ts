import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { unsetUntilChosen } from '../../shared/mapping';
import { chosenKey, readTableKeys } from '../transport/keys';
import type { TableColumn } from '../transport/schema';
import { ROW_ID, fieldTypeOf, hasDefault, isSystemColumn } from '../transport/schema';
import type { ChosenTable } from './context';
import { currentTable, noticeOf } from './context';

/**
 * The table's columns for the mapping UI. What is matched on depends on the operation: update by
 * row ID matches on `_id`; upsert and sync on the columns of the "Unique Key" chosen above the form (the
 * first business key until one is chosen), and only on those, so that every choice works.
 * Columns the platform maintains (`_created_at`, ...) are shown read-only and left out by default.
 * A table Feishu does not serve gives no columns and a notice saying why and what to do.
 */
export async function getColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	let chosen: ChosenTable | undefined;
	try {
		chosen = await currentTable(this);
	} catch (error) {
		return { fields: [], emptyFieldsNotice: noticeOf(error) };
	}
	// The form shows once both are set; an expression that resolves to nothing lands here.
	if (!chosen) return { fields: [], emptyFieldsNotice: 'Choose a workspace and a table first' };
	const matchOn = await matchingColumns(this, chosen);
	// Updates (and upserts, which update existing rows) write only what the user chose.
	const typed = this.getNodeParameter('operation', undefined) === 'insert' ? (field: ResourceMapperField) => field : unsetUntilChosen;
	const fields = (chosen.table.columns ?? []).map((column) => typed(fieldOf(column, matchOn)));
	return { fields };
}

/** The columns this operation matches on: none for inserts and updates by filter. */
async function matchingColumns(ctx: ILoadOptionsFunctions, chosen: ChosenTable): Promise<string[]> {
	const operation = ctx.getNodeParameter('operation', undefined);
	if (operation === 'update') return ctx.getNodeParameter('updateBy', undefined) === 'id' ? [ROW_ID] : [];
	// Sync finds its rows as an upsert does.
	if (operation !== 'upsert' && operation !== 'sync') return [];
	const keys = await readTableKeys(chosen.client, chosen.workspaceId, chosen.table);
	return chosenKey(keys, ctx.getNodeParameter('uniqueKey', ''));
}

function fieldOf(column: TableColumn, matchOn: string[]): ResourceMapperField {
	const system = isSystemColumn(column.name);
	const matched = matchOn.includes(column.name);
	return {
		id: column.name,
		displayName: column.name,
		type: fieldTypeOf(column),
		required: !system && column.is_allow_null === false && !hasDefault(column),
		defaultMatch: matched,
		canBeUsedToMatch: matched,
		display: true,
		readOnly: system,
		// A new row gets its _id from the platform; only matching needs it.
		removed: system || (column.name === ROW_ID && !matched),
	};
}
