import type { FieldType } from 'n8n-workflow';

import type { ServiceClient } from '../../shared/client';
import type { ObjectTarget } from './index';
import { objectSearchPath } from './index';

/** A field as `objects/search` describes it (with `metadata: "Label"`). */
export interface ObjectField {
	api_name: string;
	type?: string;
	label?: Record<string, string>;
}

interface SearchAnswer {
	objects?: Array<{ object?: { api_name?: string }; fields?: Array<Partial<ObjectField>> }>;
}

/**
 * The fields of an object. aPaaS has no public "describe object" API: the search API returns
 * object metadata alongside its hits, so this asks it for one hit of the object. An empty list
 * means the service gave no metadata (e.g. the app may not read the object's schema).
 */
export async function objectFields(client: ServiceClient, target: ObjectTarget): Promise<ObjectField[]> {
	const data = await client.read<SearchAnswer>(
		{
			method: 'POST',
			path: objectSearchPath(target.namespace),
			body: { search_objects: [{ api_name: target.objectApiName, select: ['_id'] }], page_size: '1', metadata: 'Label' },
		},
		`Could not read the fields of object "${target.objectApiName}"`,
	);
	const meta = data.objects?.find((entry) => entry.object?.api_name === target.objectApiName);
	return (meta?.fields ?? []).filter((field): field is ObjectField => typeof field.api_name === 'string' && field.api_name !== '');
}

export function fieldLabel(field: ObjectField): string {
	const label = field.label?.zh_cn || field.label?.en_us || Object.values(field.label ?? {}).find(Boolean);
	return label && label !== field.api_name ? `${label} (${field.api_name})` : field.api_name;
}

/** System fields the service maintains itself. */
const SYSTEM_FIELDS = new Set(['_createdAt', '_createdBy', '_updatedAt', '_updatedBy']);
const COMPUTED_TYPES = new Set(['autonumber', 'formula', 'referencefield', 'rollup']);

/** Fields nobody can write: system fields and computed types. `_id` only identifies records. */
export function isReadOnly(field: ObjectField): boolean {
	return SYSTEM_FIELDS.has(field.api_name) || COMPUTED_TYPES.has((field.type ?? '').toLowerCase());
}

const N8N_TYPES: Record<string, FieldType> = {
	number: 'number',
	bigint: 'number',
	decimal: 'number',
	float: 'number',
	integer: 'number',
	boolean: 'boolean',
	lookup: 'object',
	multilingual: 'object',
	richtext: 'object',
	region: 'object',
	attachment: 'object',
	avatarorlogo: 'object',
	lookupmulti: 'array',
	multioption: 'array',
};

/** How n8n's mapping form should treat a field: text unless the aPaaS type says otherwise. */
export function n8nFieldType(field: ObjectField): FieldType {
	if (field.api_name === '_id') return 'string';
	return N8N_TYPES[(field.type ?? '').toLowerCase()] ?? 'string';
}
