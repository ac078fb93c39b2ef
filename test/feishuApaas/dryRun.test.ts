import type { IDataObject, INodeExecutionData, INodeParameters, ResourceMapperFields } from 'n8n-workflow';

import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import type { RecordedRequest } from '../emulators/server';
import { callNodeMethod } from '../harness/loadOptions';
import type { NodeRun } from '../harness/workflow';
import { NS, OBJ, apaasEnvironment, runApaas, sentRecords, useFeishuApaasEmulator } from './setup';

/**
 * Options > Dry Run on every write operation of the aPaaS node: nothing written, each item says
 * what the real run would send it in; then the same input without Dry Run sends exactly that.
 */

type Operation = 'create' | 'update' | 'delete';

const RECORDS = `/open-apis/apaas/v1/applications/${NS}/objects/${OBJ}/records`;

/** The one write request of each operation, by method and path. */
const WRITE: Record<Operation, { method: string; path: string; action: string }> = {
	create: { method: 'POST', path: `${RECORDS}/batch_create`, action: 'create' },
	update: { method: 'PATCH', path: `${RECORDS}/batch_update`, action: 'update' },
	delete: { method: 'DELETE', path: `${RECORDS}/batch_delete`, action: 'delete' },
};

/** Every request that writes records, whatever the operation: method and path as the API has them. */
function writeRequests(emulator: FeishuApaasEmulator): RecordedRequest[] {
	return emulator.server.requests.filter((request) =>
		Object.values(WRITE).some((write) => request.method === write.method && request.path === write.path),
	);
}

/** The records one write request carried, in request order. */
function carried(operation: Operation, request: RecordedRequest): unknown[] {
	return operation === 'delete' ? (request.body as { ids: string[] }).ids : sentRecords(request.body);
}

function storedState(emulator: FeishuApaasEmulator): unknown {
	return JSON.parse(JSON.stringify([...emulator.records(NS, OBJ).entries()])) as unknown;
}

function hintsOf(run: NodeRun): string[] {
	return (run.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);
}

const itemsOf = (output: INodeExecutionData[] = []) => output.map((item) => (item.pairedItem as { item: number }).item);

/** Errors by item: message and details, to compare a dry run's failures with the real run's. */
function failures(run: NodeRun) {
	return (run.outputs[1] ?? []).map((item) => ({ item: (item.pairedItem as { item: number }).item, error: item.json.error, details: item.json.details }));
}

interface Preview {
	item: number;
	batch: number;
	request: string;
	record: unknown;
}

/** Checks the dry run's success items have exactly the dry-run shape; returns them by item. */
function previews(run: NodeRun, operation: Operation): Preview[] {
	const write = WRITE[operation];
	return run.outputs[0].map((item) => {
		expect(Object.keys(item.json).sort()).toEqual(['action', 'batch', 'dryRun', 'record', 'request']);
		expect(item.json).toMatchObject({ dryRun: true, action: write.action, request: `${write.method} ${write.path}` });
		const batch = item.json.batch as number;
		expect(Number.isInteger(batch) && batch >= 1).toBe(true);
		return { item: (item.pairedItem as { item: number }).item, batch, request: item.json.request as string, record: item.json.record };
	});
}

/** The previewed batches: records of each batch number, in item order. */
function previewedBatches(list: Preview[]): Map<number, unknown[]> {
	const batches = new Map<number, unknown[]>();
	for (const preview of [...list].sort((a, b) => a.item - b.item)) {
		batches.set(preview.batch, [...(batches.get(preview.batch) ?? []), preview.record]);
	}
	return batches;
}

const asSet = (batches: unknown[][]) => batches.map((batch) => JSON.stringify(batch)).sort();

describe('Feishu aPaaS node: Options > Dry Run previews exactly what the real run sends', () => {
	const apaas = useFeishuApaasEmulator();

	/** The operation's parameters with the mapping form as the editor saves it (schema included). */
	async function parametersFor(operation: Operation, options: IDataObject): Promise<INodeParameters> {
		if (operation === 'delete') return { operation, recordId: '={{ $json._id }}', options } as INodeParameters;
		const { fields } = await callNodeMethod<ResourceMapperFields>(
			apaasEnvironment(apaas.emulator),
			{ type: 'feishuApaas', parameters: { resource: 'objectRecord', operation, namespace: NS, objectApiName: OBJ }, credentialTypes: ['feishuApaasApi'] },
			'resourceMapping',
			'getMappingFields',
		);
		const columns = { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: fields };
		return { operation, columns, options } as unknown as INodeParameters;
	}

	/**
	 * Runs `items` with Dry Run on, checks nothing was written, then without it, checks the real
	 * requests carry the previewed batches; returns both runs for the operation's own checks.
	 */
	async function dryThenReal(
		operation: Operation,
		items: IDataObject[],
		expected: { batches: number; sendable: number[]; failing: number[] },
	): Promise<{ dry: NodeRun; real: NodeRun; batches: Map<number, unknown[]> }> {
		const write = WRITE[operation];
		const dryParameters = await parametersFor(operation, { batchSize: 3, dryRun: true });
		const realParameters = await parametersFor(operation, { batchSize: 3 });
		apaas.emulator.server.reset();
		const before = storedState(apaas.emulator);

		// 1. Dry Run: no write request, nothing changed, the bad items fail, the rest say their batch.
		const dry = await runApaas(apaas.emulator, dryParameters, items, { node: { onError: 'continueErrorOutput' } });
		expect(dry.status).toBe('success');
		expect(writeRequests(apaas.emulator)).toEqual([]);
		// Only reads the real run needs too (a token), never anything else.
		expect(apaas.emulator.server.requests.every((request) => request.path.startsWith('/open-apis/auth/'))).toBe(true);
		expect(storedState(apaas.emulator)).toEqual(before);
		expect(itemsOf(dry.outputs[0])).toEqual(expected.sendable);
		expect(itemsOf(dry.outputs[1])).toEqual(expected.failing);
		for (const failure of failures(dry)) expect(failure.details).toMatchObject({ outcome: 'notSent' });
		const list = previews(dry, operation);
		const batches = previewedBatches(list);
		// Numbered as the batches are cut (in input order here): 1, 1, 1, 2, … never a later batch first.
		const numbers = [...list].sort((a, b) => a.item - b.item).map((preview) => preview.batch);
		expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
		expect([...new Set(numbers)]).toEqual(Array.from({ length: expected.batches }, (_, index) => index + 1));
		const records = expected.sendable.length;
		expect(hintsOf(dry)).toContain(
			`Dry run: nothing was written. ${records} records would be sent (${write.action}) in ${expected.batches} requests to ${write.method} ${write.path}; see each item's "batch". Turn Options > Dry Run off to write.`,
		);

		// 2. The same input for real: its write requests are the previewed batches, record for record.
		apaas.emulator.server.reset();
		const real = await runApaas(apaas.emulator, realParameters, items, { node: { onError: 'continueErrorOutput' } });
		expect(real.status).toBe('success');
		const sent = writeRequests(apaas.emulator);
		expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual(sent.map(() => `${write.method} ${write.path}`));
		expect(asSet(sent.map((request) => carried(operation, request)))).toEqual(asSet([...batches.values()]));
		// The same items go through and the same fail, with the same errors.
		expect(itemsOf(real.outputs[0])).toEqual(expected.sendable);
		expect(failures(real)).toEqual(failures(dry));
		expect(hintsOf(real).some((hint) => hint.startsWith('Dry run'))).toBe(false);
		return { dry, real, batches };
	}

	it('Create Many: 8 items in batches of 3, one bad number: nothing created; then batch_create carries the previewed records', async () => {
		const items: IDataObject[] = Array.from({ length: 8 }, (_, index) => ({ book_name: `书 ${index}`, 作者: '佚名', book_count: String(index * 10) }));
		// An _id from elsewhere is never sent on create: the preview must not show it either.
		items[1] = { ...items[1], _id: '999', in_stock: 'true' };
		items[5] = { ...items[5], book_count: 'abc' };

		const { dry, real, batches } = await dryThenReal('create', items, { batches: 3, sendable: [0, 1, 2, 3, 4, 6, 7], failing: [5] });

		// Records as sent: converted values, no _id.
		expect(batches.get(1)).toEqual([
			{ book_name: '书 0', 作者: '佚名', book_count: 0 },
			{ book_name: '书 1', 作者: '佚名', book_count: 10, in_stock: true },
			{ book_name: '书 2', 作者: '佚名', book_count: 20 },
		]);
		expect(failures(dry)[0]).toMatchObject({ error: '"book_count" needs a number, got "abc"', details: { fields: ['book_count'] } });
		expect(apaas.emulator.records(NS, OBJ).size).toBe(7);
		expect(real.outputs[0].every((item) => typeof item.json._id === 'string')).toBe(true);
	});

	it('Create Many with On Error = Stop Workflow: a bad value stops the dry run as it stops the real run, before any request', async () => {
		const parameters = await parametersFor('create', { batchSize: 3, dryRun: true });
		apaas.emulator.server.reset();
		const items = [{ book_name: 'A', book_count: 1 }, { book_name: 'B', book_count: 'abc' }];

		const dry = await runApaas(apaas.emulator, parameters, items);
		expect(writeRequests(apaas.emulator)).toEqual([]);
		const real = await runApaas(apaas.emulator, { ...parameters, options: { batchSize: 3 } }, items);

		expect(dry.status).toBe('error');
		expect(dry.error?.message).toBe('Item 1: "book_count" needs a number, got "abc"');
		expect(dry.error).toEqual(real.error);
		expect(writeRequests(apaas.emulator)).toEqual([]);
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
	});

	it('Update Many: 9 items in batches of 3, a missing _id, a bad number and one record changed twice; nothing updated, then batch_update carries the previews', async () => {
		const ids = apaas.emulator.seedRecords(
			NS,
			OBJ,
			Array.from({ length: 7 }, (_, index) => ({ book_name: `旧 ${index}`, book_count: index })),
		);
		const items: IDataObject[] = [
			{ _id: ids[0], book_count: '100' },
			{ _id: ids[1], 城市: '北京' },
			{ book_name: 'no id' },
			{ _id: ids[2], book_name: '新 2', in_stock: 'false' },
			{ _id: ids[3], book_count: 'many' },
			{ _id: ids[4], 作者: '余华' },
			// The same record again: a later change to it, in a later request.
			{ _id: ids[0], book_name: '新 0' },
			{ _id: ids[5], book_count: 5 },
			{ _id: ids[6], 城市: '上海' },
		];

		const { dry, batches } = await dryThenReal('update', items, { batches: 3, sendable: [0, 1, 3, 5, 6, 7, 8], failing: [2, 4] });

		expect(batches.get(1)).toEqual([
			{ _id: ids[0], book_count: 100 },
			{ _id: ids[1], 城市: '北京' },
			{ _id: ids[2], book_name: '新 2', in_stock: false },
		]);
		// The second change to ids[0] waits for the first (same record): batch 3 must not take number 2.
		expect(batches.get(2)).toEqual([
			{ _id: ids[4], 作者: '余华' },
			{ _id: ids[0], book_name: '新 0' },
			{ _id: ids[5], book_count: 5 },
		]);
		expect(batches.get(3)).toEqual([{ _id: ids[6], 城市: '上海' }]);
		expect(failures(dry).map((failure) => failure.error)).toEqual([
			'The record ID is missing: map "_id" to the ID of an existing record',
			'"book_count" needs a number, got "many"',
		]);
		// The real run applied both changes to the record updated twice, in input order.
		expect(apaas.emulator.records(NS, OBJ).get(ids[0])?.values).toMatchObject({ book_name: '新 0', book_count: 100 });
	});

	it('Delete Many: 8 items in batches of 3, one blank ID: nothing deleted; then batch_delete carries the previewed IDs', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, Array.from({ length: 7 }, (_, index) => ({ book_name: `书 ${index}` })));
		const items: IDataObject[] = [...ids.slice(0, 3).map((_id) => ({ _id })), { _id: ' ' }, ...ids.slice(3).map((_id) => ({ _id }))];

		const { dry, batches } = await dryThenReal('delete', items, { batches: 3, sendable: [0, 1, 2, 4, 5, 6, 7], failing: [3] });

		expect([...batches.values()]).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
		expect(failures(dry)[0]).toMatchObject({ error: 'The record ID is missing: map "Record ID" to the ID of an existing record' });
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
	});
});
