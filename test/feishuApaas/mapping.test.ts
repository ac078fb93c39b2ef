import type { ResourceMapperFields } from 'n8n-workflow';

import { FeishuApaas } from '../../nodes/FeishuApaas/FeishuApaas.node';
import { WHERE_API_NAMES_ARE } from '../../nodes/FeishuApaas/transport';
import { callNodeMethod } from '../harness/loadOptions';
import { editorDefaults } from '../harness/editor';
import { NS, OBJ, apaasEnvironment, requestsTo, runApaas, sentRecords, useFeishuApaasEmulator } from './setup';

describe('Feishu aPaaS node: field mapping from objects/search metadata', () => {
	const apaas = useFeishuApaasEmulator();

	async function mappingFields(operation: string, objectApiName: string = OBJ, namespace = NS) {
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
		// A choice with nothing chosen at first, not n8n's toggle (which starts at false and would be written).
		expect(byId.in_stock).toMatchObject({ type: 'options', options: [{ name: 'True', value: true }, { name: 'False', value: false }] });
		expect(byId.in_stock.defaultValue).toBeUndefined();
		// Not offered at all: n8n's mapper may show fields that are only marked removed.
		expect(byId.code).toBeUndefined();
		expect(byId._createdAt).toBeUndefined();
		expect(fields.filter((field) => field.id === '_id')).toHaveLength(1);

		const [search] = requestsTo(apaas.emulator, 'objects/search');
		expect(search.path).toBe(`/open-apis/apaas/v1/applications/${NS}/objects/search`);
		expect(search.body).toMatchObject({ search_objects: [{ api_name: OBJ }], metadata: 'Label' });
	});

	it('create: no _id, Feishu assigns it; a yes/no field keeps n8n\'s toggle', async () => {
		const { fields } = await mappingFields('create');
		expect(fields.map((field) => field.id)).not.toContain('_id');
		expect(fields.map((field) => field.id)).toContain('作者');
		expect(fields.find((field) => field.id === 'in_stock')).toMatchObject({ type: 'boolean' });
	});

	// The update form adds only required fields (addAllFields off); a form loaded for Create and kept
	// after switching to Update shows every field.
	it.each([
		['only the record ID shown at first', false],
		['every field shown (as after switching from Create)', true],
	])('update as the editor sets it up, %s: only the fields the user filled in are written', async (_, allShown) => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ in_stock: true, book_count: 7, 城市: '北京' }]);
		const { fields } = await mappingFields('update');
		// What n8n's editor saves once the fields are loaded: every field shown, at its default
		// (null, or false for a toggle), then the user fills in the record ID and the city.
		const value = { ...editorDefaults(fields, allShown), _id: id, 城市: '广州' };
		apaas.emulator.server.reset();

		const result = await runApaas(apaas.emulator, {
			operation: 'update',
			columns: { mappingMode: 'defineBelow', value, matchingColumns: ['_id'], schema: fields, attemptToConvertTypes: false, convertFieldsToString: true },
		}, [{}]);

		expect(result.error).toBeUndefined();
		const [patch] = requestsTo(apaas.emulator, 'batch_update');
		expect(sentRecords(patch.body)).toEqual([{ _id: id, 城市: '广州' }]);
		expect(apaas.emulator.records(NS, OBJ).get(id)?.values).toEqual({ in_stock: true, book_count: 7, 城市: '广州' });
		expect(result.outputs[0][0].json).toEqual({ _id: id, 城市: '广州' });
	});

	it('no metadata: an empty form with a notice pointing to automatic mapping', async () => {
		apaas.emulator.defineObject(NS, 'hidden__c', [{ api_name: 'x', type: 'text' }], { metadata: false });
		const { fields, emptyFieldsNotice } = await mappingFields('update', 'hidden__c');
		expect(fields).toEqual([]);
		expect(emptyFieldsNotice).toContain('Map Automatically');
	});

	it('an unknown namespace: no fields, a notice naming namespace, object, Feishu\'s code and message, and where the names are', async () => {
		const { fields, emptyFieldsNotice } = await mappingFields('update', OBJ, 'nope__c');
		expect(fields).toEqual([]);
		expect(emptyFieldsNotice).toBe(
			`Object "${OBJ}" not found in namespace "nope__c" (Feishu: [2320001] namespace not found: nope__c). Check both API names: ${WHERE_API_NAMES_ARE}`,
		);
		expect(emptyFieldsNotice).not.toContain('Map Automatically');
	});

	it('an unknown object of a known namespace: the search gives no metadata, the one-record query says it is not there', async () => {
		const { fields, emptyFieldsNotice } = await mappingFields('create', 'missing__c');
		expect(fields).toEqual([]);
		expect(emptyFieldsNotice).toBe(
			`Object "missing__c" not found in namespace "${NS}" (Feishu: [2320001] object not found: missing__c). Check both API names: ${WHERE_API_NAMES_ARE}`,
		);
		const [probe] = requestsTo(apaas.emulator, 'batch_query');
		expect(probe.path).toBe(`/open-apis/apaas/v1/applications/${NS}/objects/missing__c/records/batch_query`);
		expect(probe.body).toEqual({ select: ['_id'], page_size: 1 });
	});

	it('a credential Feishu refuses: a notice with its code and fix, not n8n\'s bare "Can\'t get fields"', async () => {
		const { fields, emptyFieldsNotice } = await callNodeMethod<ResourceMapperFields>(
			apaasEnvironment(apaas.emulator, { appSecret: 'wrong-secret-41d8' }),
			{
				type: 'feishuApaas',
				parameters: { resource: 'objectRecord', operation: 'update', namespace: NS, objectApiName: OBJ },
				credentialTypes: ['feishuApaasApi'],
			},
			'resourceMapping',
			'getMappingFields',
		);
		expect(fields).toEqual([]);
		expect(emptyFieldsNotice).toContain(`Could not read the fields of object "${OBJ}": Feishu gave no tenant access token (code 10014`);
		expect(emptyFieldsNotice).not.toContain('wrong-secret-41d8');
	});

	it('reads the object from the resource locator (From List or By API Name) as from a plain name saved before', async () => {
		for (const objectApiName of [{ __rl: true, mode: 'list', value: OBJ }, { __rl: true, mode: 'name', value: OBJ }, OBJ]) {
			const { fields } = await mappingFields('update', objectApiName as never);
			expect(fields.map((field) => field.id)).toContain('book_name');
		}
	});

	it('a bad namespace never reaches the service', async () => {
		await expect(mappingFields('update', OBJ, '../x')).rejects.toThrow(/not a valid API name/);
		expect(apaas.emulator.server.requests).toHaveLength(0);
	});
});

describe('Feishu aPaaS node: the mapping form as the editor shows it', () => {
	const node = new FeishuApaas();
	const columns = (operation: string) =>
		node.description.properties.find((property) => property.name === 'columns' && property.displayOptions?.show?.operation?.includes(operation));

	it('Update: "Record to Update" with the node\'s own hint under it instead of n8n\'s "Usually an ID"', () => {
		expect(columns('update')?.typeOptions?.resourceMapper?.matchingFieldsLabels).toEqual({
			title: 'Record to Update',
			hint: "The _id each item carries, e.g. from Get Many's output",
			description: 'Each item updates the record whose ID (_id) it carries',
		});
		expect(columns('create')?.typeOptions?.resourceMapper?.matchingFieldsLabels).toBeUndefined();
	});

	it('reloads when the namespace, the object or the operation changes', () => {
		for (const operation of ['create', 'update']) {
			expect(columns(operation)?.typeOptions?.loadOptionsDependsOn).toEqual(['namespace', 'objectApiName.value', 'operation']);
		}
	});
});
