import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import type { Answer, WriteAction, WriteThrough } from '../../../shared/batchEndpoint';
import { failEach, writeBatches } from '../../../shared/batchEndpoint';
import { bisect } from '../../../shared/bisect';
import type { ServiceClient, ServiceRequest } from '../../../shared/client';
import { RATE_LIMITED_CONCURRENCY } from '../../../shared/concurrency';
import type { PreparedRecord } from '../../../shared/bulkWrite';
import type { ReadBack } from '../../../shared/readBack';
import type { MappedItem } from '../../../shared/mapping';
import type { HttpResponse } from '../../../shared/request';
import type { RecordFailure, RecordOutcome } from '../../../shared/results';
import { failed } from '../../../shared/results';
import { assertSendable } from '../../../shared/sendable';
import { MAX_ROWS_PER_REQUEST } from '../../transport';
import { describeKey, requireKeyValues } from './mapping';

export interface RowPayload {
	/** The item's own column values (its output). */
	row: IDataObject;
	/**
	 * The row as sent, when it is not the item's own: with the later items of the same key merged in
	 * (see prepareRow), or only the columns a Sync changes.
	 */
	sent?: IDataObject;
	/** The earlier item with the same key whose request carries this item. */
	leader?: number;
	/** The key values as text, to match rows looked up by key. */
	keyText: string;
}

export type RowRecord = PendingRecord<RowPayload>;

/** How rows go to one write endpoint and how its answer maps back (what Sync sends its rows through). */
export interface RowSending {
	/** What the write does to each row, as Dry Run says it. */
	action: WriteAction;
	/** Send items with different column sets in different requests (required by batch update). */
	groupByColumns: boolean;
	/** What the rows go to, for messages, e.g. `table "products"`. */
	targetName: string;
	/** Whether sending the same rows twice leaves the same table. */
	idempotent: boolean;
	/** The request of these rows (their sentRow values). */
	request(rows: IDataObject[]): ServiceRequest;
	/** Each row's outcome from an accepted answer. */
	answer(part: RowRecord[], response: HttpResponse): Promise<RecordOutcome[]> | RecordOutcome[];
	/** For writes that are not idempotent: reads back the rows of a lost answer by key (readBack.ts). */
	readBack?: ReadBack<RowPayload>;
	/** Runs once per batch before its first request, e.g. to look up what exists. */
	beforeSend?(sent: RowRecord[]): Promise<void>;
	/** The output of an item whose values went with an earlier item of the same key (with key columns only). */
	duplicateOutcome?(record: RowRecord, leader: RecordOutcome): RecordOutcome;
}

/** A row write operation: how its items become rows, and how they are sent; the rest is the same for all. */
interface RowWrite extends RowSending {
	/** Columns that identify a row; items with the same values are written once. None: every item is a new row. */
	keyColumns: string[];
	/** Later items of a key: merged into the first (later values win) or left out. */
	duplicates: 'merge' | 'ignore';
	/** One item's row, validated, and the input fields left out of it. */
	readRow(itemIndex: number): MappedItem;
}

/** The ids of the rows an accepted answer lists (`record_ids`). */
export function recordIds(response: HttpResponse): string[] {
	return (response.body as { data?: { record_ids?: string[] } }).data?.record_ids ?? [];
}

/** What is sent for a record (see rowOf). */
function sentRow({ payload }: RowRecord): IDataObject {
	return rowOf(payload);
}

/** A payload's row as sent: its own, or the one it is sent as (merged with later items, or a Sync's changes). */
function rowOf(payload: RowPayload): IDataObject {
	return payload.sent ?? payload.row;
}

export function keyText(row: IDataObject, keyColumns: readonly string[]): string {
	// One column needs no separator; several are joined unambiguously.
	if (keyColumns.length === 1) return String(row[keyColumns[0]]);
	return JSON.stringify(keyColumns.map((column) => String(row[column])));
}

/**
 * Writes one row per item in requests of at most 500 rows. One request cannot touch a row twice,
 * so items sharing a key travel in the first one's request (see rowWrite). Every item gets one outcome.
 */
export async function writeRows(ctx: IExecuteFunctions, client: ServiceClient, spec: RowWrite): Promise<INodeExecutionData[]> {
	const leaders = new Map<string, RowRecord>();
	return await writeBatches<RowPayload>(ctx, client, {
		...rowWrite(client, spec),
		prepare: (itemIndex) => prepareRow(spec, leaders, itemIndex),
	});
}

/**
 * How rows go to a write endpoint: requests of at most 500 rows, grouped as the endpoint needs, an
 * item that travels with an earlier item of its key answered from that item's outcome, and a
 * request refused for its data split to find the rows at fault (shared/bisect.ts).
 */
export function rowWrite(client: ServiceClient, spec: RowSending): WriteThrough<RowPayload> {
	/** Each item's request group, by item index, so a duplicate joins its leader's. */
	const groups: string[] = [];
	const results = new Map<number, RecordOutcome>();
	const columnSets = new ColumnSets();

	const duplicateOutcome = (record: RowRecord): RecordOutcome => {
		const leader = results.get(record.payload.leader!);
		if (leader?.json && spec.duplicateOutcome) return spec.duplicateOutcome(record, leader);
		return failed(
			record.itemIndex,
			{
				message: `Not written: it has the same key as item ${record.payload.leader}, whose row was not written`,
				outcome: leader?.failure?.outcome === 'unknown' ? 'unknown' : 'failed',
			},
			record.key,
		);
	};

	return {
		targetName: spec.targetName,
		action: spec.action,
		sentRecord: rowOf,
		travelsWith: (payload) => payload.leader,
		endpoint: {
			batchSize: MAX_ROWS_PER_REQUEST,
			// Keys are the match columns' values: an item sharing a key with an earlier one waits for it.
			concurrency: RATE_LIMITED_CONCURRENCY,
			orderByKey: true,
			groupOf: (record) => {
				const { leader } = record.payload;
				const group =
					leader !== undefined ? groups[leader] : spec.groupByColumns ? columnSets.of(sentRow(record)) : '';
				groups[record.itemIndex] = group;
				return group;
			},
			idempotent: () => spec.idempotent,
			request: (payloads) => spec.request(payloads.map(rowOf)),
			answer: async (part, response) =>
				client.isSuccess(response) ? { outcomes: await spec.answer(part, response) } : refusedAnswer(client, part, response),
			onRefused: bisect({ service: 'Feishu', noun: 'row', valuesOf: sentRow }),
			readBack: spec.readBack,
		},
		around: async (batch, send) => {
			const sent = batch.filter((record) => record.payload.leader === undefined);
			if (sent.length > 0) await spec.beforeSend?.(sent);
			const outcomes = sent.length > 0 ? await send(sent) : [];
			for (const outcome of outcomes) results.set(outcome.itemIndex, outcome);
			return batch.map((record) => results.get(record.itemIndex) ?? duplicateOutcome(record));
		},
	};
}

/**
 * One item's row. An item whose key an earlier item has travels in that item's request: merged
 * into its row (later values win) or left out, as the operation says.
 */
function prepareRow(spec: RowWrite, leaders: Map<string, RowRecord>, itemIndex: number): PreparedRecord<RowPayload> {
	const { keyColumns } = spec;
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
			leader.payload.sent ??= { ...leader.payload.row };
			Object.assign(leader.payload.sent, row);
		}
		return { key, payload: { row, leader: leader.itemIndex, keyText: text }, ignored };
	}
	const record: RowRecord = { itemIndex, key, payload: { row, keyText: text } };
	if (keyColumns.length > 0) leaders.set(text, record);
	return ignored ? { ...record, ignored } : record;
}

/** The service refused the request because of its data: nothing was written. */
function isDataRefusal(response: HttpResponse): boolean {
	const code = (response.body as { code?: unknown } | undefined)?.code;
	// 99991xxx are platform (token, scope, rate) codes: they concern the request, not its rows.
	const platformCode = typeof code === 'number' && code >= 99990000;
	return [400, 409, 422].includes(response.statusCode) && !platformCode;
}

const DATA_HINT =
	"Check the row's values: each column needs a value of its type, and the table's unique and not-null rules must hold.";

/** The failure of the rows of a refused request, with what to do about it when known. */
export function refusalOf(client: ServiceClient, response: HttpResponse): RecordFailure {
	const error = client.describe(response);
	const message = error.code ? error.message : `Feishu answered ${error.message}`;
	// A refusal of the rows' data is about their values, whatever the code's general advice says.
	const hint = isDataRefusal(response) ? DATA_HINT : error.hint;
	return {
		message: hint ? `${message}. ${hint}` : message,
		outcome: 'failed',
		code: error.code,
		serviceMessage: message,
		httpCode: error.httpCode,
	};
}

/** What a refused request did: a refusal of its rows' data (worth splitting), or a failure of every row. */
function refusedAnswer<T>(client: ServiceClient, part: Array<PendingRecord<T>>, response: HttpResponse): Answer {
	const refused = refusalOf(client, response);
	return isDataRefusal(response) ? { refused, response } : { outcomes: failEach(part, refused) };
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
