import type {
	FieldType,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import type { FormField } from '../transport/fields';
import { canBeUpdateKey, fieldDisplayName, RECORD_ID, writableFields } from '../transport/fields';
import { editorForm, noticeText } from './context';

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
	// Names of the item's files (binary properties), `*`, or file keys: text, or a list from an expression.
	FILE: 'string',
	SUBTABLE: 'array',
};

function optionsOf(field: FormField): INodePropertyOptions[] | undefined {
	if (field.type !== 'RADIO_BUTTON' && field.type !== 'DROP_DOWN') return undefined;
	return Object.entries(field.options ?? {})
		.sort(([, a], [, b]) => Number(a.index ?? 0) - Number(b.index ?? 0))
		.map(([name, option]) => ({ name: option.label || name, value: name }));
}

type Operation = 'create' | 'update' | 'upsert' | 'sync';

/**
 * The fields of the app a Create, Update or Upsert may write, with n8n types; for updates the
 * record ID and unique Text/Number fields can identify the record. Nothing until an app is chosen;
 * a notice instead of fields when the app cannot be read or has nothing to write.
 */
export async function getMappingFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const operation = this.getNodeParameter('operation', 'update') as Operation;
	const found = await editorForm(this);
	if (!found) return { fields: [] };
	if ('problem' in found) return { fields: [], emptyFieldsNotice: noticeText(found.problem) };
	const writable = Object.values(writableFields(found.form, operation === 'create' ? 'add' : 'update'));
	if (writable.length === 0) {
		return {
			fields: [],
			emptyFieldsNotice: noticeText(
				`App ${found.target.app} has no field this operation can write: kintone fills or calculates all of them itself. Choose another app, or add fields to its form in kintone.`,
			),
		};
	}
	if (operation === 'create') return { fields: writable.map((field) => mappedField(field, { required: field.required === true })) };
	const match = defaultMatch(operation, writable);
	return {
		fields: [
			recordIdField(match === RECORD_ID),
			...writable.map((field) =>
				mappedField(field, { canBeUsedToMatch: canBeUpdateKey(field), defaultMatch: field.code === match, removed: field.code !== match }),
			),
		],
	};
}

/**
 * The record ID as a match column only: editable while records are matched on it, read-only once
 * another column is chosen (n8n then keeps showing it), and never written (see actions/record/mapping.ts).
 */
function recordIdField(isDefault: boolean): ResourceMapperField {
	return {
		id: RECORD_ID,
		displayName: 'Record ID ($id)',
		required: false,
		defaultMatch: isDefault,
		canBeUsedToMatch: true,
		readOnly: true,
		removed: !isDefault,
		display: true,
		type: 'string',
	};
}

/**
 * Updates match on the record ID, which Get Many returns and updates usually carry. Upserts match
 * on the first unique field when the app has one: a record to add has no ID yet, and an unknown ID
 * adds a record under a new ID, so a second run would add it again.
 */
function defaultMatch(operation: Operation, writable: FormField[]): string {
	return ((operation === 'upsert' || operation === 'sync') && writable.find((field) => canBeUpdateKey(field))?.code) || RECORD_ID;
}

/**
 * One field of the form. Updates show only the match column at first (`removed` for the others,
 * added from the list), as an update changes only the fields the user adds.
 */
function mappedField(field: FormField, flags: Partial<ResourceMapperField>): ResourceMapperField {
	return {
		id: field.code,
		displayName: field.type === 'FILE' ? `${fieldDisplayName(field)} · files: binary property names, or *` : fieldDisplayName(field),
		required: false,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: N8N_TYPES[field.type] ?? 'string',
		options: optionsOf(field),
		...flags,
	};
}
