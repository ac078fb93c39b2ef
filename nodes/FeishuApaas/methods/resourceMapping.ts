import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { unsetUntilChosen } from '../../shared/mapping';
import { createClient, targetOf } from '../transport';
import type { ObjectField } from '../transport/fields';
import { canBeMatchKey, fieldLabel, isReadOnly, lookUpObject, n8nFieldType, unreadableObject } from '../transport/fields';

const RECORD_ID: ResourceMapperField = {
	id: '_id',
	displayName: 'Record ID (_id)',
	required: true,
	defaultMatch: true,
	canBeUsedToMatch: true,
	display: true,
	type: 'string',
};

function toMapperField(field: ObjectField, operation: string): ResourceMapperField {
	return {
		id: field.api_name,
		displayName: fieldLabel(field),
		required: false,
		defaultMatch: false,
		// Sync finds records by their ID or by a field of single values the user knows to be unique.
		canBeUsedToMatch: operation === 'sync' && canBeMatchKey(field),
		display: true,
		type: n8nFieldType(field),
	};
}

/**
 * The mapping form's fields, from the object's metadata. Create leaves out `_id` (Feishu assigns
 * it); update matches on `_id`; sync on `_id` or a field of single values. A target Feishu does not have, or will not show, comes back as a
 * notice saying so (n8n would otherwise show only "Can't get fields"); an object without metadata
 * offers automatic mapping instead.
 */
export async function getMappingFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const operation = this.getNodeParameter('operation') as string;
	const target = targetOf(
		this.getNode(),
		this.getNodeParameter('namespace'),
		this.getNodeParameter('objectApiName', undefined, { extractValue: true }),
	);
	let lookup;
	try {
		lookup = await lookUpObject(await createClient(this, { throttle: false, timeout: 30_000 }), target);
	} catch (error) {
		// No answer, or no token (the credential): n8n alone would say only "Can't get fields".
		return { fields: [], emptyFieldsNotice: `Could not read the fields of object "${target.objectApiName}": ${(error as Error).message}` };
	}
	if (!lookup.found) {
		const { message, fix } = unreadableObject(target, lookup.error);
		return { fields: [], emptyFieldsNotice: `${message}.${fix ? ` ${fix}` : ''}` };
	}
	const fields = lookup.fields.filter((field) => field.api_name !== '_id');
	if (fields.length === 0) {
		return {
			fields: [],
			emptyFieldsNotice: `Feishu returned no field list for object "${target.objectApiName}" (the app may lack access to its metadata). Choose "Map Automatically" to send each input item's fields by their API names.`,
		};
	}
	// Read-only fields are left out, not marked removed: n8n's mapper can show removed fields again.
	const mapped = fields.filter((field) => !isReadOnly(field)).map((field) => toMapperField(field, operation));
	if (operation === 'create') return { fields: mapped };
	// Sync may match on another field, and then creates records, which have no ID yet.
	const recordId = operation === 'sync' ? { ...RECORD_ID, required: false } : RECORD_ID;
	return { fields: [recordId, ...mapped.map(unsetUntilChosen)] };
}
