import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fieldDisplayName } from '../transport/fields';
import { editorForm } from './context';

// Form elements that hold no value.
const NO_VALUE = new Set(['LABEL', 'SPACER', 'HR', 'GROUP', 'REFERENCE_TABLE']);

/** Every field Get Many can return, plus the record ID and revision; none until an app is chosen. */
export async function getReadableFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const found = await editorForm(this);
	if (!found) return [];
	// n8n shows an options list's error in the list itself: the whole sentence, fix included.
	if ('problem' in found) throw new NodeOperationError(this.getNode(), found.problem);
	const fields = Object.entries(found.form)
		.filter(([, field]) => !NO_VALUE.has(field.type))
		.map(([code, field]) => ({ name: fieldDisplayName({ ...field, code }), value: code }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return [{ name: 'Record ID', value: '$id' }, { name: 'Revision', value: '$revision' }, ...fields];
}
