import type { FieldType, IDataObject } from 'n8n-workflow';

import { FEISHU_CODES } from '../../feishu/api';
import type { ServiceClient, ServiceError } from '../../shared/client';
import type { ObjectTarget } from './index';
import { WHERE_API_NAMES_ARE, objectSearchPath, recordsPath } from './index';

/** A field as `objects/search` describes it (with `metadata: "Label"`). */
export interface ObjectField {
	api_name: string;
	type?: string;
	label?: Record<string, string>;
}

interface ObjectMeta {
	object?: { api_name?: string; label?: Record<string, string> };
	fields?: Array<Partial<ObjectField>>;
}

interface SearchAnswer {
	objects?: ObjectMeta[];
}

/** An object and its fields, or why Feishu would not show it (its code, message and hint). */
export type ObjectLookup = { found: true; fields: ObjectField[] } | { found: false; error: ServiceError };

/** The metadata objects/search returns (`metadata: "Label"`), or Feishu's refusal. */
async function searchMetadata(client: ServiceClient, namespace: string, body: IDataObject): Promise<ObjectMeta[] | ServiceError> {
	const response = await client.send<{ data?: SearchAnswer }>(
		{ method: 'POST', path: objectSearchPath(namespace), body: { ...body, metadata: 'Label' } },
		true,
	);
	if (!client.isSuccess(response)) return client.describe(response);
	return response.body?.data?.objects ?? [];
}

/**
 * The fields of an object. aPaaS has no public "describe object" API: the search API returns
 * object metadata alongside its hits, so this asks it for one hit of the object. When the answer
 * holds no metadata for the object, a one-record query tells an object Feishu does not have (its
 * refusal) from one whose schema the app may not read (found, no fields).
 */
export async function lookUpObject(client: ServiceClient, target: ObjectTarget): Promise<ObjectLookup> {
	const search = { search_objects: [{ api_name: target.objectApiName, select: ['_id'] }], page_size: '1' };
	const objects = await searchMetadata(client, target.namespace, search);
	if (!Array.isArray(objects)) return { found: false, error: objects };
	const meta = objects.find((entry) => entry.object?.api_name === target.objectApiName);
	if (meta) {
		const fields = (meta.fields ?? []).filter((field): field is ObjectField => typeof field.api_name === 'string' && field.api_name !== '');
		return { found: true, fields };
	}
	const probe = await client.send(
		{ method: 'POST', path: recordsPath(target, 'batch_query'), body: { select: ['_id'], page_size: 1 } },
		true,
	);
	return client.isSuccess(probe) ? { found: true, fields: [] } : { found: false, error: client.describe(probe) };
}

/**
 * What to say when Feishu would not show the object: not found (its "param is invalid" is the one
 * error the object APIs document), or Feishu's own reason and fix.
 */
export function unreadableObject({ namespace, objectApiName }: ObjectTarget, error: ServiceError): { message: string; fix?: string } {
	const said = `Feishu: ${error.code ? `[${error.code}] ` : ''}${error.message}`;
	if (error.code === String(FEISHU_CODES.paramInvalid)) {
		return { message: `Object "${objectApiName}" not found in namespace "${namespace}" (${said})`, fix: `Check both API names: ${WHERE_API_NAMES_ARE}` };
	}
	return { message: `Could not read object "${objectApiName}" of namespace "${namespace}" (${said})`, fix: error.hint };
}

/** An object of a namespace: its API name and its label, when Feishu gives one. */
export interface ObjectSummary {
	apiName: string;
	label?: string;
}

/**
 * The objects of a namespace. `search_objects` ("搜索对象范围", the search scope) is optional in
 * POST …/objects/search (open.feishu.cn/document/apaas-v1/application-object-record/search): left
 * out, the scope is every object the app may search, and `objects` carries their metadata. Not
 * confirmed against the live service: an empty list means "enter the API name" (By API Name).
 */
export async function listObjects(client: ServiceClient, namespace: string): Promise<ObjectSummary[] | ServiceError> {
	const objects = await searchMetadata(client, namespace, { page_size: '1' });
	if (!Array.isArray(objects)) return objects;
	return objects
		.map((entry) => ({ apiName: entry.object?.api_name ?? '', label: labelOf(entry.object?.label) }))
		.filter((object) => object.apiName !== '');
}

function labelOf(label: Record<string, string> | undefined): string | undefined {
	return label?.zh_cn || label?.en_us || Object.values(label ?? {}).find(Boolean) || undefined;
}

export function fieldLabel(field: ObjectField): string {
	const label = labelOf(field.label);
	return label && label !== field.api_name ? `${label} (${field.api_name})` : field.api_name;
}

/** A field's label back from the name fieldLabel gave it in the mapping form; none when it has none. */
export function labelOfMapped(field: { id: string; displayName?: string }): string | undefined {
	const suffix = ` (${field.id})`;
	const name = field.displayName ?? '';
	return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : undefined;
}

/** A field as messages name it: `"数量" (book_count)`, or `"book_count"` when its label is none or the API name. */
export function namedField(apiName: string, label: string | undefined): string {
	return label && label !== apiName ? `"${label}" (${apiName})` : `"${apiName}"`;
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

/**
 * Whether Sync may find records by this field: a writable field of single text or number values
 * (text, number, date, option, ...), as `equal` conditions compare them. That its values are
 * unique is up to the user: two records with one value fail the item.
 */
export function canBeMatchKey(field: ObjectField): boolean {
	const type = n8nFieldType(field);
	return !isReadOnly(field) && (type === 'string' || type === 'number');
}
