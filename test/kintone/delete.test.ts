import { requestsTo, runKintone, sampleRecord, useKintoneEmulator } from './setup';

describe('Kintone node: Delete Many', () => {
	const kintone = useKintoneEmulator();

	it('deletes by record ID with expected revisions, 100 per request', async () => {
		const ids = kintone.emulator.seedRecords(kintone.sample.app, Array.from({ length: 120 }, (_, index) => sampleRecord(index)));
		const items = ids.slice(0, 110).map((id) => ({ $id: id, $revision: '1' }));

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'delete', recordId: '={{ $json.$id }}', options: { revision: '={{ $json.$revision }}' } },
			items,
		);

		expect(result.error).toBeUndefined();
		const deletes = requestsTo(kintone.emulator, 'DELETE', 'records');
		expect(deletes.map((request) => (request.body as { ids: string[] }).ids.length)).toEqual([100, 10]);
		expect((deletes[1].body as { revisions: string[] }).revisions).toEqual(Array(10).fill('1'));
		expect(result.outputs[0][0].json).toEqual({ id: ids[0], deleted: true });
		expect(kintone.emulator.records(kintone.sample.app).map((record) => record.id)).toEqual(ids.slice(110));
	});

	it('names the record that is not found when a delete request is refused, and deletes the others by sending them again without it', async () => {
		const ids = kintone.emulator.seedRecords(kintone.sample.app, [sampleRecord(1), sampleRecord(2)]);

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'delete', recordId: '={{ $json.id }}' },
			[{ id: ids[0] }, { id: '999' }, { id: ids[1] }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		const [output] = result.outputs;
		expect(output[1].json.details).toMatchObject({ itemIndex: 1, record: 'id 999', code: 'GAIA_RE01', httpCode: '404' });
		expect(output[1].json.error).toContain('kintone refused this record');
		expect(output[1].json.error).toContain('The other records of its request were sent again without it.');
		expect(output[0].json).toEqual({ id: ids[0], deleted: true });
		expect(output[2].json).toEqual({ id: ids[1], deleted: true });
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(0);
		expect(requestsTo(kintone.emulator, 'DELETE', 'records').filter((request) => request.method === 'DELETE')).toHaveLength(2);
	});
});
