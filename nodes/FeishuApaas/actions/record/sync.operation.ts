import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import { dryRunOption, mirrorProperties } from '../../../shared/descriptions';
import { RecordInputError } from '../../../shared/errors';
import { assertSomethingMapped, FieldMapper } from '../../../shared/mapping';
import { NodeOutputs } from '../../../shared/router';
import type { Mirror } from '../../../shared/mirror';
import { mirrorLimit } from '../../../shared/mirror';
import type { FieldChange } from '../../../shared/sync';
import { runSync } from '../../../shared/sync';
import type { ObjectTarget } from '../../transport';
import { MAX_BATCH } from '../../transport';
import type { ObjectField } from '../../transport/fields';
import { lookUpObject, unreadableObject } from '../../transport/fields';
import { batchSizeOption, columnsFor, combineProperty, conditionsProperty, optionsFor, RESOURCE } from '../descriptions';
import { keyText, sameValue } from './compare';
import { createRecords } from './create.operation';
import { deleteRecords } from './delete.operation';
import type { Condition, Criterion } from './read';
import { MAX_CONDITIONS, countRecords, criterionOf, oneOf, queryRecords } from './read';
import { updateRecords } from './update.operation';
import { mappedRecords, recordId, recordWrite } from './write';

const show = { resource: [RESOURCE], operation: ['sync'] };

const scope = conditionsProperty({
	displayName: 'Scope',
	name: 'scope',
	description: `Conditions, written as in Get Many, selecting the records this Sync keeps in step: only records that meet them are removed when no item names them (at most ${MAX_CONDITIONS})`,
});

const [removeMissing, scopeProperty, ...safetyLimit] = mirrorProperties('Records', { ...scope, hint: 'Field API names, not labels, e.g. region equal EMEA' }, { show });

export const description: INodeProperties[] = [
	{
		displayName:
			'Each item is the desired state of the record it names (Record to Match): missing records are created, changed fields updated, and nothing is sent for the rest. Only the fields an item maps are compared and written.',
		name: 'syncNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...columnsFor('sync'),
	removeMissing,
	scopeProperty,
	combineProperty('combineScope', scopeProperty.displayOptions),
	...safetyLimit,
	optionsFor('sync', [batchSizeOption, dryRunOption]),
];

/** Requests reading current records at once; each reads up to 10 keys (batch_query's 10 conditions). */
const READ_CONCURRENCY = 4;

/** What an item wants: its record's key (as `keyText` gives it) and the mapped fields. */
interface Desired {
	key: string;
	values: IDataObject;
}

/**
 * Sync: reads the records the items name (10 keys per batch_query, as `equal` conditions joined by
 * "or"), compares the mapped fields as aPaaS stores them, and writes only what differs through the
 * batch endpoints of Create Many and Update Many; with "Remove Records Not in Input" the records of
 * the scope no item names are deleted through Delete Many's.
 */
export async function execute(this: IExecuteFunctions, client: ServiceClient, target: ObjectTarget): Promise<NodeOutputs> {
	const targetName = `object "${target.objectApiName}"`;
	assertSomethingMapped(this, targetName);
	const limit = mirrorLimit(this);
	const inScope = limit && scopeCriterion(this, target);
	const fields = await fieldsOf(this, client, target);
	const matchOn = ((this.getNodeParameter('columns.matchingColumns', 0, []) as string[]) ?? [])[0] ?? '_id';
	const keyOf = (value: unknown) => (matchOn === '_id' ? recordId(value) : keyText(fields.get(matchOn), value));
	const mapper = new FieldMapper(this, { neverSent: (name) => name === '_id' && matchOn !== '_id' });
	// Every field some item sets, read back to compare (batch_query needs the fields named).
	const mapped = new Set<string>();
	const selected = () => [...mapped].filter((name) => fields.size === 0 || fields.has(name));
	const read = async (filter: Criterion | undefined, select: string[]) =>
		(await queryRecords(client, target, { select: [...new Set(['_id', matchOn, ...select])], filter, limit: Infinity })).map(
			(record): [string, IDataObject] => [keyOf(record[matchOn]), record],
		);

	const mirror: Mirror<IDataObject, string> | undefined = limit && {
		limit,
		scope: async () => await read(inScope!, selected()),
		remove: { write: recordWrite(this, client, target, deleteRecords), payload: (current) => idOf(current) },
		removed: (current) => ({ _id: idOf(current), ...keyField(matchOn, current[matchOn]) }),
	};
	return new NodeOutputs(
		await runSync<Desired, IDataObject, IDataObject, IDataObject, string>(this, client, {
			targetName,
			prepare: (itemIndex) => {
				const { values, ignored } = mapper.read(itemIndex);
				const key = keyOf(keyValue(values, matchOn));
				for (const name in values) mapped.add(name);
				return { key: matchOn === '_id' ? `_id ${key}` : `${matchOn} "${key}"`, payload: { key, values }, ignored };
			},
			matchKey: (desired) => desired.key,
			read: {
				size: MAX_CONDITIONS,
				concurrency: READ_CONCURRENCY,
				records: async (keys) => await read(oneOf(target, matchOn, keys), selected()),
				// 10 keys a request: for many items, reading the whole object 500 records a request takes fewer.
				whole: { pageSize: MAX_BATCH, count: async () => await countRecords(client, target), records: async () => await read(undefined, selected()) },
			},
			changes: (desired, current) => changedFields(fields, matchOn, desired, current),
			create: {
				write: recordWrite(this, client, target, mappedRecords(this, createRecords)),
				payload: (desired) => newRecord(target, matchOn, desired),
			},
			update: {
				write: recordWrite(this, client, target, mappedRecords(this, updateRecords)),
				payload: ({ desired, current, changes }) => changedOnly(desired, current, changes),
			},
			label: (current) => `_id ${idOf(current)}`,
			unchanged: (desired, current) => ({ _id: idOf(current), ...keyField(matchOn, desired.values[matchOn]) }),
			mirror,
		}),
	);
}

const idOf = (current: IDataObject) => String(current._id);

/** The key field as outputs show it; nothing more when records are matched by `_id`. */
const keyField = (matchOn: string, value: unknown): IDataObject => (matchOn === '_id' ? {} : { [matchOn]: value as IDataObject[string] });

/** The item's value of the field it is matched by. */
function keyValue(values: IDataObject, matchOn: string): unknown {
	const value = values[matchOn];
	if (value === undefined || value === null || value === '') {
		throw new RecordInputError(
			`"${matchOn}" is empty, so the record of this item cannot be found: map "${matchOn}" (Record to Match) to the value that identifies it`,
			matchOn,
		);
	}
	return value;
}

/**
 * The object's fields by API name, for their types; none when Feishu hides the object's metadata
 * (then values compare as JSON). An object Feishu does not show stops the run before anything is read.
 */
async function fieldsOf(ctx: IExecuteFunctions, client: ServiceClient, target: ObjectTarget): Promise<Map<string, ObjectField>> {
	const lookup = await lookUpObject(client, target);
	if (!lookup.found) {
		const { message, fix } = unreadableObject(target, lookup.error);
		throw new NodeOperationError(ctx.getNode(), message, { description: fix });
	}
	return new Map(lookup.fields.map((field) => [field.api_name, field]));
}

/** The Scope's criterion; a Sync that removes records needs one, so that it never removes beyond it. */
function scopeCriterion(ctx: IExecuteFunctions, target: ObjectTarget): Criterion {
	const conditions = ctx.getNodeParameter('scope.conditions', 0, []) as Condition[];
	const filter = criterionOf(ctx, target, conditions, ctx.getNodeParameter('combineScope', 0, 'and'), { parameter: 'Scope' });
	if (filter) return filter;
	throw new NodeOperationError(ctx.getNode(), 'Enter the Scope of the records to remove', {
		description:
			'Under "Remove Records Not in Input", Scope holds conditions, written as in Get Many (field API name, operator, value), that select the records this Sync keeps in step, e.g. region equal EMEA. Only records that meet them are removed when no item names them.',
	});
}

/** The mapped fields whose values aPaaS would store differently from what it holds now. */
function changedFields(fields: Map<string, ObjectField>, matchOn: string, desired: Desired, current: IDataObject): FieldChange[] {
	const changes: FieldChange[] = [];
	for (const name in desired.values) {
		if (name === matchOn || name === '_id') continue;
		const [sent, stored] = [desired.values[name], current[name]];
		if (!sameValue(fields.get(name), sent, stored)) changes.push({ field: name, old: stored ?? null, new: sent });
	}
	return changes;
}

/** A record the items name but the object lacks: created with its key, which only a field other than `_id` can be. */
function newRecord(target: ObjectTarget, matchOn: string, desired: Desired): IDataObject {
	if (matchOn === '_id') {
		throw new RecordInputError(
			`Record _id ${desired.key} does not exist in object "${target.objectApiName}". Sync by record ID cannot create it (Feishu assigns IDs): match on a field with unique values to create missing records`,
			'_id',
		);
	}
	return desired.values;
}

/** An update of the changed fields only, to the record found. */
function changedOnly(desired: Desired, current: IDataObject, changes: FieldChange[]): IDataObject {
	const record: IDataObject = { _id: idOf(current) };
	for (const { field } of changes) record[field] = desired.values[field];
	return record;
}
