import { NS, OBJ, requestsTo, runApaas, useFeishuApaasEmulator } from './setup';

describe('Feishu aPaaS node: a resend after a lost answer', () => {
	const apaas = useFeishuApaasEmulator();

	it('a delete resent after its answer was lost reports records gone as unknown, not refused: the first attempt may have deleted them', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{}, {}, {}]);
		apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_delete'), action: { kind: 'resetAfterHandling' } });

		const result = await runApaas(
			apaas.emulator,
			{ operation: 'delete', recordId: '={{ $json._id }}' },
			[...ids, '1234'].map((_id) => ({ _id })),
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(requestsTo(apaas.emulator, 'batch_delete')).toHaveLength(2);
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
		for (const item of result.outputs[0]) {
			expect(item.json.details).toMatchObject({ outcome: 'unknown' });
			expect(String(item.json.error)).toMatch(/may already have/);
		}
	});

	it('an update resent after its answer was lost still reports records it refuses as not written: their values were wrong both times', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }]);
		apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_update'), action: { kind: 'resetAfterHandling' } });

		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] } },
			[{ _id: id, book_count: 2 }, { _id: id, book_count: 'many' }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(2);
		expect(result.outputs[0][0].json).toEqual({ _id: id, book_count: 2 });
		expect(result.outputs[0][1].json.details).toMatchObject({ outcome: 'failed' });
	});
});
