import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { failed, succeeded } from '../../../shared/results';
import type { DataTableClient } from '../../transport';
import { MAX_ROWS_PER_REQUEST, isSuccess, tablePath } from '../../transport';
import { keysFilter } from '../../transport/filter';
import { parseItems } from '../../transport/schema';
import { openClient, readMapping, readRow, readTarget } from '../common';
import type { Attempt } from './isolate';
import { isDataRefusal, refusalOf } from './isolate';
import type { RowRecord } from './rowWrite';
import { keyText, sentRow, writeRows } from './rowWrite';

/** Upsert conflict handling: PostgREST's `Prefer: resolution=...`. */
export type Resolution = 'merge-duplicates' | 'ignore-conflicts';

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
type RowAction = 'inserted' | 'updated' | 'ignored';

interface AddRowsSettings {
	/** None: plain insert. */
	resolution?: Resolution;
	missing: MissingColumns;
	/** Look keys up before writing, to say which rows were inserted and which updated. */
	reportAction: boolean;
}

// Keys per look-up request, keeping its URL well under common gateway limits.
const KEYS_PER_LOOKUP = 100;

/**
 * Insert and Upsert: `POST .../records` with the rows as a JSON text, `record_ids` mapped back to
 * the items in order. Upserts match on the chosen unique columns (`on_conflict`); items with the
 * same key are written once, later values winning (merge) or left out (ignore-conflicts).
 */
export async function addRows(ctx: IExecuteFunctions, settings: AddRowsSettings): Promise<INodeExecutionData[]> {
	const { resolution, missing } = settings;
	const target = readTarget(ctx);
	const mapping = readMapping(ctx);
	const keyColumns = resolution ? mapping.matchingColumns : [];
	if (resolution && keyColumns.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the columns to match on', {
			description: 'Upsert needs the primary key or the unique columns that identify a row.',
		});
	}
	const client = await openClient(ctx);
	const path = tablePath(ctx, target.workspaceId, target.table, 'records');
	const prefer = [resolution && `resolution=${resolution}`, missing === 'default' && 'missing=default']
		.filter(Boolean)
		.join(', ');
	let existing: Map<string, string> | undefined;

	const written = (record: RowRecord, id: string | null, action?: RowAction) =>
		succeeded(record.itemIndex, { _id: id, ...record.payload.row, ...(action ? { _action: action } : {}) }, record.key);

	const post = async (part: RowRecord[]): Promise<Attempt> => {
		const rows = part.map(sentRow);
		const columns = unionOfColumns(rows);
		const response = await client.send<{ record_ids?: string[] }>(
			{
				method: 'POST',
				path,
				qs: {
					...(columns.length > 0 ? { columns: columns.join(',') } : {}),
					...(resolution ? { on_conflict: keyColumns.join(',') } : {}),
				},
				body: { records: JSON.stringify(rows) },
				prefer: prefer || undefined,
			},
			// Matching on a key with values makes a repeat land on the same rows; an insert would add them again.
			resolution !== undefined,
		);
		if (!isSuccess(response)) {
			const refusal = refusalOf(response);
			if (isDataRefusal(response)) return { refused: refusal };
			return { outcomes: part.map((record) => failed(record.itemIndex, refusal, record.key)) };
		}
		const ids = response.body?.data?.record_ids ?? [];
		if (resolution === 'ignore-conflicts') return { outcomes: await afterIgnoreConflicts(part, ids) };
		if (ids.length !== part.length) {
			const mismatch = {
				message: `Feishu answered with ${ids.length} row IDs for ${part.length} rows, so which rows were written is unknown. Check the table before running again.`,
				outcome: 'unknown' as const,
			};
			return { outcomes: part.map((record) => failed(record.itemIndex, mismatch, record.key)) };
		}
		const actionOf = (record: RowRecord) =>
			existing && (existing.has(record.payload.keyText) ? 'updated' : 'inserted');
		return { outcomes: part.map((record, index) => written(record, ids[index], actionOf(record))) };
	};

	/** Rows that met an existing key were kept as they were and have no id in the answer. */
	const afterIgnoreConflicts = async (part: RowRecord[], ids: string[]) => {
		if (ids.length === part.length) return part.map((record, index) => written(record, ids[index], 'inserted'));
		let byKey: Map<string, string>;
		try {
			byKey = await lookUpIds(client, path, keyColumns, part);
		} catch {
			// Each row is now added or kept; only which of the two is unknown.
			return part.map((record) => written(record, null));
		}
		const inserted = new Set(ids);
		return part.map((record) => {
			const id = byKey.get(record.payload.keyText);
			return written(record, id ?? null, id !== undefined && inserted.has(id) ? 'inserted' : 'ignored');
		});
	};

	return await writeRows(ctx, {
		keyColumns,
		duplicates: resolution === 'ignore-conflicts' ? 'ignore' : 'merge',
		groupByColumns: missing === 'separate',
		readRow: (itemIndex) => readRow(ctx, itemIndex, mapping),
		beforeSend: settings.reportAction
			? async (sent) => {
					// Batches can be in flight together (never two with the same key): each adds what it found.
					const found = await lookUpIds(client, path, keyColumns, sent);
					existing ??= new Map();
					for (const [key, id] of found) existing.set(key, id);
				}
			: undefined,
		post,
		duplicateOutcome: (record, leader) => {
			// The first item of the key added or updated the row; this one updated it or was left out.
			const action = resolution === 'ignore-conflicts' ? 'ignored' : leader.json!._action && 'updated';
			return written(record, leader.json!._id as string | null, action as RowAction | undefined);
		},
	});
}

/** Every column any of the rows has, in first-seen order: the request's `columns`. */
function unionOfColumns(rows: IDataObject[]): string[] {
	const columns = new Set<string>();
	for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
	return [...columns];
}

/** The ids of the rows that have the records' keys, by key text. */
async function lookUpIds(
	client: DataTableClient,
	path: string,
	keyColumns: string[],
	records: RowRecord[],
): Promise<Map<string, string>> {
	const ids = new Map<string, string>();
	for (let start = 0; start < records.length; start += KEYS_PER_LOOKUP) {
		const keys = records
			.slice(start, start + KEYS_PER_LOOKUP)
			.map((record) => keyColumns.map((column) => record.payload.row[column]));
		const data = await client.read<{ items?: unknown }>({
			method: 'GET',
			path,
			qs: {
				filter: keysFilter(keyColumns, keys),
				select: ['_id', ...keyColumns].join(','),
				page_size: MAX_ROWS_PER_REQUEST,
			},
		});
		for (const row of parseItems(data.items)) ids.set(keyText(row, keyColumns), String(row._id));
	}
	return ids;
}
