import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { kintoneRequest } from '../transport';
import type { FormField } from '../transport/fields';
import { canBeUpdateKey, fieldDisplayName } from '../transport/fields';
import { editorClient, editorForm } from './context';

// Form elements that hold no value.
const NO_VALUE = new Set(['LABEL', 'SPACER', 'HR', 'GROUP', 'REFERENCE_TABLE']);

/** Every field Get Many can return, plus the record ID and revision; none until an app is chosen. */
export async function getReadableFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const fields = await fieldOptions(this, (field) => !NO_VALUE.has(field.type));
	return fields ? [{ name: 'Record ID', value: '$id' }, { name: 'Revision', value: '$revision' }, ...fields] : [];
}

/** The app's attachment (FILE) fields at the top level of the form, for "Keep Existing Files In". */
export async function getFileFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await fieldOptions(this, (field) => field.type === 'FILE')) ?? [];
}

/** Text and Number fields with "Prohibit duplicate values", which can name records. */
export async function getUniqueFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await fieldOptions(this, canBeUpdateKey)) ?? [];
}

/** The fields of the chosen app's form that `keep` takes, by label; undefined until an app is chosen. */
async function fieldOptions(ctx: ILoadOptionsFunctions, keep: (field: FormField) => boolean): Promise<INodePropertyOptions[] | undefined> {
	const found = await editorForm(ctx);
	if (!found) return undefined;
	// n8n shows an options list's error in the list itself: the whole sentence, fix included.
	if ('problem' in found) throw new NodeOperationError(ctx.getNode(), found.problem);
	return Object.entries(found.form)
		.map(([code, field]) => ({ ...field, code }))
		.filter(keep)
		.map((field) => ({ name: fieldDisplayName(field), value: field.code }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** The app's process management actions ("Start", "Approve"), with the statuses each goes from and to. */
export async function getActions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const found = await editorForm(this);
	if (!found) return [];
	if ('problem' in found) throw new NodeOperationError(this.getNode(), found.problem);
	const client = await editorClient(this);
	const settings = await client.read<{ enable?: boolean; actions?: Array<{ name: string; from: string; to: string }> }>(
		kintoneRequest(client, found.target, { method: 'GET', endpoint: 'app/status', qs: { app: found.target.app } }),
		`Could not read the process management settings of app ${found.target.app}`,
	);
	if (settings.enable === false) {
		throw new NodeOperationError(this.getNode(), `Process management is off in app ${found.target.app}: turn it on in the app's settings (Process Management) to run actions.`);
	}
	const options = new Map<string, string[]>();
	for (const action of settings.actions ?? []) options.set(action.name, [...(options.get(action.name) ?? []), `${action.from} → ${action.to}`]);
	return [...options].map(([name, moves]) => ({ name, value: name, description: moves.join(', ') }));
}
