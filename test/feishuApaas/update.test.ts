import { NS, OBJ, autoMap, requestsTo, runApaas, sentRecords, tokensSeen, useFeishuApaasEmulator, visible } from './setup';

describe('Feishu aPaaS node: Update Many (batch_update) through n8n WorkflowExecute', () => {
	const apaas = useFeishuApaasEmulator();

	it('1,234 items become 3 PATCHes of 500, 500 and 234 records; Chinese field names and values round-trip', async () => {
		const ids = apaas.emulator.seedRecords(
			NS,
			OBJ,
			Array.from({ length: 1234 }, () => ({ 作者: '旧', 城市: '旧' })),
		);
		const items = ids.map((id, index) => ({ id, author: `作者 ${index} 号`, city: index % 2 ? '北京' : '上海' }));

		const result = await runApaas(apaas.emulator, {
			operation: 'update',
			columns: {
				mappingMode: 'defineBelow',
				value: { _id: '={{ $json.id }}', 作者: '={{ $json.author }}', 城市: '={{ $json.city }}' },
				matchingColumns: ['_id'],
				schema: [
					{ id: '_id', displayName: 'Record ID (_id)', required: true, defaultMatch: true, canBeUsedToMatch: true, display: true, type: 'string' },
					{ id: '作者', displayName: '作者', required: false, defaultMatch: false, display: true, type: 'string' },
					{ id: '城市', displayName: '城市', required: false, defaultMatch: false, display: true, type: 'string' },
				],
				attemptToConvertTypes: false,
				convertFieldsToString: false,
			},
		}, items);

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const patches = requestsTo(apaas.emulator, '/records/batch_update');
		expect(patches.map((request) => request.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
		expect(patches.map((request) => typeof (request.body as { records: unknown }).records)).toEqual(['string', 'string', 'string']);
		expect(patches.map((request) => sentRecords(request.body).length)).toEqual([500, 500, 234]);
		expect(patches[0].path).toBe(`/open-apis/apaas/v1/applications/${NS}/objects/${OBJ}/records/batch_update`);
		expect(sentRecords(patches[2].body)[233]).toEqual({ _id: ids[1233], 作者: '作者 1233 号', 城市: '北京' });

		const [output] = result.outputs;
		expect(output).toHaveLength(1234);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual({ _id: ids[index], 作者: `作者 ${index} 号`, 城市: index % 2 ? '北京' : '上海' });
		});
		const stored = apaas.emulator.records(NS, OBJ);
		ids.forEach((id, index) => {
			expect(stored.get(id)?.values).toEqual({ 作者: `作者 ${index} 号`, 城市: index % 2 ? '北京' : '上海' });
			expect(stored.get(id)?.writes).toBe(1);
		});
	});

	it('one invalid record among 500: 499 successes and 1 error item naming its code and field, on its own input item', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, Array.from({ length: 500 }, () => ({ book_count: 1 })));
		const items = ids.map((_id, index) => ({ _id, book_count: index === 137 ? 'many' : index }));

		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap }, items, {
			node: { onError: 'continueErrorOutput' },
		});

		expect(result.status).toBe('success');
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(1);
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(499);
		expect(success.map((item) => (item.pairedItem as { item: number }).item)).toEqual(
			Array.from({ length: 500 }, (_, index) => index).filter((index) => index !== 137),
		);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 137 });
		expect(errors[0].json.error).toContain('book_count');
		expect(errors[0].json.details).toMatchObject({
			itemIndex: 137,
			record: `_id ${ids[137]}`,
			code: '2320001',
			subCode: 'field_type_mismatch',
			fields: ['book_count'],
			outcome: 'failed',
		});
		const stored = apaas.emulator.records(NS, OBJ);
		expect(stored.get(ids[137])?.values).toEqual({ book_count: 1 });
		expect(stored.get(ids[138])?.values).toEqual({ book_count: 138 });
	});

	it('without Continue On Fail the run fails naming the item, record and code, and says how many were written', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }, { book_count: 1 }, { book_count: 1 }]);
		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap }, [
			{ _id: ids[0], book_count: 5 },
			{ _id: '9999', book_count: 5 },
			{ _id: ids[2], book_count: 5 },
		]);

		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Item 1');
		expect(result.error?.message).toContain('_id 9999');
		expect(result.error?.message).toContain('2320001');
		expect(result.error?.description).toContain('2 of 3 records were written');
		expect(visible(result)).not.toContain(apaas.emulator.appSecret);
	});

	it('continueRegularOutput puts the error item in the main output, in input order', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{}]);
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: autoMap },
			[{ _id: id, 不存在的字段: 1 }, { _id: id, book_name: 'ok' }],
			{ node: { onError: 'continueRegularOutput' } },
		);
		const [output] = result.outputs;
		expect(output).toHaveLength(2);
		expect(output[0].json.details).toMatchObject({ subCode: 'field_not_found', fields: ['不存在的字段'] });
		expect(output[1].json).toEqual({ _id: id, book_name: 'ok' });
	});

	it('an item without _id stops the run before anything is sent (Continue On Fail off)', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{}, {}]);
		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap }, [
			{ _id: ids[0], book_name: 'a' },
			{ book_name: 'no id' },
			{ _id: ids[1], book_name: 'b' },
		]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Item 1: The record ID is missing: map "_id"/);
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(0);
		expect(apaas.emulator.records(NS, OBJ).get(ids[0])?.writes).toBe(0);
	});

	it('with Continue On Fail an item without _id fails alone and the others are written', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{}, {}]);
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: autoMap },
			[{ _id: ids[0], book_name: 'a' }, { book_name: 'no id' }, { _id: ids[1], book_name: 'b' }],
			{ node: { onError: 'continueErrorOutput' } },
		);
		const [success, errors] = result.outputs;
		expect(success.map((item) => item.json._id)).toEqual([ids[0], ids[1]]);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 1 });
		expect(errors[0].json.details).toMatchObject({ outcome: 'notSent', fields: ['_id'] });
		expect(sentRecords(requestsTo(apaas.emulator, 'batch_update')[0].body)).toHaveLength(2);
	});

	it('a 503 on an update is retried (updates are idempotent) and every record is written once', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{}, {}]);
		apaas.emulator.server.inject({
			match: (request) => request.path.endsWith('batch_update'),
			action: { kind: 'respond', reply: { status: 503, body: { code: 1, msg: 'busy' } } },
		});
		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap }, [
			{ _id: ids[0], book_count: 1 },
			{ _id: ids[1], book_count: 2 },
		]);
		expect(result.status).toBe('success');
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(2);
		expect([...apaas.emulator.records(NS, OBJ).values()].map((record) => record.writes)).toEqual([1, 1]);
	});

	it('a whole-request refusal fails every record of the batch with the service code', async () => {
		apaas.emulator.defineObject(NS, OBJ, []);
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', objectApiName: 'missing__c', columns: autoMap },
			[{ _id: '1', book_name: 'x' }, { _id: '2', book_name: 'y' }],
			{ node: { onError: 'continueErrorOutput' } },
		);
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(0);
		expect(errors.map((item) => item.json.details)).toEqual([
			expect.objectContaining({ code: '2320001', httpCode: '400', outcome: 'failed' }),
			expect.objectContaining({ code: '2320001', httpCode: '400', outcome: 'failed' }),
		]);
		expect(String(errors[0].json.error)).toContain(
			`Feishu refused the request (code 2320001): object not found: missing__c. Check that namespace "${NS}" has an object "missing__c", and the field values.`,
		);
	});

	it('an unknown namespace fails the run naming namespace and object (Feishu documents only "param is invalid")', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }]);
		const result = await runApaas(apaas.emulator, { operation: 'update', namespace: 'nope__c', columns: autoMap }, [{ _id: id, book_count: 2 }]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain(
			`Feishu refused the request (code 2320001): namespace not found: nope__c. Check that namespace "nope__c" has an object "${OBJ}", and the field values.`,
		);
	});

	it.each([
		['emptied by n8n (no value)', null],
		['emptied, fields shown at their defaults', { _id: null, book_count: null, 城市: '' }],
	])('a mapping %s fails once, before anything is sent, saying to map fields (not "record ID is missing" per item)', async (_, value) => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }, { book_count: 2 }]);
		const columns = { mappingMode: 'defineBelow', value, matchingColumns: ['_id'], schema: [] };
		// A node error, also under "Continue (using error output)": one message for the run, not one per item.
		for (const onError of ['stopWorkflow', 'continueErrorOutput'] as const) {
			const result = await runApaas(apaas.emulator, { operation: 'update', columns }, ids.map((_id) => ({ _id })), { node: { onError } });
			expect(result.error?.message).toBe(
				`No field is mapped for object "${OBJ}": open the node and map the fields to write under "Fields", or choose "Map Automatically"`,
			);
			expect(JSON.stringify(result.outputs)).not.toContain('record ID is missing');
		}
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(0);
	});

	it('an expression that is empty for an item still counts as mapped: that item alone fails', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }]);
		const columns = { mappingMode: 'defineBelow', value: { _id: '={{ $json.id }}', book_count: 3 }, matchingColumns: ['_id'], schema: [] };
		const result = await runApaas(apaas.emulator, { operation: 'update', columns }, [{ id }, {}], { node: { onError: 'continueErrorOutput' } });
		expect(result.outputs[0].map((item) => item.json)).toEqual([{ _id: id, book_count: 3 }]);
		expect(String(result.outputs[1][0].json.error)).toContain('The record ID is missing');
	});

	it('takes the object from the resource locator, From List or By API Name', async () => {
		for (const mode of ['list', 'name']) {
			const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }]);
			const objectApiName = { __rl: true, mode, value: OBJ };
			const result = await runApaas(apaas.emulator, { operation: 'update', objectApiName, columns: autoMap }, [{ _id: id, book_count: 5 }]);
			expect(result.status).toBe('success');
			expect(apaas.emulator.records(NS, OBJ).get(id)?.values).toEqual({ book_count: 5 });
		}
	});

	it('maps results back by record ID when the answer lists them out of order, and flags a record it leaves out', async () => {
		const items = [
			{ _id: '11', book_name: 'a' },
			{ _id: '22', book_name: 'b' },
			{ _id: '33', book_name: 'c' },
		];
		apaas.emulator.server.inject({
			match: (request) => request.path.endsWith('batch_update'),
			action: {
				kind: 'respond',
				reply: {
					status: 200,
					body: {
						code: 0,
						msg: 'success',
						data: {
							items: [
								{ success: false, id: '22', errors: [{ code: '2320001', message: 'nope', sub_code: 'x', fields: ['book_name'] }] },
								// The documented example: a success that still lists an error entry with code "0".
								{ success: true, id: '11', errors: [{ code: '0', message: 'success', sub_code: 'k_ec_00001', fields: ['_id'] }] },
							],
						},
					},
				},
			},
		});
		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap }, items, {
			node: { onError: 'continueRegularOutput' },
		});
		const [output] = result.outputs;
		expect(output[0].json).toEqual({ _id: '11', book_name: 'a' });
		expect(output[1].json.details).toMatchObject({ itemIndex: 1, record: '_id 22', outcome: 'failed', fields: ['book_name'] });
		expect(output[2].json.details).toMatchObject({ itemIndex: 2, record: '_id 33', outcome: 'unknown' });
	});

	it('rejects a namespace or object that could change the request target, before any request', async () => {
		const targets = [
			...['../secret', 'book?x=1', 'a%2Fb', 'a#b', 'a/b'].map((objectApiName) => ({ objectApiName })),
			{ namespace: '../../auth/v3' },
			{ namespace: 'x'.repeat(257) },
		];
		for (const target of targets) {
			const result = await runApaas(apaas.emulator, { operation: 'update', ...target, columns: autoMap }, [{ _id: '1', a: 1 }]);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/is not a valid API name/);
		}
		expect(apaas.emulator.server.requests).toHaveLength(0);
	});

	it('never shows the app secret or a token in outputs or errors', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{}]);
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: autoMap },
			[{ _id: id, book_count: 'x' }, { _id: id, book_count: 2 }],
			{ node: { onError: 'continueErrorOutput' } },
		);
		const text = visible(result);
		expect(tokensSeen(apaas.emulator).length).toBeGreaterThan(0);
		for (const secret of [apaas.emulator.appSecret, ...tokensSeen(apaas.emulator)]) expect(text).not.toContain(secret);
	});
});
