import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { keyLabel, keyValue, keysInOrder, readTableKeys, SQL_SCOPE } from '../transport/keys';
import { currentTable } from './context';

/** The table's columns, for filters, sorting and column selection. */
export async function getColumnNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const chosen = await currentTable(this);
	return (chosen?.table.columns ?? []).map(({ name, description, data_type }) => ({
		name,
		value: name,
		description: [data_type, description].filter(Boolean).join(' · ') || undefined,
	}));
}

/**
 * The keys an upsert can match on, one choice each (a key of several columns too), business keys
 * first: "warehouse + sku (unique)", value "warehouse,sku". None while the table cannot be read: the
 * field mapping below says why, once, rather than a second red error here.
 */
export async function getUniqueKeys(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const chosen = await currentTable(this).catch(() => undefined);
	if (!chosen) return [];
	const keys = await readTableKeys(chosen.client, chosen.workspaceId, chosen.table);
	const partial = keys.complete
		? undefined
		: `Keys of several columns are listed once the credential has "Read Keys of Several Columns" on (scope ${SQL_SCOPE}); until then, enter one as an expression, e.g. warehouse,sku`;
	return keysInOrder(keys).map((key) => ({ name: keyLabel(key), value: keyValue(key), description: partial }));
}
