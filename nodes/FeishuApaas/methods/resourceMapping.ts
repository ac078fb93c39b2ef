import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { unsetUntilChosen } from '../../shared/mapping';
import { createClient, targetOf } from '../transport';
import type { ObjectField } from '../transport/fields';
import { fieldLabel, isReadOnly, n8nFieldType, objectFields } from '../transport/fields';

const RECORD_ID: ResourceMapperField = {
	id: '_id',
	displayName: 'Record ID (_id)',
	required: true,
	defaultMatch: true,
	canBeUsedToMatch: true,
	display: true,
	type: 'string',
};

function toMapperField(field: ObjectField): ResourceMapperField {
	return {
		id: field.api_name,
		displayName: fieldLabel(field),
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: n8nFieldType(field),
	};
}

/**
 * The mapping form's fields, from the object's metadata. Create leaves out `_id` (Feishu assigns
 * it); update matches on `_id`. Without metadata the form offers automatic mapping instead.
 */
export async function getMappingFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const operation = this.getNodeParameter('operation') as string;
	const target = targetOf(this.getNode(), this.getNodeParameter('namespace'), this.getNodeParameter('objectApiName'));
	const client = await createClient(this, { throttle: false, timeout: 30_000 });
	const fields = (await objectFields(client, target)).filter((field) => field.api_name !== '_id');

	if (fields.length === 0) {
		return {
			fields: [],
			emptyFieldsNotice: `Feishu returned no field list for object "${target.objectApiName}" (the app may lack access to its metadata). Choose "Map Automatically" to send each input item's fields by their API names.`,
		};
	}
	// Read-only fields are left out, not marked removed: n8n's mapper can show removed fields again.
	const mapped = fields.filter((field) => !isReadOnly(field)).map(toMapperField);
	return { fields: operation === 'update' ? [RECORD_ID, ...mapped.map(unsetUntilChosen)] : mapped };
}
