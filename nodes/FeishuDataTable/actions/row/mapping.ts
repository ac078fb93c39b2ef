import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { RecordInputError } from '../../../shared/errors';
import { assertSomethingMapped, FieldMapper } from '../../../shared/mapping';
import type { TableTarget } from '../../transport';
import { TABLE_NOUNS } from '../../transport';
import { checkColumnName } from '../../transport/filter';
import { isSystemColumn, toJsonValue } from '../../transport/schema';

export interface ColumnsMapping {
	matchingColumns: string[];
	/** Each item's row, from the mapping form or (auto-map) the item itself. */
	mapper: FieldMapper;
}

/**
 * The mapping settings, read once at item 0. System columns such as `_created_at` (present when
 * rows read by this node are written back) are never written; other names must be columns.
 */
export function readMapping(ctx: IExecuteFunctions, { table }: TableTarget): ColumnsMapping {
	assertSomethingMapped(ctx, `table "${table}"`, TABLE_NOUNS);
	return {
		matchingColumns: (ctx.getNodeParameter('columns.matchingColumns', 0, []) as string[]).map(checkColumnName),
		mapper: new FieldMapper(ctx, { neverSent: isSystemColumn, targetOf: checkColumnName, convert: toJsonValue }),
	};
}

/** How people recognise a row in messages, e.g. `user_id=7, product_id=3`. */
export function describeKey(row: IDataObject, columns: readonly string[]): string {
	return columns.map((column) => `${column}=${JSON.stringify(row[column] ?? null)}`).join(', ');
}

/** Each key column must have a value: NULL never conflicts, so the row would be added again. */
export function requireKeyValues(row: IDataObject, columns: readonly string[]): void {
	for (const column of columns) {
		const value = row[column];
		if (value === undefined || value === null || value === '') {
			throw new RecordInputError(`Column to match on "${column}" has no value`, column);
		}
	}
}
