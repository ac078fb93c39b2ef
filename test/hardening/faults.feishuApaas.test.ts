import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import { startFeishuApaasEmulator } from '../emulators/feishuApaas';
import { NS, OBJ, defineBooks, runApaas } from '../feishuApaas/setup';
import type { FaultRates } from './chaos';
import { Chaos, chooseSeed, seededRandom } from './chaos';
import { closeScenario, reconcile } from './ledger';
import { EMPTY_COUNTS, addCounts, finishFile } from './summary';

const RECORDS = 5_000;
const TIMEOUT_MS = 500;
const SLOW_MS = 900;
// Feishu answers per record, so a bad record fails alone.
const BAD_RECORD_RATE = 0.1;

// A request retried after several faults in a row waits out a growing backoff (engine defaults).
jest.setTimeout(180_000);

/**
 * Small batches (50, or 20 for create): many requests, so many faults, each hitting few records.
 * Creates are never resent, so their faults cost no waiting and they get more; updates and deletes
 * are resent after a growing backoff.
 */
const SENT_ONCE: FaultRates = {
	rateLimited: 0.25,
	serverError: 0.15,
	resetBeforeHandling: 0.08,
	resetAfterHandling: 0.08,
	slowerThanTimeout: 0.015,
	tokenExpired: 0.03,
};
const RESENT: FaultRates = {
	rateLimited: 0.2,
	serverError: 0.06,
	resetBeforeHandling: 0.04,
	resetAfterHandling: 0.04,
	slowerThanTimeout: 0.015,
	tokenExpired: 0.02,
};

const seed = chooseSeed();
const random = seededRandom(seed);
let totals = EMPTY_COUNTS;

describe(`Feishu aPaaS under faults: ${RECORDS.toLocaleString('en-US')} records per write operation (seed ${seed})`, () => {
	let emulator: FeishuApaasEmulator;

	beforeAll(async () => {
		process.stdout.write(`Feishu aPaaS fault scenarios: seed ${seed} (HARDENING_SEED=${seed} replays them)\n`);
		emulator = await startFeishuApaasEmulator();
	});
	afterAll(async () => {
		await emulator.close();
		finishFile('faults.feishuApaas', totals);
	});
	beforeEach(() => {
		emulator.reset();
		// Only the injected 429s: the emulator's own limiter would add more, unseeded.
		emulator.setRateLimits([{ limit: 1_000_000, intervalMs: 1000 }]);
		defineBooks(emulator);
	});

	async function underFaults(parameters: INodeParameters, items: IDataObject[], rates: FaultRates, batchSize = 50, options: IDataObject = {}) {
		const chaos = new Chaos({
			random,
			rates,
			match: (request) => request.path.includes('/records/batch_'),
			rateLimitReply: (seconds) => ({
				status: 429,
				headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(seconds) },
				body: { code: 99991400, msg: 'request trigger frequency limit' },
			}),
			slowMs: SLOW_MS,
			expireTokens: () => emulator.expireTokens(),
		});
		chaos.install(emulator.server);
		const run = await runApaas(
			emulator,
			{ ...parameters, options: { batchSize, throttle: false, timeout: TIMEOUT_MS, ...options } },
			items,
			{ node: { onError: 'continueRegularOutput' } },
		);
		await chaos.stop();
		return { run, chaos };
	}

	const autoMap = { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] };
	const isBad = () => random() < BAD_RECORD_RATE;
	const seedBooks = () =>
		emulator.seedRecords(NS, OBJ, Array.from({ length: RECORDS }, (_, index) => ({ book_name: 'seeded', book_count: index })));

	/**
	 * Create, with or without a key: with it, "book_name" is set to unique in the object and named as
	 * Unique Field for Lost Answers, so a lost answer is read back by it and nothing is left unknown.
	 */
	async function createScenario(keyed: boolean) {
		if (keyed) {
			emulator.defineObject(NS, OBJ, [
				{ api_name: 'book_name', type: 'text', unique: true },
				{ api_name: 'book_count', type: 'number' },
			]);
		}
		const bad = new Set<number>();
		const items = Array.from({ length: RECORDS }, (_, index) => {
			if (isBad()) bad.add(index);
			return { book_name: `${keyed ? 'keyed' : 'create'}-${seed}-${index}`, book_count: bad.has(index) ? 'not a number' : index };
		});

		const { run, chaos } = await underFaults({ operation: 'create', columns: autoMap }, items, SENT_ONCE, 20, keyed ? { uniqueField: 'book_name' } : {});

		const byName = new Map<string, string[]>();
		for (const record of emulator.records(NS, OBJ).values()) {
			const name = String(record.values.book_name);
			byName.set(name, [...(byName.get(name) ?? []), record._id]);
		}
		const result = reconcile(run, RECORDS, (index) => byName.get(items[index].book_name)?.length ?? 0, {
			idempotent: false,
			checkSuccess: (json, index) =>
				json._id === byName.get(items[index].book_name)?.[0] ? undefined : `its _id ${String(json._id)} is not the record's`,
		});
		totals = addCounts(totals, closeScenario(keyed ? 'feishu aPaaS create with unique key' : 'feishu aPaaS create', seed, chaos, result, bad.size));
		if (keyed) expect(result.unknown).toBe(0);
		for (const index of bad) expect(run.outputs[0][index].json.details).toMatchObject({ outcome: keyed ? 'failed' : expect.any(String) });
	}

	it('create: every record is written once or reported as not written or unknown', async () => await createScenario(false));

	it('create with a unique key: every record is written once or reported as not written; none is left unknown', async () => await createScenario(true));

	it('update: every change lands or is reported as not written or unknown', async () => {
		const ids = seedBooks();
		const bad = new Set<number>();
		const items = ids.map((_id, index) => {
			if (isBad()) bad.add(index);
			return { _id, book_name: `update-${seed}-${index}`, book_count: bad.has(index) ? 'not a number' : index + 1 };
		});

		const { run, chaos } = await underFaults({ operation: 'update', columns: autoMap }, items, RESENT);

		const records = emulator.records(NS, OBJ);
		const result = reconcile(run, RECORDS, (index) => records.get(ids[index])!.writes, {
			idempotent: true,
			checkSuccess: (_json, index) =>
				records.get(ids[index])!.values.book_name === items[index].book_name ? undefined : 'but the record has another value',
		});
		totals = addCounts(totals, closeScenario('feishu aPaaS update', seed, chaos, result, bad.size));
	});

	it('delete: every record is gone once reported deleted, and still there when reported not deleted', async () => {
		const ids = seedBooks();
		const bad = new Set<number>();
		const items = ids.map((_id, index) => {
			if (isBad()) bad.add(index);
			return { _id: bad.has(index) ? String(1000 + index) : _id };
		});

		const { run, chaos } = await underFaults({ operation: 'delete', recordId: '={{ $json._id }}' }, items, RESENT);

		const records = emulator.records(NS, OBJ);
		const result = reconcile(run, RECORDS, (index) => (bad.has(index) || records.has(ids[index]) ? 0 : 1), {
			idempotent: true,
		});
		totals = addCounts(totals, closeScenario('feishu aPaaS delete', seed, chaos, result, bad.size));
	});
});
