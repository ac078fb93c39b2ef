import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { CONCURRENT_BATCHES } from '../../../feishu/api';
import type { PendingRecord } from '../../../shared/batching';
import { runBulkWrite } from '../../../shared/bulkWrite';
import { assertSendable } from '../../../shared/sendable';
import type { MappedItem } from '../../../shared/mapping';
import type { RecordOutcome } from '../../../shared/results';
import { failed } from '../../../shared/results';
import { MAX_ROWS_PER_REQUEST } from '../../transport';
import { describeKey, requireKeyValues } from '../common';
import type { Attempt } from './isolate';
import { sendIsolatingRefusedRows } from './isolate';

export interface RowPayload {
	/** The item's own column values (its output). */
	row: IDataObject;
	/** Its row with the later items of the same key merged in, once there are any (see sentRow). */
	merged?: IDataObject;
	/** The earlier item with the same key whose request carries this item. */
	leader?: number;
	/** The key values as text, to match rows looked up by key. */
	keyText: string;
}

export type RowRecord = PendingRecord<RowPayload>;

export interface RowWrite {
	/** Columns that identify a row; items with the same values are written once. None: every item is a new row. */
	keyColumns: string[];
	/** Later items of a key: merged into the first (later values win) or left out. */
	duplicates: 'merge' | 'ignore';
	/** Send items with different column sets in different requests (required by batch update). */
	groupByColumns: boolean;
	/** One item's row, validated, and the input fields left out of it. */
	readRow(itemIndex: number): MappedItem;
	/** What the rows go to, for messages, e.g. `table "products"`. */
	targetName: string;
	/** Runs once per batch before its first request, e.g. to look up what exists. */
	beforeSend?(sent: RowRecord[]): Promise<void>;
	/** Sends the rows of one request (their sentRow values). */
	post(part: RowRecord[]): Promise<Attempt>;
	/** The output of an item whose values went with an earlier item of the same key. */
	duplicateOutcome(record: RowRecord, leader: RecordOutcome): RecordOutcome;
}

/** What is sent for a record: its row, with the later items of the same key merged in. */
export function sentRow({ payload }: RowRecord): IDataObject {
	return payload.merged ?? payload.row;
}

export function keyText(row: IDataObject, keyColumns: readonly string[]): string {
	// One column needs no separator; several are joined unambiguously.
	if (keyColumns.length === 1) return String(row[keyColumns[0]]);
	return JSON.stringify(keyColumns.map((column) => String(row[column])));
}

/**
 * Writes one row per item in requests of at most 500 rows. One request cannot touch a row twice,
 * so items sharing a key travel in the first one's request; and a refused request is split to
 * find the rows at fault (see isolate.ts). Every item gets one outcome.
 */
export async function writeRows(ctx: IExecuteFunctions, spec: RowWrite): Promise<INodeExecutionData[]> {
	const { keyColumns } = spec;
	const leaders = new Map<string, RowRecord>();
	/** Each item's request group, by item index, so a duplicate joins its leader's. */
	const groups: string[] = [];
	const results = new Map<number, RecordOutcome>();
	const columnSets = new ColumnSets();

	const duplicateOutcome = (record: RowRecord): RecordOutcome => {
		const leader = results.get(record.payload.leader!);
		if (leader?.json) return spec.duplicateOutcome(record, leader);
		return failed(
			record.itemIndex,
			{
				message: `Not written: it has the same key as item ${record.payload.leader}, whose row was not written`,
				outcome: leader?.failure?.outcome === 'unknown' ? 'unknown' : 'failed',
			},
			record.key,
		);
	};

	return await runBulkWrite<RowPayload>(ctx, {
		batchSize: MAX_ROWS_PER_REQUEST,
		// Keys are the match columns' values: an item sharing a key with an earlier one waits for it.
		concurrency: CONCURRENT_BATCHES,
		orderByKey: true,
		targetName: spec.targetName,
		prepare: (itemIndex) => {
			const { values: row, ignored } = spec.readRow(itemIndex);
			requireKeyValues(row, keyColumns);
			const key = describeKey(row, keyColumns);
			const text = keyText(row, keyColumns);
			const leader = keyColumns.length > 0 ? leaders.get(text) : undefined;
			if (leader) {
				if (spec.duplicates === 'merge') {
					// Checked here, not only by the engine afterwards: the earlier item's request carries it.
					assertSendable(row);
					// The leader's row is its own output, so the merge goes into a copy.
					leader.payload.merged ??= { ...leader.payload.row };
					Object.assign(leader.payload.merged, row);
				}
				return { key, payload: { row, leader: leader.itemIndex, keyText: text }, ignored };
			}
			const record: RowRecord = { itemIndex, key, payload: { row, keyText: text } };
			if (keyColumns.length > 0) leaders.set(text, record);
			return ignored ? { ...record, ignored } : record;
		},
		groupOf: (record) => {
			const { leader } = record.payload;
			const group =
				leader !== undefined ? groups[leader] : spec.groupByColumns ? columnSets.of(sentRow(record)) : '';
			groups[record.itemIndex] = group;
			return group;
		},
		send: async (batch, signal) => {
			const sent = batch.filter((record) => record.payload.leader === undefined);
			if (sent.length > 0) await spec.beforeSend?.(sent);
			const isolation = { rowOf: sentRow, onRefused: signal.failureKnown };
			const outcomes = sent.length > 0 ? await sendIsolatingRefusedRows(sent, spec.post, isolation) : [];
			for (const outcome of outcomes) results.set(outcome.itemIndex, outcome);
			return batch.map((record) => results.get(record.itemIndex) ?? duplicateOutcome(record));
		},
	});
}

/** Names a row's set of columns; rows with their columns in the same order (most) reuse the last name. */
class ColumnSets {
	private lastColumns: string[] = [];

	private lastName = '';

	of(row: IDataObject): string {
		const columns = Object.keys(row);
		const last = this.lastColumns;
		if (columns.length !== last.length || columns.some((column, index) => column !== last[index])) {
			this.lastColumns = columns;
			this.lastName = [...columns].sort().join(',');
		}
		return this.lastName;
	}
}
