import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { writeBatches } from '../../../shared/batchEndpoint';
import type { ServiceClient } from '../../../shared/client';
import { RecordInputError } from '../../../shared/errors';
import type { RecordOutcome } from '../../../shared/results';
import { failed, succeeded } from '../../../shared/results';
import type { TableTarget } from '../../transport';
import { tablePath } from '../../transport';
import { ROW_ID } from '../../transport/schema';
import { columnsParameter, writeOptions } from '../descriptions';
import { filterParameters, readFilter, requireFilter } from '../filters';
import { readMapping } from './mapping';
import type { RowSending } from './write';
import { recordIds, refusalOf, writeRows } from './write';

const displayOptions: IDisplayOptions = { show: { resource: ['row'], operation: ['update'] } };
const byId: IDisplayOptions = { show: { ...displayOptions.show, updateBy: ['id'] } };
const byFilter: IDisplayOptions = { show: { ...displayOptions.show, updateBy: ['filter'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Update By',
		name: 'updateBy',
		type: 'options',
		options: [
			{
				name: 'Row ID',
				value: 'id',
				description: 'Each item updates the row with its _id; up to 500 rows per request',
			},
			{
				name: 'Filter',
				value: 'filter',
				description: 'Each item updates every row that matches its filter; one request per item',
			},
		],
		default: 'id',
		hint: 'Used for all items',
		displayOptions,
	},
	...columnsParameter('update', byId),
	...filterParameters(byFilter, false),
	...columnsParameter('map', byFilter),
	writeOptions([], displayOptions),
];

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: TableTarget,
): Promise<INodeExecutionData[]> {
	const updateBy = this.getNodeParameter('updateBy', 0) as 'id' | 'filter';
	return updateBy === 'id' ? await updateById(this, client, target) : await updateByFilter(this, client, target);
}

/** Update by row ID: each item names its row by `_id` and sets the other columns it maps. */
async function updateById(ctx: IExecuteFunctions, client: ServiceClient, target: TableTarget): Promise<INodeExecutionData[]> {
	const { mapper } = readMapping(ctx, target);
	return await writeRows(ctx, client, {
		...byIdUpdate(client, target),
		keyColumns: [ROW_ID],
		duplicates: 'merge',
		readRow: (itemIndex) => {
			const mapped = mapper.read(itemIndex);
			if (Object.keys(mapped.values).every((column) => column === ROW_ID)) {
				throw new RecordInputError('No column to update: map at least one column besides _id');
			}
			return mapped;
		},
	});
}

/**
 * `PATCH .../records_batch_update`: every row of a request must update the same columns, so rows
 * are grouped by the columns they set. Rows whose `_id` is not in the answer did not exist.
 */
export function byIdUpdate(client: ServiceClient, target: TableTarget): RowSending {
	return {
		action: 'update',
		groupByColumns: true,
		targetName: `table "${target.table}"`,
		idempotent: true,
		request: (rows) => ({
			method: 'PATCH',
			path: tablePath(client.ctx, target.workspaceId, target.table, 'records_batch_update'),
			body: { records: JSON.stringify(rows) },
		}),
		answer: (part, response) => {
			// Row IDs are UUIDs, which may come back in another case than they were sent.
			const ids = recordIds(response);
			const updated = new Set(ids.map((id) => id.toLowerCase()));
			return part.map((record) => {
				const id = String(record.payload.row[ROW_ID]);
				if (updated.has(id.toLowerCase())) return succeeded(record.itemIndex, { ...record.payload.row }, record.key);
				return failed(
					record.itemIndex,
					{
						message: `No row with _id "${id}" in table "${target.table}"`,
						outcome: 'failed',
						code: 'ROW_NOT_FOUND',
						fields: [ROW_ID],
					},
					record.key,
				);
			});
		},
		duplicateOutcome: (record) => succeeded(record.itemIndex, { ...record.payload.row }, record.key),
	};
}

/** `PATCH .../records?filter=`: one request per item, setting its mapped columns on every matching row. */
async function updateByFilter(ctx: IExecuteFunctions, client: ServiceClient, target: TableTarget): Promise<INodeExecutionData[]> {
	const { mapper } = readMapping(ctx, target);
	return await writeBatches<FilterUpdate>(ctx, client, {
		targetName: `table "${target.table}"`,
		action: 'update',
		prepare: (itemIndex) => {
			const filter = requireFilter(readFilter(ctx, itemIndex));
			const { values: row, ignored } = mapper.read(itemIndex);
			if (Object.keys(row).length === 0) throw new RecordInputError('No column to update: map at least one column');
			return { key: filter, payload: { filter, row }, ignored };
		},
		endpoint: {
			batchSize: 1,
			idempotent: () => true,
			request: ([{ filter, row }]) => ({
				method: 'PATCH',
				path: tablePath(client.ctx, target.workspaceId, target.table, 'records'),
				qs: { filter },
				body: { record: JSON.stringify(row) },
			}),
			answer: ([record], response) => {
				if (!client.isSuccess(response)) return { outcomes: [failed(record.itemIndex, refusalOf(client, response), record.key)] };
				const ids = recordIds(response);
				if (response.afterLostAnswer) return { outcomes: [afterLostAnswer(record, ids)] };
				return { outcomes: [succeeded(record.itemIndex, { updatedRows: ids.length, _ids: ids, ...record.payload.row }, record.key)] };
			},
		},
	});
}

interface FilterUpdate {
	filter: string;
	row: IDataObject;
}

/**
 * The answer to an update by filter was lost and the resend was answered: the resend says only
 * which rows matched the filter then. The lost attempt may have updated rows that no longer match
 * (a filter on a column the update sets matches nothing the second time), so what changed is
 * unknown: never "nothing changed".
 */
function afterLostAnswer(record: PendingRecord<FilterUpdate>, ids: string[]): RecordOutcome {
	return failed(
		record.itemIndex,
		{
			message: `The answer to this update was lost, and the resend then matched ${ids.length} row(s). The first attempt may have updated other rows that no longer match the filter: check the table before running again.`,
			outcome: 'unknown',
			extra: { matchedByResend: ids.length, _ids: ids },
		},
		record.key,
	);
}
