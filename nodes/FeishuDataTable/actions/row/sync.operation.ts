import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import { mirrorProperties } from '../../../shared/descriptions';
import { RecordInputError } from '../../../shared/errors';
import { NodeOutputs } from '../../../shared/router';
import type { Mirror } from '../../../shared/mirror';
import { mirrorLimit } from '../../../shared/mirror';
import type { FieldChange } from '../../../shared/sync';
import { runSync } from '../../../shared/sync';
import type { TableTarget } from '../../transport';
import { MAX_ROWS_PER_REQUEST, MAX_URL_LENGTH } from '../../transport';
import { keysFilter } from '../../transport/filter';
import type { TableColumn } from '../../transport/schema';
import { ROW_ID } from '../../transport/schema';
import { columnsParameter, writeOptions } from '../descriptions';
import { filterParameters, readFilter } from '../filters';
import { addRowsRequest, inOrder } from './addRows';
import { matchKeyOf, sameValue } from './compare';
import { rowDelete } from './delete.operation';
import { describeKey, readMapping, requireKeyValues } from './mapping';
import { keyFitsInUrl, RowReader } from './read';
import { byIdUpdate } from './update.operation';
import { requireUniqueKey } from './upsert.operation';
import type { RowPayload, RowSending } from './write';
import { rowWrite } from './write';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['sync'] } };

/** The scope is a filter as Get Many's, shown once "Remove Rows Not in Input" is on. */
const [scopeType, ...scopeConditions] = filterParameters({ show: { ...displayOptions.show, removeMissing: [true] } }, false);

const scope: INodeProperties = {
	...scopeType,
	displayName: 'Scope',
	description:
		'The rows this Sync keeps in step: only rows this filter matches are deleted when no item names them',
	hint: 'Every row of the table: Raw Expression _id=not.is.null',
};

const [removeMissing, scopeParameter, ...safetyLimit] = mirrorProperties('Rows', scope, displayOptions);

export const description: INodeProperties[] = [
	...columnsParameter('upsert', displayOptions),
	removeMissing,
	scopeParameter,
	...scopeConditions,
	...safetyLimit,
	writeOptions([], displayOptions),
];

/** Requests reading current rows at once; each reads up to 500 (the client keeps to 10 per second). */
const READ_CONCURRENCY = 4;

/** Rows one delete removes: a UUID takes 45 characters of the URL, so 100 keep it near 4,500 (MAX_URL_LENGTH). */
const IDS_PER_DELETE = 100;

/**
 * Sync: reads the rows the items name (by the Unique Key, 500 per request), compares the mapped
 * columns as PostgreSQL stores them, and writes only what differs: missing rows added (upsert on
 * the key, so a resend lands on the same row), changed columns updated by `_id`, and with "Remove
 * Rows Not in Input" the rows of the scope no item names deleted.
 */
export async function execute(this: IExecuteFunctions, client: ServiceClient, target: TableTarget): Promise<NodeOutputs> {
	const limit = mirrorLimit(this);
	// Checked before anything is read: a scope that cannot be built must not surface after the reads.
	const scopeFilter = limit && readScope(this);
	const { matchingColumns: keyColumns, mapper } = readMapping(this, target);
	const { table } = await requireUniqueKey(this, client, target, keyColumns);
	const columns = new Map((table.columns ?? []).map((column) => [column.name, column]));
	const keyTypes = keyColumns.map((name) => columns.get(name));
	const reader = new RowReader(client, target);
	const targetName = `table "${target.table}"`;

	/** The key values the items send, by key text: what the reads look up. */
	const keyValues = new Map<string, unknown[]>();
	/** Every column of the table some item maps: what the reads return. */
	const mapped = new Set<string>([ROW_ID, ...keyColumns]);
	const withKeys = (rows: IDataObject[]) => rows.map((row): [string, IDataObject] => [matchKeyOf(keyTypes, keyColumns.map((column) => row[column])), row]);

	const mirror: Mirror<IDataObject, string> | undefined = limit && {
		limit,
		// The mapped columns too: rows found here are compared with the items and not read again.
		scope: async () => withKeys(await reader.rows({ filter: scopeFilter!, select: [...mapped].join(','), pageSize: MAX_ROWS_PER_REQUEST, limit: Infinity })),
		remove: {
			write: {
				...rowDelete<string>(client, target, {
					batchSize: IDS_PER_DELETE,
					filter: (ids) => keysFilter([ROW_ID], ids.map((id) => [id])),
					output: (id) => ({ _id: id }),
				}),
				sentRecord: (id) => ({ _id: id }),
			},
			payload: (current) => String(current[ROW_ID]),
		},
		removed: (current) => columnsOf(current, [ROW_ID, ...keyColumns]),
	};

	return new NodeOutputs(
		await runSync<RowPayload, IDataObject, RowPayload, RowPayload, string>(this, client, {
			targetName,
			prepare: (itemIndex) => {
				const { values: row, ignored } = mapper.read(itemIndex);
				requireKeyValues(row, keyColumns);
				const key = keyColumns.map((column) => row[column]);
				if (!keyFitsInUrl(keyColumns, key)) {
					throw new RecordInputError(
						`The values to match on are too long to look their row up: a read's URL would pass ${MAX_URL_LENGTH.toLocaleString('en-US')} characters. Match on a unique key with shorter values`,
						keyColumns[0],
					);
				}
				const keyText = matchKeyOf(keyTypes, key);
				keyValues.set(keyText, key);
				for (const column in row) if (columns.has(column)) mapped.add(column);
				return { key: describeKey(row, keyColumns), payload: { row, keyText }, ignored };
			},
			matchKey: (desired) => desired.keyText,
			read: {
				size: MAX_ROWS_PER_REQUEST,
				concurrency: READ_CONCURRENCY,
				records: async (keys) => withKeys(await reader.withKeys(keyColumns, keys.map((key) => keyValues.get(key)!), [...mapped])),
			},
			changes: (desired, current) => changedColumns(columns, desired.row, current),
			create: { write: rowWrite(client, rowCreation(client, target, keyColumns)), payload: (desired) => desired },
			update: {
				write: rowWrite(client, byIdUpdate(client, target)),
				payload: ({ desired, current, changes }) => changedOnly(desired, current, changes, keyColumns),
			},
			label: (current) => `_id ${String(current[ROW_ID])}`,
			// The row's own `_id`, also when the item wrote it another way (in capitals).
			unchanged: (desired, current) => ({ ...columnsOf(desired.row, keyColumns), [ROW_ID]: current[ROW_ID] }),
			mirror,
		}),
	);
}

/** The Scope filter of "Remove Rows Not in Input", read once; an empty or unfinished one stops the run. */
function readScope(ctx: IExecuteFunctions): string {
	const description =
		'Under "Remove Rows Not in Input", Scope is a filter that selects the rows this Sync keeps in step, e.g. region equals EMEA; the Raw Expression _id=not.is.null selects every row of the table.';
	let filter: string;
	try {
		filter = readFilter(ctx, 0);
	} catch (error) {
		// A condition without a value, a name that is no column: said as the Scope's.
		throw new NodeOperationError(ctx.getNode(), `Scope: ${(error as Error).message}`, { description });
	}
	if (filter === '') throw new NodeOperationError(ctx.getNode(), 'Enter the Scope of the rows to remove', { description });
	return filter;
}

/**
 * The mapped columns whose values PostgreSQL would store differently from what it holds now. `_id`
 * finds the row and is never changed by an update.
 */
function changedColumns(columns: Map<string, TableColumn>, row: IDataObject, current: IDataObject): FieldChange[] {
	const changes: FieldChange[] = [];
	for (const column in row) {
		if (column === ROW_ID) continue;
		const stored = current[column];
		if (!sameValue(columns.get(column), row[column], stored)) changes.push({ field: column, old: stored ?? null, new: row[column] });
	}
	return changes;
}

/**
 * An update of the changed columns only, to the row found (by its `_id`: batch update matches on
 * nothing else). Its output names the row by `_id` and key, with the values set.
 */
function changedOnly(desired: RowPayload, current: IDataObject, changes: FieldChange[], keyColumns: string[]): RowPayload {
	const sent: IDataObject = { [ROW_ID]: current[ROW_ID] };
	for (const { field } of changes) sent[field] = desired.row[field];
	return { row: { ...columnsOf(desired.row, keyColumns), ...sent }, sent, keyText: desired.keyText };
}

/** Rows the table lacks: added with `on_conflict` on the key, so that a resend (or a row added meanwhile) is updated, not doubled. */
function rowCreation(client: ServiceClient, target: TableTarget, keyColumns: string[]): RowSending {
	return {
		action: 'create',
		// Rows with other columns go apart: a column a row lacks must keep its default, not become null.
		groupByColumns: true,
		targetName: `table "${target.table}"`,
		idempotent: true,
		request: (rows) => addRowsRequest(client, target, rows, { onConflict: keyColumns, prefer: 'resolution=merge-duplicates' }),
		answer: (part, response) => inOrder(part, response),
	};
}

function columnsOf(row: IDataObject, names: string[]): IDataObject {
	const picked: IDataObject = {};
	for (const name of names) picked[name] = row[name];
	return picked;
}
