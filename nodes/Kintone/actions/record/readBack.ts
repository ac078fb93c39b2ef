import type { IDataObject } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { toBatches } from '../../../shared/batching';
import type { ServiceClient } from '../../../shared/client';
import type { ReadBack, ReadBackVerdict } from '../../../shared/readBack';
import type { KintoneTarget } from '../../transport';
import type { FormField } from '../../transport/fields';
import { canBeUpdateKey, RECORD_ID, REVISION } from '../../transport/fields';
import { keyText, sameValue } from './compare';
import type { FieldMapping } from './mapping';
import type { KintoneRecord } from './read';
import { PAGE_SIZE, RecordReader } from './read';
import type { RecordWrite } from './write';
import { keyOf, writtenRecord } from './write';

const NO_KEY =
	'none of the fields it sets has "Prohibit duplicate values" on, so there is no key to check it by. Map a Text or Number field with "Prohibit duplicate values" on to let the node check';

const DIFFERS =
	'a record with this key exists but differs from what was sent: it may have been written by someone else. Check it before running again';

/**
 * Create: a record whose answer was lost is read back by a field kintone keeps unique ("Prohibit
 * duplicate values", found from the app's form), the first such field the record sets.
 *
 * Why "found as sent" may be reported written: kintone refuses a record whose unique value another
 * record already holds (the whole request, all or nothing). So a record found with this key was
 * either written by the lost request, or existed before it (the request was then refused). In the
 * second case the record found must also hold every value this item sends, or it is reported
 * unknown ("differs"): reported written, it is a record of the app holding exactly what the item
 * asked for, which is what the output says (with that record's id); only "this run added it" would
 * be wrong, and nothing after the fact can tell the two apart. A record not found was not written,
 * and sending it again is safe even while the lost request might still land: kintone keeps only
 * one of the two (the other is refused for its key, and the engine then reads it back again).
 */
export function uniqueFieldReadBack(client: ServiceClient, target: KintoneTarget, mapping: FieldMapping): ReadBack<RecordWrite> {
	const keyFields = Object.entries(mapping.writable)
		.map(([code, field]): FormField => ({ ...field, code }))
		.filter(canBeUpdateKey);
	return readByKey(client, target, mapping, (record) => {
		const values = record.payload.entry as Values;
		const field = keyFields.find((candidate) => keyText(candidate, values[candidate.code]?.value) !== '');
		return field ? { field, key: keyText(field, values[field.code]?.value), values } : undefined;
	}, (record, current, same) => {
		if (!current) return { notApplied: true };
		if (!same) return { unknown: DIFFERS };
		return { applied: writtenRecord(metaOf(current), record.payload.entry) };
	}, NO_KEY);
}

/**
 * Upsert: by update key the request is idempotent in effect and resent by the engine; when the
 * resend is refused, or every resend's answer is lost, the records are read back by their update
 * key. Found holding what was sent: written. Otherwise sent again: an upsert by update key lands on
 * the record holding that key (or adds the one missing), so a resend never adds a second record.
 * By record ID a resend could add a record twice (an ID that does not exist inserts one): found by
 * its ID holding what was sent, it is written; otherwise it stays unknown.
 */
export function updateKeyReadBack(client: ServiceClient, target: KintoneTarget, mapping: FieldMapping): ReadBack<RecordWrite> {
	const byId: FormField = { type: 'RECORD_NUMBER', code: RECORD_ID };
	return readByKey(client, target, mapping, (record) => {
		const { updateKey, id } = record.payload;
		const values = record.payload.entry.record as Values;
		if (updateKey) return { field: mapping.matchField!, key: keyText(mapping.matchField, updateKey.value), values };
		return id === undefined ? undefined : { field: byId, key: id, values };
	}, (record, current, same) => {
		if (current && same) {
			return { applied: writtenRecord({ ...keyOf(record.payload), ...metaOf(current), operation: 'inserted or updated' }, record.payload.entry.record as IDataObject) };
		}
		if (record.payload.updateKey) return { notApplied: true };
		return { unknown: current ? 'the record holds other values: a resend by record ID could add a record, so it was not sent again' : 'no record has this ID: a resend by record ID would add one, so it was not sent again' };
	}, 'it names no record');
}

type Values = Record<string, { value?: unknown } | undefined>;

interface Keyed {
	field: FormField;
	key: string;
	/** The values sent, `{code: {value}}`. */
	values: Values;
}

/**
 * Reads the records back by the key each names (`keyed`), 500 keys a request, and decides each from
 * the record holding its key (if any) and whether it holds every value sent (compare.ts).
 */
function readByKey(
	client: ServiceClient,
	target: KintoneTarget,
	mapping: FieldMapping,
	keyed: (record: PendingRecord<RecordWrite>) => Keyed | undefined,
	decide: (record: PendingRecord<RecordWrite>, current: KintoneRecord | undefined, same: boolean) => ReadBackVerdict,
	noKey: string,
): ReadBack<RecordWrite> {
	const reader = new RecordReader(client, target);
	return {
		read: async (records) => {
			const verdicts = new Map<PendingRecord<RecordWrite>, ReadBackVerdict>();
			const byField = new Map<string, Array<[PendingRecord<RecordWrite>, Keyed]>>();
			for (const record of records) {
				const entry = keyed(record);
				if (!entry) verdicts.set(record, { unknown: noKey, keyless: true });
				else byField.set(entry.field.code, [...(byField.get(entry.field.code) ?? []), [record, entry]]);
			}
			for (const [code, group] of byField) {
				const field = group[0][1].field;
				for (const chunk of toBatches(group, PAGE_SIZE)) {
					const stored = await reader.withKeys(code, chunk.map(([, entry]) => entry.key), [RECORD_ID, REVISION, code, ...Object.keys(mapping.recordShape)]);
					const found = new Map<string, KintoneRecord[]>();
					for (const record of stored) {
						const key = keyText(field, record[code]?.value);
						found.set(key, [...(found.get(key) ?? []), record]);
					}
					for (const [record, entry] of chunk) {
						const holders = found.get(entry.key) ?? [];
						if (holders.length > 1) verdicts.set(record, { unknown: `${holders.length} records hold this key: check them before running again` });
						else verdicts.set(record, decide(record, holders[0], holders.length === 1 && holdsAll(mapping, entry.values, holders[0])));
					}
				}
			}
			return verdicts;
		},
	};
}

/**
 * Whether the record holds every value sent, as kintone stores it. Attachments: kintone gives a
 * stored file another key than its upload's, so as many files as were sent is as sent.
 */
function holdsAll(mapping: FieldMapping, values: Values, current: KintoneRecord): boolean {
	for (const code in values) {
		const sent = values[code];
		const field = mapping.writable[code];
		if (sent === undefined || !field) continue;
		const same = field.type === 'FILE' ? count(sent.value) === count(current[code]?.value) : sameValue(field, sent.value, current[code]?.value);
		if (!same) return false;
	}
	return true;
}

const count = (files: unknown) => (Array.isArray(files) ? files.length : 0);

const metaOf = (current: KintoneRecord): IDataObject => ({ id: current[RECORD_ID]?.value as string, revision: current[REVISION]?.value as string });
