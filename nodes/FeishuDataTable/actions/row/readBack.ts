import type { IDataObject } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { ReadBack, ReadBackVerdict } from '../../../shared/readBack';
import type { TableTarget } from '../../transport';
import type { UniqueKey } from '../../transport/keys';
import { keyLabel, keysInOrder, readTableKeys, SQL_SCOPE } from '../../transport/keys';
import type { TableColumn } from '../../transport/schema';
import { getTable, ROW_ID } from '../../transport/schema';
import { written } from './addRows';
import { matchKeyOf, sameValue } from './compare';
import { RowReader } from './read';
import type { RowRecord } from './write';

const NO_KEY =
	'it has no value for any unique key of the table (the primary key or a unique constraint), so there is no key to check it by. Map the columns of a unique key to let the node check';

const DIFFERS =
	'a row with this key exists but differs from what was sent: it may have been written by someone else. Check it before running again';

interface Schema {
	columns: Map<string, TableColumn>;
	keys: UniqueKey[];
	/** Whether keys of several columns are known (see TableKeys). */
	complete: boolean;
}

/**
 * Upsert (`upsertOn`, its key columns): resent by the engine as idempotent in effect; when the
 * resend is refused, or every resend's answer is lost, its rows are read back by that key: found
 * holding what was sent, written; otherwise sent again (it lands on the row holding the key).
 *
 * Insert: a row whose answer was lost is read back by a unique key of the table (transport/keys.ts:
 * the primary key or a unique constraint), the first whose columns the row sets. The table and its
 * keys are read at the first lost answer only.
 *
 * Why "found as sent" may be reported written: PostgreSQL refuses a row whose key another row
 * holds (the whole request). So a row found with this key was either added by the lost request, or
 * existed before it (the request was then refused). In the second case the row must also hold
 * every value this item sends, or it is reported unknown ("differs"): reported written, it is a row
 * of the table holding exactly what the item asked for, with that row's `_id`; only "this run added
 * it" would be wrong, and nothing after the fact can tell. A row not found was not added, and
 * sending it again is safe even while the lost request might still land: the key lets only one of
 * the two in (the other is refused, and the engine then reads it back again).
 */
export function uniqueKeyReadBack(client: ServiceClient, target: TableTarget, upsertOn?: string[]): ReadBack<RowRecord['payload']> {
	const reader = new RowReader(client, target);
	let schema: Promise<Schema> | undefined;
	const schemaOnce = () =>
		(schema ??= readSchema(client, target).catch((error: unknown) => {
			// Tried again at the next lost answer.
			schema = undefined;
			throw error;
		}));
	return {
		read: async (records) => {
			const { columns, keys, complete } = await schemaOnce();
			const noKey = complete ? NO_KEY : `${NO_KEY} (keys of several columns are known to the node only with the scope ${SQL_SCOPE})`;
			const verdicts = new Map<RowRecord, ReadBackVerdict>();
			const byKey = new Map<UniqueKey, RowRecord[]>();
			for (const record of records) {
				const key = upsertOn
					? { columns: upsertOn, primary: false }
					: keys.find((candidate) => candidate.columns.every((column) => !isEmpty(rowOf(record)[column])));
				if (!key) verdicts.set(record, { unknown: noKey, keyless: true });
				else byKey.set(key, [...(byKey.get(key) ?? []), record]);
			}
			for (const [key, keyed] of byKey) {
				const types = key.columns.map((column) => columns.get(column));
				const keyOf = (row: IDataObject) => matchKeyOf(types, key.columns.map((column) => row[column]));
				const select = new Set([ROW_ID, ...key.columns]);
				for (const record of keyed) for (const column in rowOf(record)) if (columns.has(column)) select.add(column);
				const found = new Map<string, IDataObject[]>();
				const stored = await reader.withKeys(key.columns, keyed.map((record) => key.columns.map((column) => rowOf(record)[column])), [...select]);
				for (const row of stored) found.set(keyOf(row), [...(found.get(keyOf(row)) ?? []), row]);
				for (const record of keyed) {
					const verdict = verdictOf(columns, key, record, found.get(keyOf(rowOf(record))));
					// An upsert on its key lands on the row holding it (or adds it): sending it again is safe.
					verdicts.set(record, upsertOn && 'unknown' in verdict && verdict.unknown === DIFFERS ? { notApplied: true } : verdict);
				}
			}
			return verdicts;
		},
	};
}

async function readSchema(client: ServiceClient, target: TableTarget): Promise<Schema> {
	const table = await getTable(client, target.workspaceId, target.table);
	const keys = await readTableKeys(client, target.workspaceId, table);
	return { columns: new Map((table.columns ?? []).map((column) => [column.name, column])), keys: keysInOrder(keys), complete: keys.complete };
}

const rowOf = (record: RowRecord) => record.payload.sent ?? record.payload.row;

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

function verdictOf(columns: Map<string, TableColumn>, key: UniqueKey, record: RowRecord, holders: IDataObject[] | undefined): ReadBackVerdict {
	if (!holders || holders.length === 0) return { notApplied: true };
	if (holders.length > 1) return { unknown: `${holders.length} rows hold the key ${keyLabel(key)}: check them before running again` };
	const [current] = holders;
	const row = rowOf(record);
	for (const column in row) {
		if (columns.has(column) && !sameValue(columns.get(column), row[column], current[column])) return { unknown: DIFFERS };
	}
	return { applied: written(record, String(current[ROW_ID])).json! };
}
