import type {
	FieldType,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import type { FormField } from '../transport/fields';
import { canBeUpdateKey, fetchFormFields, fieldDisplayName, RECORD_ID, writableFields } from '../transport/fields';
import { editorClient, editorTarget } from './context';

const N8N_TYPES: Record<string, FieldType> = {
	SINGLE_LINE_TEXT: 'string',
	MULTI_LINE_TEXT: 'string',
	RICH_TEXT: 'string',
	LINK: 'string',
	NUMBER: 'number',
	RADIO_BUTTON: 'options',
	DROP_DOWN: 'options',
	CHECK_BOX: 'array',
	MULTI_SELECT: 'array',
	DATE: 'dateTime',
	DATETIME: 'dateTime',
	CREATED_TIME: 'dateTime',
	UPDATED_TIME: 'dateTime',
	TIME: 'time',
	USER_SELECT: 'array',
	ORGANIZATION_SELECT: 'array',
	GROUP_SELECT: 'array',
	CREATOR: 'string',
	MODIFIER: 'string',
	FILE: 'array',
	SUBTABLE: 'array',
};

function optionsOf(field: FormField): INodePropertyOptions[] | undefined {
	if (field.type !== 'RADIO_BUTTON' && field.type !== 'DROP_DOWN') return undefined;
	return Object.entries(field.options ?? {})
		.sort(([, a], [, b]) => Number(a.index ?? 0) - Number(b.index ?? 0))
		.map(([name, option]) => ({ name: option.label || name, value: name }));
}

/**
 * The fields of the app a Create, Update or Upsert may write, with n8n types; for updates the
 * record ID and unique Text/Number fields can identify the record.
 */
export async function getMappingFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const adding = this.getNodeParameter('operation', 'update') === 'create';
	const form = await fetchFormFields(await editorClient(this), editorTarget(this));
	const fields: ResourceMapperField[] = [];
	if (!adding) {
		fields.push({
			id: RECORD_ID,
			displayName: 'Record ID ($id)',
			required: false,
			defaultMatch: true,
			canBeUsedToMatch: true,
			display: true,
			type: 'string',
		});
	}
	for (const field of Object.values(writableFields(form, adding ? 'add' : 'update'))) {
		fields.push({
			id: field.code,
			displayName: fieldDisplayName(field),
			required: adding && field.required === true,
			defaultMatch: false,
			canBeUsedToMatch: !adding && canBeUpdateKey(field),
			display: true,
			type: N8N_TYPES[field.type] ?? 'string',
			options: optionsOf(field),
		});
	}
	return { fields };
}
