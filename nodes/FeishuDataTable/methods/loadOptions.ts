import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { currentTable } from './context';

/** The table's columns, for filters, sorting and column selection. */
export async function getColumnNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const table = await currentTable(this);
	return (table?.columns ?? []).map(({ name, description, data_type }) => ({
		name,
		value: name,
		description: [data_type, description].filter(Boolean).join(' · ') || undefined,
	}));
}
