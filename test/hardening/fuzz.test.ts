import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import { createSampleApp, startKintoneEmulator } from '../emulators/kintone';
import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import { startFeishuApaasEmulator } from '../emulators/feishuApaas';
import type { FeishuDataTableEmulator, TableSpec } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import type { EmulatorServer } from '../emulators/server';
import { NS, OBJ, defineBooks, runApaas } from '../feishuApaas/setup';
import { WORKSPACE, autoMapColumns, environment, run as runDataTable, target } from '../feishuDataTable/setup';
import type { NodeRun, TestEnvironment } from '../harness/workflow';
import { F, columns, runKintone } from '../kintone/setup';
import { chooseSeed } from './chaos';
import { itemArbitrary, malformedRequests, numberArbitrary, runProblems, textArbitrary } from './fuzzing';
import { EMPTY_COUNTS, finishFile } from './summary';

const seed = chooseSeed();
// Moderate: the whole file stays around a minute on 2 cores.
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 40);
const items = (item: fc.Arbitrary<IDataObject>) => fc.array(item, { minLength: 1, maxLength: 6 });
let fuzzCases = 0;
let failures = 0;

/**
 * One property per write operation: whatever the items hold, every request the emulator received
 * is well-formed, and the run either gives every item one clear result (Continue On Fail, or all
 * written) or, with "Continue On Fail" off (`strict`), stops with a node error naming the item and
 * saying what to do.
 */
async function fuzz(
	server: EmulatorServer,
	arbitrary: fc.Arbitrary<IDataObject[]>,
	execute: (batch: IDataObject[]) => Promise<NodeRun>,
	strict = false,
): Promise<void> {
	await fc.assert(
		fc.asyncProperty(arbitrary, async (batch) => {
			server.reset();
			const run = await execute(batch);
			fuzzCases += batch.length;
			const problems = malformedRequests(server.requests);
			if (!strict || run.status === 'success') problems.push(...runProblems(run, batch.length));
			else if (!/^Item \d+/.test(run.error?.message ?? '') || !run.error?.description) {
				problems.push(`the run failed without naming the item and what to do: ${run.error?.message}`);
			}
			if (problems.length) failures++;
			expect(problems).toEqual([]);
		}),
		{ numRuns: strict ? Math.ceil(RUNS_PER_OPERATION / 2) : RUNS_PER_OPERATION, seed },
	);
}

afterAll(() => {
	process.stdout.write(`fuzz (seed ${seed}): ${fuzzCases} items in ${failures === 0 ? 'all' : 'failing'} runs\n`);
	finishFile('fuzz', { ...EMPTY_COUNTS, fuzzCases });
});

const dateLike = fc.oneof(textArbitrary, fc.date({ noInvalidDate: false }));

describe(`fuzzed items, Kintone (seed ${seed})`, () => {
	let emulator: KintoneEmulator;
	let sample: SampleApp;
	let ids: string[];

	beforeAll(async () => {
		emulator = await startKintoneEmulator();
		sample = createSampleApp(emulator);
		ids = emulator.seedRecords(
			sample.app,
			Array.from({ length: 5 }, (_, index) => ({ [F.code]: { value: `K-${index}` } })),
		);
	});
	afterAll(async () => await emulator.close());

	const fields = () => ({
		[F.code]: fc.constantFrom('K-0', 'K-1', 'K-2', 'NEW-1', 'NEW-2'),
		[F.text]: textArbitrary,
		[F.note]: textArbitrary,
		[F.quantity]: fc.oneof(numberArbitrary, numberArbitrary.map(String)),
		[F.date]: dateLike,
		[F.dateTime]: dateLike,
		[F.time]: textArbitrary,
		[F.dropDown]: fc.constantFrom('高', '中', '低', 'x'),
		[F.checkBox]: fc.oneof(fc.constantFrom('A, C', ['B'], 'Z'), textArbitrary),
		[F.user]: fc.constantFrom('sato', 'sato,suzuki', [{ code: 'suzuki' }]),
		[F.table]: fc.array(fc.record({ [F.tableItem]: textArbitrary, [F.tableQuantity]: numberArbitrary }), { maxLength: 2 }),
	});
	const autoMap = (matchingColumns: string[] = []) =>
		columns(null, { mappingMode: 'autoMapInputData', matchingColumns }) as unknown as INodeParameters;
	const runWith = (parameters: INodeParameters) => (batch: IDataObject[]) =>
		runKintone(emulator, sample, parameters, batch, { node: { onError: 'continueRegularOutput' } });
	const recordIds = () => fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...ids).map(Number), fc.constant('999999'));

	it('create', async () => {
		await fuzz(emulator.server, items(itemArbitrary(fields())), runWith({ operation: 'create', columns: autoMap() }));
	});

	it('update by record ID (missing, duplicate and invalid IDs)', async () => {
		await fuzz(
			emulator.server,
			items(itemArbitrary(fields(), { name: '$id', values: recordIds() })),
			runWith({ operation: 'update', columns: autoMap(['$id']) }),
		);
	});

	it('upsert by update key (duplicate keys within one batch)', async () => {
		await fuzz(emulator.server, items(itemArbitrary(fields())), runWith({ operation: 'upsert', columns: autoMap([F.code]) }));
	});

	it('delete', async () => {
		await fuzz(
			emulator.server,
			items(itemArbitrary({}, { name: 'id', values: recordIds() })),
			runWith({ operation: 'delete', recordId: '={{ $json.id }}' }),
		);
	});

	it('create, fields mapped by expressions, Continue On Fail off', async () => {
		const mapped = Object.fromEntries(Object.keys(fields()).map((code) => [code, `={{ $json["${code}"] }}`]));
		const create = { operation: 'create', columns: columns(mapped) as unknown as INodeParameters };
		await fuzz(emulator.server, items(itemArbitrary(fields())), (batch) => runKintone(emulator, sample, create, batch), true);
	});
});

describe(`fuzzed items, Feishu aPaaS (seed ${seed})`, () => {
	let emulator: FeishuApaasEmulator;
	let ids: string[];

	beforeAll(async () => {
		emulator = await startFeishuApaasEmulator();
		emulator.setRateLimits([{ limit: 1_000_000, intervalMs: 1000 }]);
		defineBooks(emulator);
		ids = emulator.seedRecords(NS, OBJ, [{ book_name: 'a' }, { book_name: 'b' }, { book_name: 'c' }]);
	});
	afterAll(async () => await emulator.close());

	const fields = {
		book_name: textArbitrary,
		book_count: fc.oneof(numberArbitrary, numberArbitrary.map(String)),
		作者: textArbitrary,
		in_stock: fc.oneof(fc.boolean(), fc.constantFrom('true', 'no', 1)),
	};
	const autoMap = { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] };
	const runWith = (parameters: INodeParameters) => (batch: IDataObject[]) =>
		runApaas(emulator, parameters, batch, { node: { onError: 'continueRegularOutput' } });
	const recordIds = () => fc.oneof(fc.constantFrom(...ids), fc.constant('1234'));

	it('create', async () => {
		await fuzz(emulator.server, items(itemArbitrary(fields)), runWith({ operation: 'create', columns: autoMap }));
	});

	it('update (missing, duplicate and invalid IDs)', async () => {
		await fuzz(
			emulator.server,
			items(itemArbitrary(fields, { name: '_id', values: recordIds() })),
			runWith({ operation: 'update', columns: autoMap }),
		);
	});

	it('delete', async () => {
		await fuzz(
			emulator.server,
			items(itemArbitrary({}, { name: '_id', values: recordIds() })),
			runWith({ operation: 'delete', recordId: '={{ $json._id }}' }),
		);
	});

	it('update, fields mapped by expressions against the typed schema, Continue On Fail off', async () => {
		const schema = [
			{ id: '_id', displayName: '_id', type: 'string', required: true, defaultMatch: true, canBeUsedToMatch: true, display: true },
			{ id: 'book_name', displayName: 'book_name', type: 'string', required: false, defaultMatch: false, display: true },
			{ id: 'book_count', displayName: 'book_count', type: 'number', required: false, defaultMatch: false, display: true },
			{ id: 'in_stock', displayName: 'in_stock', type: 'boolean', required: false, defaultMatch: false, display: true },
		];
		const columns = {
			mappingMode: 'defineBelow',
			value: Object.fromEntries(schema.map(({ id }) => [id, `={{ $json["${id}"] }}`])),
			matchingColumns: ['_id'],
			schema,
			attemptToConvertTypes: true,
			convertFieldsToString: false,
		};
		const byId = items(itemArbitrary(fields, { name: '_id', values: recordIds() }));
		await fuzz(emulator.server, byId, (batch) => runApaas(emulator, { operation: 'update', columns }, batch), true);
	});
});

const FUZZ_TABLE: TableSpec = {
	name: 'fuzz_rows',
	columns: [
		{ name: 'email', data_type: 'varchar', is_unique: true },
		{ name: 'name', data_type: 'text' },
		{ name: 'score', data_type: 'int4' },
		{ name: 'ratio', data_type: 'numeric' },
		{ name: 'active', data_type: 'bool' },
		{ name: 'born', data_type: 'date' },
		{ name: 'seen_at', data_type: 'timestamptz' },
		{ name: 'extra', data_type: 'jsonb' },
		{ name: 'tags', data_type: 'text', is_array: true },
	],
};

describe(`fuzzed items, Feishu Data Table (seed ${seed})`, () => {
	let emulator: FeishuDataTableEmulator;
	let env: TestEnvironment;
	let ids: string[];

	beforeAll(async () => {
		emulator = await startFeishuDataTableEmulator();
		emulator.rateLimitPerSecond = 1_000_000;
		await emulator.createTable(WORKSPACE, FUZZ_TABLE);
		ids = await emulator.insertRows(WORKSPACE, FUZZ_TABLE.name, [{ email: 'a@x' }, { email: 'b@x' }, { email: 'c@x' }]);
		env = environment(emulator);
	});
	afterAll(async () => await emulator.close());

	const fields = {
		email: fc.constantFrom('a@x', 'b@x', 'new@x', 'other@x'),
		name: textArbitrary,
		score: fc.oneof(numberArbitrary, numberArbitrary.map(String)),
		ratio: fc.oneof(numberArbitrary, textArbitrary),
		active: fc.oneof(fc.boolean(), fc.constantFrom('true', 'no', 1)),
		born: dateLike,
		seen_at: dateLike,
		extra: fc.dictionary(fc.string({ maxLength: 3 }), textArbitrary, { maxKeys: 2 }),
		tags: fc.array(textArbitrary, { maxLength: 3 }),
	};
	const parameters = async (operation: string, matchingColumns: string[] = [], extra: IDataObject = {}) => {
		const base = { ...target(FUZZ_TABLE.name), operation, ...extra } as INodeParameters;
		return { ...base, columns: await autoMapColumns(env, base, matchingColumns) } as INodeParameters;
	};
	const runWith = (prepared: INodeParameters) => (batch: IDataObject[]) =>
		runDataTable(env, prepared, batch, { onError: 'continueRegularOutput' });

	it('insert', async () => {
		await fuzz(emulator.server, items(itemArbitrary(fields)), runWith(await parameters('insert')));
	});

	it('upsert on a unique column (duplicate keys within one batch)', async () => {
		const prepared = await parameters('upsert', ['email'], { resolution: 'merge-duplicates' });
		await fuzz(emulator.server, items(itemArbitrary(fields)), runWith(prepared));
	});

	it('update by row ID (missing, duplicate and invalid IDs)', async () => {
		const prepared = await parameters('update', [], { updateBy: 'id' });
		await fuzz(
			emulator.server,
			items(itemArbitrary(fields, { name: '_id', values: fc.oneof(fc.constantFrom(...ids), fc.constant('not-a-uuid')) })),
			runWith(prepared),
		);
	});

	it('delete by filter (values with every character a filter must take literally)', async () => {
		const prepared = {
			...target(FUZZ_TABLE.name),
			operation: 'delete',
			filterType: 'conditions',
			combinator: 'and',
			conditions: { condition: [{ column: 'name', operator: 'eq', value: '={{ $json.name }}' }] },
		} as INodeParameters;
		await fuzz(emulator.server, items(itemArbitrary({ name: textArbitrary })), runWith(prepared));
	});

	it('insert, Continue On Fail off', async () => {
		const prepared = await parameters('insert');
		await fuzz(emulator.server, items(itemArbitrary(fields)), (batch) => runDataTable(env, prepared, batch), true);
	});
});
