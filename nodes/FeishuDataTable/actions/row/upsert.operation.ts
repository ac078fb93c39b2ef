import type { IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { HttpResponse } from '../../../shared/request';
import type { RecordOutcome } from '../../../shared/results';
import type { TableTarget } from '../../transport';
import { keyLabel, keysInOrder, readTableKeys, sameColumns, SQL_SCOPE } from '../../transport/keys';
import type { TableInfo } from '../../transport/schema';
import { getTable } from '../../transport/schema';
import { columnsParameter, writeOptions } from '../descriptions';
import type { MissingColumns, RowAction } from './addRows';
import { addRowsRequest, inOrder, lookUpIds, missingColumnsOption, written } from './addRows';
import { readMapping } from './mapping';
import { uniqueKeyReadBack } from './readBack';
import type { RowRecord } from './write';
import { recordIds, writeRows } from './write';

/** Upsert conflict handling: PostgREST's `Prefer: resolution=...`. */
type Resolution = 'merge-duplicates' | 'ignore-conflicts';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['upsert'] } };

const reportActionOption: INodeProperties = {
	displayName: 'Report Inserted or Updated',
	name: 'reportAction',
	type: 'boolean',
	default: false,
	description:
		'Whether to look the keys up before writing, so each output says "_action": "inserted" or "updated". Costs one extra read request per 100 items.',
	displayOptions: { show: { '/resolution': ['merge-duplicates'] } },
};

export const description: INodeProperties[] = [
	{
		displayName: 'If a Row Already Exists',
		name: 'resolution',
		type: 'options',
		options: [
			{
				name: 'Update It',
				value: 'merge-duplicates',
				description: 'Write the mapped columns into the existing row (Prefer: resolution=merge-duplicates)',
			},
			{
				name: 'Keep It Unchanged',
				value: 'ignore-conflicts',
				description: 'Only add rows whose key is new (Prefer: resolution=ignore-conflicts)',
			},
		],
		default: 'merge-duplicates',
		hint: 'Used for all items',
		displayOptions,
	},
	...columnsParameter('upsert', displayOptions),
	writeOptions([missingColumnsOption, reportActionOption], displayOptions),
];

/**
 * `POST .../records` with `on_conflict`: adds or updates one row per item, matching on the chosen
 * unique columns. Items with the same key are written once, later values winning (merge) or left
 * out (ignore-conflicts). Safe to resend: the same key lands on the same row.
 */
export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
): Promise<INodeExecutionData[]> {
	const resolution = this.getNodeParameter('resolution', 0) as Resolution;
	const missing = this.getNodeParameter('options.missingColumns', 0, 'separate') as MissingColumns;
	const reportAction = this.getNodeParameter('options.reportAction', 0, false) as boolean;
	const { matchingColumns: keyColumns, mapper } = readMapping(this, target);
	await requireUniqueKey(this, client, target, keyColumns);
	const prefer = [`resolution=${resolution}`, missing === 'default' && 'missing=default'].filter(Boolean).join(', ');
	const keys = new KnownKeys(client, target, keyColumns);

	return await writeRows(this, client, {
		action: 'create or update',
		keyColumns,
		duplicates: resolution === 'ignore-conflicts' ? 'ignore' : 'merge',
		groupByColumns: missing === 'separate',
		readRow: (itemIndex) => mapper.read(itemIndex),
		targetName: `table "${target.table}"`,
		// Matching on a key with values makes a repeat land on the same rows.
		idempotent: true,
		request: (rows) => addRowsRequest(client, target, rows, { onConflict: keyColumns, prefer }),
		beforeSend: reportAction || resolution === 'ignore-conflicts' ? async (sent) => await keys.lookUp(sent) : undefined,
		// A resend refused, or lost every time: read back by the key. Rows kept by ignore-conflicts hold
		// other values, so only "Update It" can tell a written row by its values.
		readBack: resolution === 'merge-duplicates' ? uniqueKeyReadBack(client, target, keyColumns) : undefined,
		answer: async (part, response) =>
			resolution === 'ignore-conflicts'
				? await keys.afterIgnoreConflicts(part, response)
				: inOrder(part, response, (record) => keys.actionOf(record)),
		duplicateOutcome: (record, leader) => {
			// The first item of the key added or updated the row; this one updated it or was left out.
			const action = resolution === 'ignore-conflicts' ? 'ignored' : leader.json!._action && 'updated';
			return written(record, leader.json!._id as string | null, action as RowAction | undefined);
		},
	});
}

/**
 * The columns to match on must be a key of the table, or every row would be refused: checked once,
 * before anything is written. Without the SQL scope keys of several columns are unknown, so such a
 * set is left for Feishu to check. Returns the table as read, and whether the key is a known one.
 */
export async function requireUniqueKey(
	ctx: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
	keyColumns: string[],
): Promise<{ table: TableInfo; known: boolean }> {
	const table = await getTable(client, target.workspaceId, target.table);
	const keys = await readTableKeys(client, target.workspaceId, table);
	const known = keys.keys.some((key) => sameColumns(key.columns, keyColumns));
	// Without the full list (no SQL scope, or its read failed) a unique index may be missing from it:
	// Feishu then decides, and says which columns it refuses.
	if (keyColumns.length > 0 && (known || !keys.complete)) return { table, known };
	const unlisted = keys.complete ? '' : ` Keys of several columns are not listed without the scope ${SQL_SCOPE}.`;
	throw new NodeOperationError(
		ctx.getNode(),
		keyColumns.length === 0
			? `No columns to match on for table "${target.table}"`
			: `The columns to match on (${keyColumns.join(' + ')}) are not a unique key of table "${target.table}"`,
		{ description: `Its unique keys: ${keysInOrder(keys).map(keyLabel).join(', ')}. Choose one in Unique Key.${unlisted}` },
	);
}

/** The rows that had their keys before their batch was sent, when looked up, by key text. */
class KnownKeys {
	private existing?: Map<string, string>;

	constructor(
		private readonly client: ServiceClient,
		private readonly target: TableTarget,
		private readonly keyColumns: string[],
	) {}

	/** Looks up a batch's keys before it is sent. */
	async lookUp(sent: RowRecord[]): Promise<void> {
		// Batches can be in flight together (never two with the same key): each adds what it found.
		const found = await lookUpIds(this.client, this.target, this.keyColumns, sent);
		this.existing ??= new Map();
		for (const [key, id] of found) this.existing.set(key, id);
	}

	/** "updated" for a key that existed, "inserted" for a new one; nothing when keys were not looked up. */
	actionOf(record: RowRecord): RowAction | undefined {
		return this.existing && (this.existing.has(record.payload.keyText) ? 'updated' : 'inserted');
	}

	private keptId(record: RowRecord): string | undefined {
		return this.existing?.get(record.payload.keyText);
	}

	/**
	 * With ignore-conflicts, which rows were inserted is decided by key, from the look-up made before
	 * the request: a key that existed was kept as it was. Counting the answer's ids cannot tell:
	 * Feishu may list every row or only the new ones, and after a resend the rows its lost first
	 * attempt inserted come back as kept. The ids come from the answer when it plainly lists them,
	 * else from a look-up.
	 */
	async afterIgnoreConflicts(part: RowRecord[], response: HttpResponse): Promise<RecordOutcome[]> {
		const ids = recordIds(response);
		const added = part.filter((record) => this.keptId(record) === undefined);
		let idOf: (record: RowRecord) => string | undefined;
		if (!response.afterLostAnswer && ids.length === part.length) {
			idOf = (record) => ids[part.indexOf(record)];
		} else if (!response.afterLostAnswer && ids.length === added.length) {
			idOf = (record) => this.keptId(record) ?? ids[added.indexOf(record)];
		} else {
			try {
				const byKey = await lookUpIds(this.client, this.target, this.keyColumns, part);
				idOf = (record) => byKey.get(record.payload.keyText);
			} catch {
				// Each row is now added or kept, and which of the two is known; only the new ids are not.
				idOf = (record) => this.keptId(record);
			}
		}
		return part.map((record) =>
			written(record, idOf(record) ?? null, this.keptId(record) === undefined ? 'inserted' : 'ignored'),
		);
	}
}
