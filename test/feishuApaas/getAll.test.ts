import { NS, OBJ, requestsTo, runApaas, useFeishuApaasEmulator } from './setup';

interface QueryBody {
	select: string[];
	page_size: number;
	page_token?: string;
	use_page_token?: boolean;
	filter?: { conditions: unknown[]; logic_expression: string };
	order_by?: unknown[];
}

describe('Feishu aPaaS node: Get Many (batch_query) through n8n WorkflowExecute', () => {
	const apaas = useFeishuApaasEmulator();
	let ids: string[];

	beforeEach(() => {
		ids = apaas.emulator.seedRecords(
			NS,
			OBJ,
			Array.from({ length: 1203 }, (_, index) => ({ book_name: `书 ${index}`, book_count: index % 4, 城市: index % 2 ? '北京' : '上海' })),
		);
	});

	const queries = () => requestsTo(apaas.emulator, 'batch_query').map((request) => request.body as QueryBody);

	it('Return All pages through every record with page tokens, 500 per page', async () => {
		const result = await runApaas(apaas.emulator, { operation: 'getAll', returnAll: true, select: 'book_name, 城市' }, [{}]);

		expect(result.status).toBe('success');
		const [output] = result.outputs;
		expect(output).toHaveLength(1203);
		expect(output.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(output.map((item) => item.json._id)).toEqual(ids);
		expect(output[1].json).toEqual({ _id: ids[1], book_name: '书 1', 城市: '北京' });
		const sent = queries();
		expect(sent.map((body) => body.page_size)).toEqual([500, 500, 500]);
		expect(sent.map((body) => body.use_page_token)).toEqual([true, true, true]);
		expect(sent[0].page_token).toBeUndefined();
		expect(typeof sent[1].page_token).toBe('string');
		expect(sent[2].page_token).not.toBe(sent[1].page_token);
		expect(sent[0].select).toEqual(['book_name', '城市']);
	});

	it('a limit stops paging once reached, asking only for what is still needed', async () => {
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'getAll', returnAll: false, limit: 7, select: '_id', options: { pageSize: 5 } },
			[{}],
		);
		expect(result.outputs[0].map((item) => item.json._id)).toEqual(ids.slice(0, 7));
		expect(queries().map((body) => body.page_size)).toEqual([5, 2]);
	});

	it('conditions (combined with OR) and sort rules become the criterion and order_by, per input item', async () => {
		const result = await runApaas(
			apaas.emulator,
			{
				operation: 'getAll',
				returnAll: true,
				select: 'book_name',
				filters: {
					conditions: [
						{ field: 'book_name', operator: 'equal', value: '={{ $json.first }}' },
						{ field: 'book_name', operator: 'equal', value: '={{ $json.second }}' },
					],
				},
				combineConditions: 'or',
				sort: { rules: [{ field: '_id', direction: 'DESC' }] },
			},
			[
				{ first: '书 3', second: '书 10' },
				{ first: '书 7', second: 'none' },
			],
		);

		const [output] = result.outputs;
		expect(output.map((item) => [item.json.book_name, item.pairedItem])).toEqual([
			['书 10', { item: 0 }],
			['书 3', { item: 0 }],
			['书 7', { item: 1 }],
		]);
		const [first] = queries();
		expect(first.filter?.logic_expression).toBe('1 or 2');
		expect(first.filter?.conditions[0]).toEqual({
			index: '1',
			left: { type: 'metadataVariable', settings: JSON.stringify({ fieldPath: [{ fieldApiName: 'book_name', objectApiName: OBJ }] }) },
			right: { type: 'constant', settings: JSON.stringify({ data: '书 3' }) },
			operator: 'equal',
		});
		expect(first.order_by).toEqual([{ field: '_id', direction: 'DESC' }]);
	});

	it('with no fields listed, returns every field the object metadata names (read once per run)', async () => {
		const result = await runApaas(apaas.emulator, { operation: 'getAll', returnAll: false, limit: 2 }, [{}, {}]);
		expect(result.outputs[0]).toHaveLength(4);
		expect(requestsTo(apaas.emulator, 'objects/search')).toHaveLength(1);
		expect(queries()[0].select).toEqual(expect.arrayContaining(['_id', 'book_name', '作者', '城市', 'in_stock', '_createdAt']));
		expect(result.outputs[0][0].json).toMatchObject({ _id: ids[0], book_name: '书 0', 城市: '上海', 作者: null });
	});

	it('a refused query becomes an error item for its input item with Continue On Fail, and fails the run without', async () => {
		const parameters = {
			operation: 'getAll',
			returnAll: true,
			select: 'book_name',
			filters: { conditions: [{ field: 'book_name', operator: '={{ $json.operator }}', value: '书 1' }] },
		};
		const items = [{ operator: 'equal' }, { operator: 'resembles' }];

		const tolerant = await runApaas(apaas.emulator, parameters, items, { node: { onError: 'continueErrorOutput' } });
		const [success, errors] = tolerant.outputs;
		expect(success.map((item) => item.json.book_name)).toEqual(['书 1']);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 1 });
		expect(String(errors[0].json.error)).toContain('2320001');
		expect(String(errors[0].json.error)).toContain('unsupported operator');

		const strict = await runApaas(apaas.emulator, parameters, items);
		expect(strict.status).toBe('error');
		expect(strict.error?.message).toContain('unsupported operator');
	});

	it('without metadata and without fields listed, asks the user to list the fields', async () => {
		apaas.emulator.defineObject(NS, 'hidden__c', [{ api_name: 'x', type: 'text' }], { metadata: false });
		const result = await runApaas(apaas.emulator, { operation: 'getAll', objectApiName: 'hidden__c', returnAll: true }, [{}]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Fields to Return');
		// Only the one-record query that tells an object without metadata from one that is not there.
		expect(requestsTo(apaas.emulator, 'batch_query').map((request) => request.body)).toEqual([{ select: ['_id'], page_size: 1 }]);
	});

	it('an unknown object fails naming it and its namespace, with Feishu\'s code and message', async () => {
		const result = await runApaas(apaas.emulator, { operation: 'getAll', objectApiName: 'missing__c', returnAll: true }, [{}]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(`Object "missing__c" not found in namespace "${NS}" (Feishu: [2320001] object not found: missing__c)`);
		expect((result.error as { description?: string }).description).toContain('Check both API names');
	});
});
