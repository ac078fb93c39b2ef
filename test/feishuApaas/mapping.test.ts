import type { ResourceMapperFields } from 'n8n-workflow';

import { callNodeMethod } from '../harness/loadOptions';
import { NS, OBJ, apaasEnvironment, requestsTo, useFeishuApaasEmulator } from './setup';

describe('Feishu aPaaS node: field mapping from objects/search metadata', () => {
	const apaas = useFeishuApaasEmulator();

	async function mappingFields(operation: string, objectApiName = OBJ, namespace = NS) {
		return await callNodeMethod<ResourceMapperFields>(
			apaasEnvironment(apaas.emulator),
			{
				type: 'feishuApaas',
				parameters: { resource: 'objectRecord', operation, namespace, objectApiName },
				credentialTypes: ['feishuApaasApi'],
			},
			'resourceMapping',
			'getMappingFields',
		);
	}

	it('update: _id to match on, then the object fields with their labels and n8n types; computed fields left out', async () => {
		const { fields, emptyFieldsNotice } = await mappingFields('update');

		expect(emptyFieldsNotice).toBeUndefined();
		expect(fields[0]).toMatchObject({ id: '_id', defaultMatch: true, canBeUsedToMatch: true, type: 'string' });
		const byId = Object.fromEntries(fields.map((field) => [field.id, field]));
		expect(byId.book_name).toMatchObject({ displayName: '书名 (book_name)', type: 'string', canBeUsedToMatch: false });
		expect(byId.book_count).toMatchObject({ displayName: '数量 (book_count)', type: 'number' });
		expect(byId.作者).toMatchObject({ displayName: '作者', type: 'string' });
		expect(byId.in_stock).toMatchObject({ type: 'boolean' });
		// Not offered at all: n8n's mapper may show fields that are only marked removed.
		expect(byId.code).toBeUndefined();
		expect(byId._createdAt).toBeUndefined();
		expect(fields.filter((field) => field.id === '_id')).toHaveLength(1);

		const [search] = requestsTo(apaas.emulator, 'objects/search');
		expect(search.path).toBe(`/open-apis/apaas/v1/applications/${NS}/objects/search`);
		expect(search.body).toMatchObject({ search_objects: [{ api_name: OBJ }], metadata: 'Label' });
	});

	it('create: no _id, Feishu assigns it', async () => {
		const { fields } = await mappingFields('create');
		expect(fields.map((field) => field.id)).not.toContain('_id');
		expect(fields.map((field) => field.id)).toContain('作者');
	});

	it('no metadata: an empty form with a notice pointing to automatic mapping', async () => {
		apaas.emulator.defineObject(NS, 'hidden__c', [{ api_name: 'x', type: 'text' }], { metadata: false });
		const { fields, emptyFieldsNotice } = await mappingFields('update', 'hidden__c');
		expect(fields).toEqual([]);
		expect(emptyFieldsNotice).toContain('Map Automatically');
	});

	it('an unknown namespace is an error naming the service code; a bad one never reaches the service', async () => {
		await expect(mappingFields('update', OBJ, 'nope')).rejects.toThrow(/2320001/);
		apaas.emulator.server.reset();
		await expect(mappingFields('update', OBJ, '../x')).rejects.toThrow(/not a valid API name/);
		expect(apaas.emulator.server.requests).toHaveLength(0);
	});
});
