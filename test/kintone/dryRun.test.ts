import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import { columns, F, runKintone, sampleRecord, useKintoneEmulator } from './setup';

type Result = Awaited<ReturnType<typeof runKintone>>;

const isWrite = (request: RecordedRequest) => request.method !== 'GET' && /\/v1\/(records|bulkRequest)\.json$/.test(request.path);

/** The records of one write request as kintone receives them: entries, or `{id}` for deletes. */
function recordsOf(request: RecordedRequest): IDataObject[] {
	const body = request.body as { records?: IDataObject[]; ids?: string[]; requests?: Array<{ payload: IDataObject }> };
	if (body.requests) return body.requests.flatMap((sub) => recordsOf({ ...request, body: sub.payload } as RecordedRequest));
	if (body.ids) return body.ids.map((id) => ({ id }));
	return body.records ?? [];
}

/** The previewed records of each batch, in batch order, and the items that failed before sending. */
function plan(result: Result) {
	const batches = new Map<number, IDataObject[]>();
	const failed: number[] = [];
	for (const item of result.outputs.flat()) {
		const json = item.json as IDataObject;
		if (json.error) {
			failed.push((item.pairedItem as { item: number }).item);
			continue;
		}
		expect(json).toMatchObject({ dryRun: true });
		const record = json.record as IDataObject;
		batches.set(json.batch as number, [...(batches.get(json.batch as number) ?? []), record]);
	}
	return { batches: [...batches.entries()].sort(([a], [b]) => a - b).map(([, records]) => records), failed };
}

const failedItems = (result: Result) =>
	result.outputs.flat().filter((item) => (item.json as IDataObject).error).map((item) => (item.pairedItem as { item: number }).item);

const hintsOf = (result: Result) => (result.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);

describe('Kintone node: Dry Run shows what each write would send, sends nothing, and the real run then sends exactly that', () => {
	const kintone = useKintoneEmulator();
	const onError = { node: { onError: 'continueErrorOutput' as const } };

	/** Runs `parameters` with Dry Run, then for real; returns both and the real run's write requests. */
	async function previewThenWrite(parameters: INodeParameters, items: IDataObject[]) {
		const options = (dryRun: boolean) => ({ ...(parameters.options as IDataObject), dryRun });
		const state = () => JSON.stringify(kintone.emulator.records(kintone.sample.app));
		const before = state();
		kintone.emulator.server.reset();
		const preview = await runKintone(kintone.emulator, kintone.sample, { ...parameters, options: options(true) }, items, onError);
		expect(kintone.emulator.server.requests.filter(isWrite)).toEqual([]);
		expect(state()).toBe(before);
		const real = await runKintone(kintone.emulator, kintone.sample, { ...parameters, options: options(false) }, items, onError);
		return { preview, real, writes: kintone.emulator.server.requests.filter(isWrite) };
	}

	/** Each previewed batch is one real request with the same records, in order; the same items fail. */
	function expectSameWrites({ preview, real, writes }: Awaited<ReturnType<typeof previewThenWrite>>, action: string, request: string) {
		const previewed = plan(preview);
		const sent = writes.map(recordsOf);
		expect(sent).toHaveLength(previewed.batches.length);
		expect([...sent].sort(byFirst)).toEqual([...previewed.batches].sort(byFirst));
		expect(previewed.failed).toEqual(failedItems(real));
		for (const item of preview.outputs.flat().filter((output) => !(output.json as IDataObject).error)) {
			expect(item.json).toMatchObject({ action, request });
		}
		for (const write of writes) expect(`${write.method} ${write.path}`).toBe(request);
		const [hint] = hintsOf(preview);
		expect(hint).toMatch(/^Dry run: nothing was written\. /);
		const requests = previewed.batches.length === 1 ? '1 request' : `${previewed.batches.length} requests`;
		expect(hint).toContain(`would be sent (${action}) in ${requests} to ${request}`);
	}
	const byFirst = (a: IDataObject[], b: IDataObject[]) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]));

	const seed = (count: number) =>
		kintone.emulator.seedRecords(kintone.sample.app, Array.from({ length: count }, (_, index) => sampleRecord(index)));

	it('Create Many: 230 items, one with a bad number, in requests of 100', async () => {
		const items = Array.from({ length: 230 }, (_, index) => ({ code: `NEW-${index}`, quantity: index === 7 ? 'many' : index }));
		const parameters = {
			operation: 'create',
			columns: columns({ [F.code]: '={{ $json.code }}', [F.quantity]: '={{ $json.quantity }}' }),
		};
		const result = await previewThenWrite(parameters, items);
		expect(plan(result.preview).batches.map((batch) => batch.length)).toEqual([100, 100, 29]);
		expect(plan(result.preview).failed).toEqual([7]);
		expectSameWrites(result, 'create', 'POST /k/v1/records.json');
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(229);
	});

	it('Update Many by record ID, with the atomic mode too (one bulk request of 2,000 is one batch)', async () => {
		const ids = seed(150);
		const items = ids.map((id, index) => ({ id, text: `changed ${index}` }));
		const parameters = {
			operation: 'update',
			columns: columns({ $id: '={{ $json.id }}', [F.text]: '={{ $json.text }}' }, { matchingColumns: ['$id'] }),
		};
		expectSameWrites(await previewThenWrite(parameters, items), 'update', 'PUT /k/v1/records.json');
		const atomic = await previewThenWrite({ ...parameters, options: { atomic: true } }, items);
		expect(plan(atomic.preview).batches.map((batch) => batch.length)).toEqual([150]);
		expectSameWrites(atomic, 'update', 'POST /k/v1/bulkRequest.json');
	});

	it('Create or Update by the update key', async () => {
		seed(120);
		const items = Array.from({ length: 140 }, (_, index) => ({ code: `R-${index}`, text: `upserted ${index}` }));
		const parameters = {
			operation: 'upsert',
			columns: columns({ [F.code]: '={{ $json.code }}', [F.text]: '={{ $json.text }}' }, { matchingColumns: [F.code] }),
		};
		const result = await previewThenWrite(parameters, items);
		expect((plan(result.preview).batches[0][0] as IDataObject).updateKey).toEqual({ field: F.code, value: 'R-0' });
		expectSameWrites(result, 'create or update', 'PUT /k/v1/records.json');
	});

	it('Delete Many by record ID', async () => {
		const ids = seed(130);
		const result = await previewThenWrite({ operation: 'delete', recordId: '={{ $json.id }}' }, ids.map((id) => ({ id })));
		expectSameWrites(result, 'delete', 'DELETE /k/v1/records.json');
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(0);
	});
});
