import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { failed, succeeded } from '../../../shared/results';
import type { DataTableClient } from '../../transport';
import { MAX_ROWS_PER_REQUEST, isSuccess, tablePath } from '../../transport';
import { keysFilter } from '../../transport/filter';
import { parseItems } from '../../transport/schema';
import { openClient, readMapping, readTarget } from '../common';
import type { Attempt } from './isolate';
import { refusedAttempt } from './isolate';
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
		if (!isSuccess(response)) return refusedAttempt(part, response);
		const ids = response.body?.data?.record_ids ?? [];
		if (resolution === 'ignore-conflicts') return { outcomes: await afterIgnoreConflicts(part, ids, response) };
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

	/**
	 * Which rows were inserted is decided by key, from the look-up made before the request: a key
	 * that existed was kept as it was. Counting the answer's ids cannot tell: Feishu may list every
	 * row or only the new ones, and after a resend the rows its lost first attempt inserted come
	 * back as kept. The ids come from the answer when it plainly lists them, else from a look-up.
	 */
	const afterIgnoreConflicts = async (part: RowRecord[], ids: string[], response: { afterLostAnswer?: true }) => {
		const keptId = (record: RowRecord) => existing?.get(record.payload.keyText);
		const added = part.filter((record) => keptId(record) === undefined);
		let idOf: (record: RowRecord) => string | undefined;
		if (!response.afterLostAnswer && ids.length === part.length) {
			idOf = (record) => ids[part.indexOf(record)];
		} else if (!response.afterLostAnswer && ids.length === added.length) {
			idOf = (record) => keptId(record) ?? ids[added.indexOf(record)];
		} else {
			try {
				const byKey = await lookUpIds(client, path, keyColumns, part);
				idOf = (record) => byKey.get(record.payload.keyText);
			} catch {
				// Each row is now added or kept, and which of the two is known; only the new ids are not.
				idOf = keptId;
			}
		}
		return part.map((record) =>
			written(record, idOf(record) ?? null, keptId(record) === undefined ? 'inserted' : 'ignored'),
		);
	};

	const lookUpExisting = async (sent: RowRecord[]) => {
		// Batches can be in flight together (never two with the same key): each adds what it found.
		const found = await lookUpIds(client, path, keyColumns, sent);
		existing ??= new Map();
		for (const [key, id] of found) existing.set(key, id);
	};

	return await writeRows(ctx, {
		keyColumns,
		duplicates: resolution === 'ignore-conflicts' ? 'ignore' : 'merge',
		groupByColumns: missing === 'separate',
		readRow: (itemIndex) => mapping.mapper.read(itemIndex),
		targetName: `table "${target.table}"`,
		beforeSend: settings.reportAction || resolution === 'ignore-conflicts' ? lookUpExisting : undefined,
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
