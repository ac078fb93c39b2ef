import type { ResourceMapperField } from 'n8n-workflow';

/**
 * The `columns.value` n8n's editor saves when a mapping form first loads its fields: each field
 * shown gets its default, removed ones null. As in n8n's ResourceMapper.vue (setDefaultFieldValues
 * and getDefaultFieldValue): a field's own `defaultValue`, else false for a toggle (boolean),
 * else null. The browser test checks the same in the real editor.
 */
export function editorDefaults(fields: ResourceMapperField[], addAllFields = true): Record<string, unknown> {
	const value: Record<string, unknown> = {};
	for (const field of fields) {
		const removed = addAllFields ? field.removed : !field.required;
		value[field.id] = removed ? null : field.defaultValue !== undefined ? field.defaultValue : field.type === 'boolean' ? false : null;
	}
	return value;
}
