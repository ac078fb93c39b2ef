import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import { mirrorProperties } from '../../../shared/descriptions';
import { RecordInputError } from '../../../shared/errors';
import { NodeOutputs } from '../../../shared/router';
import type { Mirror } from '../../../shared/mirror';
import { mirrorLimit } from '../../../shared/mirror';
import type { FieldChange } from '../../../shared/sync';
import { runSync } from '../../../shared/sync';
import type { KintoneTarget } from '../../transport';
import { RECORD_ID, REVISION } from '../../transport/fields';
import { appLocator, fieldMapper, writeOptions, keepFilesOption } from '../descriptions';
import { keyText, sameValue } from './compare';
import { createRecords } from './create.operation';
import { deleteRecords } from './delete.operation';
import { simplified } from './getAll.operation';
import type { FieldMapping } from './mapping';
import { readFieldMapping, updateEntry } from './mapping';
import type { KintoneRecord } from './read';
import { PAGE_SIZE, RecordReader } from './read';
import { updateRecords } from './update.operation';
import type { RecordWrite } from './write';
import { keyOf, recordWrite } from './write';

const scope: INodeProperties = {
	displayName: 'Scope',
	name: 'scope',
	type: 'string',
	default: '',
	placeholder: 'Region in ("EMEA") and Status not in ("Archived")',
	description:
		'A kintone query (conditions only) selecting the records this Sync keeps in step: only records it selects are removed when no item names them',
	hint: 'Field codes, not labels. Every record of the app: $id > 0',
};

const properties: INodeProperties[] = [appLocator, ...fieldMapper('upsert'), ...mirrorProperties('Records', scope), writeOptions([keepFilesOption])];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['sync'] } }, properties);

/**
 * Requests reading current records at once, each of up to 500: a tenth of kintone's 100 concurrent
 * requests per domain, which every user and integration share.
 */
const READ_CONCURRENCY = 10;

/**
 * Sync: reads the records the items name (`$id in (…)` or `key in (…)`, 500 per request), compares
 * the mapped fields as kintone stores them, and writes only what differs: new records added, changed
 * fields updated, and with "Remove Records Not in Input" the records of the scope no item names deleted.
 */
export async function execute(this: IExecuteFunctions, client: ServiceClient, target: KintoneTarget): Promise<NodeOutputs> {
	const mapping = await readFieldMapping(this, client, target, 'update', true);
	const reader = new RecordReader(client, target);
	const matchOn = mapping.matchOn!;
	const keyText = (field: { value?: unknown } | undefined) => matchKeyOf(mapping, field?.value);
	const withKeys = (records: KintoneRecord[]) => records.map((record): [string, KintoneRecord] => [keyText(record[matchOn]), record]);
	// The record ID and revision, the key and the mapped fields: what the comparison and the writes need.
	const fields = () => [RECORD_ID, REVISION, matchOn, ...Object.keys(mapping.recordShape)];
	const limit = mirrorLimit(this);
	const mirror: Mirror<KintoneRecord, RecordWrite> | undefined = limit && {
		limit,
		scope: async () =>
			withKeys(await reader.all(scopeQuery(this), fields(), READ_CONCURRENCY)),
		remove: {
			write: recordWrite(this, client, target, deleteRecords),
			payload: (current) => ({ entry: { id: idOf(current) }, id: idOf(current), revision: String(current[REVISION]?.value) }),
		},
		removed: (current) => ({ id: idOf(current), ...(matchOn === RECORD_ID ? {} : { [matchOn]: current[matchOn]?.value as string }) }),
	};
	return new NodeOutputs(
		await runSync<RecordWrite, KintoneRecord, RecordWrite, RecordWrite, RecordWrite>(this, client, {
			targetName: `app ${target.app}`,
			prepare: (itemIndex) => updateEntry(this, mapping, itemIndex),
			matchKey: (desired) => (desired.id !== undefined ? desired.id : matchKeyOf(mapping, desired.updateKey!.value)),
			read: {
				size: PAGE_SIZE,
				concurrency: READ_CONCURRENCY,
				records: async (keys) => withKeys(await reader.withKeys(matchOn, keys, fields())),
			},
			changes: (desired, current) => changedFields(mapping, desired, current),
			create: { write: recordWrite(this, client, target, createRecords), payload: (desired) => newRecord(mapping, desired) },
			update: {
				write: recordWrite(this, client, target, updateRecords),
				payload: ({ desired, current, changes }) => changedOnly(desired, current, changes),
			},
			label: (current) => `id ${idOf(current)}`,
			unchanged: (desired, current) => ({ ...keyOf(desired), id: idOf(current), revision: current[REVISION]?.value as string }),
			mirror,
		}),
	);
}

/** The key as kintone compares it: a number field's `"1.50"` is the record of `1.5`. */
function matchKeyOf(mapping: FieldMapping, value: unknown): string {
	return keyText(mapping.matchField, value);
}

const idOf = (record: KintoneRecord) => String(record[RECORD_ID]?.value);

function scopeQuery(ctx: IExecuteFunctions): string {
	const query = String(ctx.getNodeParameter('scope', 0, '') ?? '').trim();
	// Quoted values may say anything ("limit" in a note); only the query's own words count.
	const words = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
	if (query === '' || /\b(?:order\s+by|limit|offset)\b/i.test(words)) {
		throw new NodeOperationError(ctx.getNode(), query === '' ? 'Enter the Scope of the records to remove' : 'The Scope takes conditions only', {
			description:
				'Under "Remove Records Not in Input", Scope is a kintone query without "order by", "limit" or "offset" that selects the records this Sync keeps in step, e.g. Region in ("EMEA"); $id > 0 selects every record of the app.',
		});
	}
	return query;
}

/** The mapped fields whose values kintone would store differently from what it holds now. */
function changedFields(mapping: FieldMapping, desired: RecordWrite, current: KintoneRecord): FieldChange[] {
	const record = desired.entry.record as Record<string, { value: unknown } | undefined>;
	const changes: FieldChange[] = [];
	for (const code in record) {
		const sent = record[code];
		if (sent === undefined) continue;
		const stored = current[code];
		if (!sameValue(mapping.writable[code], sent.value, stored?.value)) {
			changes.push({ field: code, old: stored === undefined ? null : simplified({ [code]: stored })[code], new: sent.value });
		}
	}
	return changes;
}

/** A record the items name but the app lacks: added with its key, which only a unique field can be. */
function newRecord(mapping: FieldMapping, desired: RecordWrite): RecordWrite {
	if (!desired.updateKey) {
		throw new RecordInputError(
			`Record ${desired.id} does not exist. Sync by record ID cannot add it (kintone numbers new records itself): match on a unique field to add missing records`,
			RECORD_ID,
		);
	}
	const record = { ...(desired.entry.record as IDataObject), [mapping.matchOn!]: { value: desired.updateKey.value } };
	return { entry: record, files: desired.files };
}

/** An update of the changed fields only, to the record found (by its ID: kintone finds it fastest). */
function changedOnly(desired: RecordWrite, current: KintoneRecord, changes: FieldChange[]): RecordWrite {
	const all = desired.entry.record as IDataObject;
	const record: IDataObject = {};
	for (const { field } of changes) record[field] = all[field];
	const id = idOf(current);
	const entry: IDataObject = { id, record };
	if (desired.revision !== undefined) entry.revision = desired.revision;
	return { entry, id, updateKey: desired.updateKey, revision: desired.revision, files: desired.files };
}
