import type { INodeParameters, ResourceMapperFields } from 'n8n-workflow';

import { callNodeMethod } from '../harness/loadOptions';
import { NS, OBJ, apaasEnvironment, requestsTo, runApaas, sentRecords, useFeishuApaasEmulator } from './setup';

/** Checks by the object's schema, before anything is sent; auto-map says what it leaves out. */
describe('Feishu aPaaS node: values checked by the object\'s fields, and fields auto-map leaves out', () => {
	const apaas = useFeishuApaasEmulator();

	async function autoMapped(operation: 'create' | 'update'): Promise<INodeParameters> {
		const { fields } = await callNodeMethod<ResourceMapperFields>(
			apaasEnvironment(apaas.emulator),
			{ type: 'feishuApaas', parameters: { resource: 'objectRecord', operation, namespace: NS, objectApiName: OBJ }, credentialTypes: ['feishuApaasApi'] },
			'resourceMapping',
			'getMappingFields',
		);
		apaas.emulator.server.reset();
		const columns = { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: fields };
		return { operation, columns } as unknown as INodeParameters;
	}

	it('Create with On Error = Stop Workflow: a number field given "abc" stops the run before any record is created', async () => {
		const parameters = await autoMapped('create');
		const items = [{ book_name: 'A', book_count: 1 }, { book_name: 'B', book_count: 'abc' }, { book_name: 'C', book_count: 3 }];

		const result = await runApaas(apaas.emulator, parameters, items);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Item 1: "book_count" needs a number, got "abc"');
		expect(result.error?.description).toContain('Nothing was sent.');
		// Re-running after the fix cannot create A and C twice: nothing was created.
		expect(requestsTo(apaas.emulator, 'batch_create')).toHaveLength(0);
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
	});

	it('Continue (using error output): the bad items fail alone naming the field; numbers as text and "true" are taken', async () => {
		const parameters = await autoMapped('create');
		const items = [
			{ book_name: 'A', book_count: '12', in_stock: 'true' },
			{ book_name: 'B', book_count: 'abc' },
			{ book_name: 'C', in_stock: 'perhaps' },
		];

		const result = await runApaas(apaas.emulator, parameters, items, { node: { onError: 'continueErrorOutput' } });

		const [written, errors] = result.outputs;
		expect(written.map((item) => item.json.book_name)).toEqual(['A']);
		expect(errors.map((item) => item.json.details)).toEqual([
			expect.objectContaining({ itemIndex: 1, outcome: 'notSent', fields: ['book_count'] }),
			expect.objectContaining({ itemIndex: 2, outcome: 'notSent', fields: ['in_stock'] }),
		]);
		expect(errors[1].json.error).toBe('"in_stock" needs true or false, got "perhaps"');
		const [create] = requestsTo(apaas.emulator, 'batch_create');
		expect(sentRecords(create.body)).toEqual([{ book_name: 'A', book_count: 12, in_stock: true }]);
	});

	it('Map Automatically: an input field the object does not have is named on the item and in a hint, never dropped silently', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ 城市: '北京' }]);
		const parameters = await autoMapped('update');
		// A trailing space: the field looks right, but the object has no field of that name.
		const result = await runApaas(apaas.emulator, parameters, [{ _id: id, '城市 ': '广州', book_count: 2 }]);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json).toEqual({ _id: id, book_count: 2, _ignoredFields: ['城市 '] });
		const [patch] = requestsTo(apaas.emulator, 'batch_update');
		expect(sentRecords(patch.body)).toEqual([{ _id: id, book_count: 2 }]);
		const hints = result.run.data.resultData.runData['Node Under Test'][0].hints ?? [];
		expect(hints.map((hint) => hint.message)).toEqual([
			'Not written: input field "城市 " is not a field of object "book__c" (in 1 of 1 items). Check the spelling (spaces count), or map the fields one by one. Each item lists them under "_ignoredFields".',
		]);
	});

	it('a refused record names each field once, by label and API name, the label not repeated when it is the API name', async () => {
		const parameters = await autoMapped('create');
		// Text fields given numbers: the form lets them through, Feishu refuses them.
		const items = [{ book_name: 42 }, { 作者: 7 }, { book_name: 'ok' }];

		const result = await runApaas(apaas.emulator, parameters, items, { node: { onError: 'continueErrorOutput' } });

		const [success, errors] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 2 }]);
		expect(errors.map((item) => item.json.error)).toEqual([
			'Feishu refused the record: field book_name expects text; field "书名" (book_name)',
			'Feishu refused the record: field 作者 expects text; field "作者"',
		]);

		const stopped = await runApaas(apaas.emulator, parameters, items.slice(0, 1));
		expect(stopped.error?.message).toBe('Item 0 (new record) [2320001]: Feishu refused the record: field book_name expects text; field "书名" (book_name)');
	});
});
