import type { INodeListSearchResult } from 'n8n-workflow';

import { WHERE_API_NAMES_ARE } from '../../nodes/FeishuApaas/transport';
import { callNodeMethod } from '../harness/loadOptions';
import { NS, OBJ, apaasEnvironment, defineBooks, requestsTo, useFeishuApaasEmulator } from './setup';

describe('Feishu aPaaS node: Object > From List (objects/search without search_objects)', () => {
	const apaas = useFeishuApaasEmulator({}, (emulator) => {
		defineBooks(emulator);
		emulator.defineObject(NS, 'order__c', [{ api_name: 'amount', type: 'number' }], { label: '订单' });
		emulator.defineObject(NS, 'shop__c', [{ api_name: 'name', type: 'text' }], { label: 'shop__c' });
		emulator.defineObject('other_app__c', 'elsewhere__c', [{ api_name: 'x', type: 'text' }]);
	});

	async function searchObjects(namespace: string, filter?: string) {
		return await callNodeMethod<INodeListSearchResult>(
			apaasEnvironment(apaas.emulator),
			{
				type: 'feishuApaas',
				parameters: { resource: 'objectRecord', operation: 'update', namespace, objectApiName: { __rl: true, mode: 'list', value: '' } },
				credentialTypes: ['feishuApaasApi'],
			},
			'listSearch',
			'searchObjects',
			filter,
		);
	}

	it('lists every object of the namespace by label and API name (the label once when it is the API name), sorted', async () => {
		const { results } = await searchObjects(NS);
		expect(results).toEqual([
			{ name: `${OBJ}`, value: OBJ },
			{ name: 'shop__c', value: 'shop__c' },
			{ name: '订单 (order__c)', value: 'order__c' },
		]);
		const [search] = requestsTo(apaas.emulator, 'objects/search');
		expect(search.path).toBe(`/open-apis/apaas/v1/applications/${NS}/objects/search`);
		expect(search.body).toEqual({ page_size: '1', metadata: 'Label' });
	});

	it('filters by what the user types, in the label or the API name', async () => {
		expect((await searchObjects(NS, '订单')).results.map((result) => result.value)).toEqual(['order__c']);
		expect((await searchObjects(NS, 'SHOP')).results.map((result) => result.value)).toEqual(['shop__c']);
		expect((await searchObjects(NS, 'nothing like it')).results).toEqual([]);
	});

	it('no namespace yet: asks for it and sends nothing', async () => {
		await expect(searchObjects('')).rejects.toThrow('Enter the namespace first');
		expect(apaas.emulator.server.requests).toHaveLength(0);
	});

	it('an unknown namespace: Feishu\'s code and message, naming the namespace', async () => {
		const error = await searchObjects('nope__c').catch((thrown: Error & { description?: string }) => thrown);
		expect(error).toMatchObject({
			message: 'Could not list the objects of namespace "nope__c": [2320001] namespace not found: nope__c',
			description: `Check the namespace: ${WHERE_API_NAMES_ARE}`,
		});
	});

	it('a namespace Feishu lists no objects for: says to enter the API name instead', async () => {
		apaas.emulator.reset();
		apaas.emulator.defineObject(NS, 'hidden__c', [], { metadata: false });
		await expect(searchObjects(NS)).rejects.toThrow(`Feishu listed no objects for namespace "${NS}"`);
	});
});
