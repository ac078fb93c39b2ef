import { NS, OBJ, requestsTo, runApaas, useFeishuApaasEmulator } from './setup';

describe('Feishu aPaaS node: Delete Many (batch_delete) through n8n WorkflowExecute', () => {
	const apaas = useFeishuApaasEmulator();

	it('deletes the record of each item by its _id: DELETE with a JSON body of ids, 500 per request', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, Array.from({ length: 1234 }, () => ({ book_name: 'x' })));
		const result = await runApaas(apaas.emulator, { operation: 'delete', recordId: '={{ $json._id }}' }, ids.map((_id) => ({ _id })));

		expect(result.status).toBe('success');
		const requests = requestsTo(apaas.emulator, 'batch_delete');
		expect(requests.map((request) => request.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
		expect(requests.map((request) => (request.body as { ids: string[] }).ids.length)).toEqual([500, 500, 234]);
		expect(result.outputs[0][7].json).toEqual({ _id: ids[7], deleted: true });
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
	});

	it('an unknown ID fails alone, on its own item; a blank one is never sent', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{}, {}]);
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'delete', recordId: '={{ $json.id }}' },
			[{ id: ids[0] }, { id: '1234' }, { id: '' }, { id: ids[1] }],
			{ node: { onError: 'continueErrorOutput' } },
		);

		const [success, errors] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(errors[0].json.details).toMatchObject({ code: '2320001', subCode: 'record_not_found', record: '_id 1234' });
		expect(errors[1].json.details).toMatchObject({ outcome: 'notSent', fields: ['Record ID'] });
		expect((requestsTo(apaas.emulator, 'batch_delete')[0].body as { ids: string[] }).ids).toEqual([ids[0], '1234', ids[1]]);
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
	});
});
