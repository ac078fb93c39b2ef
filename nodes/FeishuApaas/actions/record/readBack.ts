import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import { toBatches } from '../../../shared/batching';
import type { ServiceClient } from '../../../shared/client';
import type { ReadBack, ReadBackVerdict } from '../../../shared/readBack';
import type { ObjectTarget } from '../../transport';
import type { ObjectField } from '../../transport/fields';
import { lookUpObject } from '../../transport/fields';
import { keyText, sameValue } from './compare';
import { MAX_CONDITIONS, oneOf, queryRecords } from './read';

const NO_FIELD =
	'no field to check it by is named. Choose a field whose values are unique in Options > Unique Field for Lost Answers to let the node check';

const DIFFERS =
	'a record with this key exists but differs from what was sent: it may have been written by someone else. Check it before running again';

/**
 * Create: a record whose answer was lost is read back by the field the user names in Options >
 * Unique Field for Lost Answers (`equal` conditions, 10 a query), with the object's field types for
 * the comparison, read at the first lost answer only.
 *
 * The field must be one aPaaS keeps unique (it refuses a second record with its value): then a
 * record not found may be sent again even while the lost request might still land, since only one
 * of the two is kept. A record found holding every value sent was either created by the lost
 * request or existed before it (then that request was refused for the value): either way it is a
 * record holding exactly what the item asked for, which the output says, with its `_id`; one that
 * holds other values is reported unknown.
 */
export function uniqueFieldReadBack(ctx: IExecuteFunctions, client: ServiceClient, target: ObjectTarget): ReadBack<IDataObject> {
	const options = ctx.getNodeParameter('options', 0, {}) as { uniqueField?: unknown };
	const field = String(options.uniqueField ?? '').trim();
	let fields: Promise<Map<string, ObjectField>> | undefined;
	// Hidden metadata: values compare as JSON (see compare.ts).
	const fieldsOnce = () =>
		(fields ??= lookUpObject(client, target).then((lookup) => new Map(lookup.found ? lookup.fields.map((entry) => [entry.api_name, entry]) : [])));
	return {
		read: async (records) => {
			const verdicts = new Map<PendingRecord<IDataObject>, ReadBackVerdict>();
			if (field === '') {
				for (const record of records) verdicts.set(record, { unknown: NO_FIELD, keyless: true });
				return verdicts;
			}
			const types = await fieldsOnce();
			const keyOf = (value: unknown) => keyText(types.get(field), value);
			const keyed = records.filter((record) => {
				if (keyOf(record.payload[field]) !== '') return true;
				verdicts.set(record, { unknown: `it has no value in "${field}" (Unique Field for Lost Answers), so there is no key to check it by`, keyless: true });
				return false;
			});
			const select = new Set(['_id', field]);
			for (const record of keyed) for (const name in record.payload) if (types.size === 0 || types.has(name)) select.add(name);
			for (const chunk of toBatches(keyed, MAX_CONDITIONS)) {
				const keys = [...new Set(chunk.map((record) => keyOf(record.payload[field])))];
				const stored = await queryRecords(client, target, { select: [...select], filter: oneOf(target, field, keys), limit: Infinity });
				const found = new Map<string, IDataObject[]>();
				for (const record of stored) found.set(keyOf(record[field]), [...(found.get(keyOf(record[field])) ?? []), record]);
				for (const record of chunk) verdicts.set(record, verdictOf(types, record, found.get(keyOf(record.payload[field]))));
			}
			return verdicts;
		},
	};
}

function verdictOf(types: Map<string, ObjectField>, record: PendingRecord<IDataObject>, holders: IDataObject[] | undefined): ReadBackVerdict {
	if (!holders || holders.length === 0) return { notApplied: true };
	if (holders.length > 1) return { unknown: `${holders.length} records hold this key: check them before running again` };
	const [current] = holders;
	for (const name in record.payload) {
		if (!sameValue(types.get(name), record.payload[name], current[name])) return { unknown: DIFFERS };
	}
	return { applied: { _id: current._id, ...record.payload } };
}
