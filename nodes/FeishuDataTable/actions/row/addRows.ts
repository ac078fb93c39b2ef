import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { failEach } from '../../../shared/batchEndpoint';
import type { ServiceClient, ServiceRequest } from '../../../shared/client';
import type { HttpResponse } from '../../../shared/request';
import type { RecordOutcome } from '../../../shared/results';
import { succeeded } from '../../../shared/results';
import { parseItems } from '../../../feishu/api';
import type { TableTarget } from '../../transport';
import { MAX_ROWS_PER_REQUEST, queryOf, tablePath } from '../../transport';
import { keysFilter } from '../../transport/filter';
import type { RowRecord } from './write';
import { keyText, recordIds } from './write';

// What Insert and Create or Update share: `POST .../records` with the rows as a JSON text.

export type MissingColumns = 'separate' | 'default' | 'null';

export const missingColumnsOption: INodeProperties = {
	displayName: 'Items With Fewer Columns',
	name: 'missingColumns',
	type: 'options',
	options: [
		{
			name: 'Leave Those Columns Out',
			value: 'separate',
			description:
				'Items are grouped by the columns they have, so a new row gets the column default and an existing row keeps its value',
		},
		{
			name: 'Use the Column Default',
			value: 'default',
			description:
				'Items go in the fewest requests; a column an item lacks gets its default, also on existing rows (Prefer: missing=default)',
		},
		{
			name: 'Set to Null',
			value: 'null',
			description: 'Items go in the fewest requests; a column an item lacks is set to null, also on existing rows',
		},
	],
	default: 'separate',
	description: 'What to do when some items lack a column that other items have (used for all items)',
};

/** How an upsert reports each row; plain inserts say nothing. */
export type RowAction = 'inserted' | 'updated' | 'ignored';

/** `POST .../records`: the rows, every column any of them has, and for upserts the key and how to resolve conflicts. */
export function addRowsRequest(
	client: ServiceClient,
	target: TableTarget,
	rows: IDataObject[],
	settings: { onConflict?: string[]; prefer?: string },
): ServiceRequest {
	return {
		method: 'POST',
		path: tablePath(client.ctx, target.workspaceId, target.table, 'records'),
		qs: queryOf({ columns: unionOfColumns(rows).join(','), on_conflict: settings.onConflict?.join(',') }),
		body: { records: JSON.stringify(rows) },
		headers: settings.prefer ? { Prefer: settings.prefer } : undefined,
	};
}

/**
 * The rows of an accepted answer, `record_ids` in the order of the rows sent; when their number
 * differs, which rows were written is unknown.
 */
export function inOrder(
	part: RowRecord[],
	response: HttpResponse,
	actionOf: (record: RowRecord) => RowAction | undefined = () => undefined,
): RecordOutcome[] {
	const ids = recordIds(response);
	if (ids.length !== part.length) {
		return failEach(part, {
			message: `Feishu answered with ${ids.length} row IDs for ${part.length} rows, so which rows were written is unknown. Check the table before running again.`,
			outcome: 'unknown',
		});
	}
	return part.map((record, index) => written(record, ids[index], actionOf(record)));
}

/** A written row's output: its id, its values and, for upserts, what happened to it. */
export function written(record: RowRecord, id: string | null, action?: RowAction): RecordOutcome {
	return succeeded(record.itemIndex, { _id: id, ...record.payload.row, ...(action ? { _action: action } : {}) }, record.key);
}

/** Every column any of the rows has, in first-seen order: the request's `columns`. */
function unionOfColumns(rows: IDataObject[]): string[] {
	const columns = new Set<string>();
	for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
	return [...columns];
}

// Keys per look-up request, keeping its URL well under common gateway limits.
const KEYS_PER_LOOKUP = 100;

/** The ids of the rows that have the records' keys, by key text. */
export async function lookUpIds(
	client: ServiceClient,
	target: TableTarget,
	keyColumns: string[],
	records: RowRecord[],
): Promise<Map<string, string>> {
	const ids = new Map<string, string>();
	for (let start = 0; start < records.length; start += KEYS_PER_LOOKUP) {
		const keys = records
			.slice(start, start + KEYS_PER_LOOKUP)
			.map((record) => keyColumns.map((column) => record.payload.row[column]));
		const data = await client.read<{ items?: unknown }>(
			{
				method: 'GET',
				path: tablePath(client.ctx, target.workspaceId, target.table, 'records'),
				qs: { filter: keysFilter(keyColumns, keys), select: ['_id', ...keyColumns].join(','), page_size: MAX_ROWS_PER_REQUEST },
			},
			`Could not look up rows of table "${target.table}"`,
		);
		for (const row of parseItems(client.ctx.getNode(), data.items, 'rows')) ids.set(keyText(row, keyColumns), String(row._id));
	}
	return ids;
}
