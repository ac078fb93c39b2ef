import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { fetchFormFields, fieldDisplayName } from '../transport/fields';
import { editorClient, editorTarget } from './context';

// Form elements that hold no value.
const NO_VALUE = new Set(['LABEL', 'SPACER', 'HR', 'GROUP', 'REFERENCE_TABLE']);

/** Every field Get Many can return, plus the record ID and revision. */
export async function getReadableFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const form = await fetchFormFields(await editorClient(this), editorTarget(this));
	const fields = Object.entries(form)
		.filter(([, field]) => !NO_VALUE.has(field.type))
		.map(([code, field]) => ({ name: fieldDisplayName({ ...field, code }), value: code }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return [{ name: 'Record ID', value: '$id' }, { name: 'Revision', value: '$revision' }, ...fields];
}
