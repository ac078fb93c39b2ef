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
import { writtenRecord } from './write';

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
	const reader = new RecordReader(client, target);
	return {
		read: async (records) => {
			const verdicts = new Map<PendingRecord<RecordWrite>, ReadBackVerdict>();
			const byField = new Map<FormField, Array<PendingRecord<RecordWrite>>>();
			for (const record of records) {
				const field = keyFields.find((candidate) => keyOf(record, candidate) !== '');
				if (!field) verdicts.set(record, { unknown: NO_KEY });
				else byField.set(field, [...(byField.get(field) ?? []), record]);
			}
			for (const [field, keyed] of byField) {
				for (const chunk of toBatches(keyed, PAGE_SIZE)) {
					const stored = await reader.withKeys(
						field.code,
						chunk.map((record) => keyOf(record, field)),
						[RECORD_ID, REVISION, field.code, ...Object.keys(mapping.recordShape)],
					);
					const found = new Map<string, KintoneRecord[]>();
					for (const record of stored) {
						const key = keyText(field, record[field.code]?.value);
						found.set(key, [...(found.get(key) ?? []), record]);
					}
					for (const record of chunk) verdicts.set(record, verdictOf(mapping, record, found.get(keyOf(record, field))));
				}
			}
			return verdicts;
		},
	};
}

const entryOf = (record: PendingRecord<RecordWrite>) => record.payload.entry as Record<string, { value?: unknown } | undefined>;

function keyOf(record: PendingRecord<RecordWrite>, field: FormField): string {
	return keyText(field, entryOf(record)[field.code]?.value);
}

function verdictOf(mapping: FieldMapping, record: PendingRecord<RecordWrite>, holders: KintoneRecord[] | undefined): ReadBackVerdict {
	if (!holders || holders.length === 0) return { notApplied: true };
	if (holders.length > 1) return { unknown: `${holders.length} records hold this key: check them before running again` };
	const [current] = holders;
	const entry = entryOf(record);
	for (const code in entry) {
		const sent = entry[code];
		if (sent !== undefined && !sameValue(mapping.writable[code], sent.value, current[code]?.value)) return { unknown: DIFFERS };
	}
	return { applied: writtenRecord({ id: current[RECORD_ID]?.value as string, revision: current[REVISION]?.value as string }, entry as IDataObject) };
}
