import type { IDataObject } from 'n8n-workflow';

import { columns, F, requestsTo, runKintone, sampleRecord, useKintoneEmulator } from './setup';

type Result = Awaited<ReturnType<typeof runKintone>>;

const hintsOf = (result: Result) => (result.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);
const jsonOf = (result: Result, output = 0) => (result.outputs[output] ?? []).map((item) => item.json as IDataObject);

describe('Kintone node: Sync', () => {
	const kintone = useKintoneEmulator();
	const app = () => kintone.sample.app;
	const syncByCode = (extra: IDataObject = {}) => ({
		operation: 'sync',
		columns: columns(
			{ [F.code]: '={{ $json.code }}', [F.text]: '={{ $json.text }}', [F.quantity]: '={{ $json.quantity }}' },
			{ matchingColumns: [F.code] },
		),
		...extra,
	});
	const writes = () => kintone.emulator.server.requests.filter((request) => request.method !== 'GET' && !request.headers['x-http-method-override'] && /records\.json$/.test(request.path));

	it('creates the missing, updates only the changed fields, leaves the rest untouched, and a second run writes nothing', async () => {
		const [one, two] = kintone.emulator.seedRecords(app(), [
			sampleRecord(1, { [F.quantity]: '1.5' }),
			sampleRecord(2, { [F.quantity]: '3' }),
		]);
		const items = [
			{ code: 'R-1', text: 'original 1', quantity: '1.50' },
			{ code: 'R-2', text: 'changed', quantity: 3 },
			{ code: 'NEW-1', text: 'new', quantity: 7 },
		];
		kintone.emulator.server.reset();
		const result = await runKintone(kintone.emulator, kintone.sample, syncByCode(), items);
		expect(result.error).toBeUndefined();
		const [unchanged, updated, created] = jsonOf(result);
		expect(unchanged).toEqual({ sync: 'unchanged', [F.code]: 'R-1', id: one, revision: '1' });
		expect(updated).toMatchObject({ sync: 'updated', [F.code]: 'R-2', id: two, revision: '2', changes: { [F.text]: { old: 'original 2', new: 'changed' } } });
		expect(Object.keys(updated.changes as IDataObject)).toEqual([F.text]);
		expect(created).toMatchObject({ sync: 'created', id: expect.any(String), [F.code]: 'NEW-1' });
		const [put] = requestsTo(kintone.emulator, 'PUT', 'records');
		expect((put.body as { records: unknown[] }).records).toEqual([{ id: two, record: { [F.text]: { value: 'changed' } } }]);
		expect(kintone.emulator.record(app(), one)?.revision).toBe('1');
		expect(hintsOf(result)).toContain('Sync: 1 created, 1 updated, 1 unchanged, 0 removed.');

		kintone.emulator.server.reset();
		const again = await runKintone(kintone.emulator, kintone.sample, syncByCode(), items);
		expect(jsonOf(again).map((json) => json.sync)).toEqual(['unchanged', 'unchanged', 'unchanged']);
		expect(writes()).toEqual([]);
	});
});
