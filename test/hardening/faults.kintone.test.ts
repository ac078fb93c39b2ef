import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { KintoneApi } from '../../credentials/KintoneApi.credentials';
import { Kintone } from '../../nodes/Kintone/Kintone.node';
import type { KintoneEmulator } from '../emulators/kintone';
import { startKintoneEmulator, tooManyRequests } from '../emulators/kintone';
import type { FaultAction } from '../emulators/server';
import { runNode } from '../harness/workflow';
import type { FaultRates } from './chaos';
import { Chaos, chooseSeed, seededRandom } from './chaos';
import { closeScenario, reconcile } from './ledger';
import { EMPTY_COUNTS, addCounts, finishFile } from './summary';

const RECORDS = 5_000;
const TOKEN = 'hardening-kintone-token';
const TIMEOUT_MS = 500;
const SLOW_MS = 900;

// A request retried after several faults in a row waits out a growing backoff (engine defaults).
jest.setTimeout(180_000);

/**
 * Requests that are never resent (create, upsert, delete) cost no waiting when they fail, so they
 * get more faults; resent ones (update) wait a growing backoff after each.
 */
const SENT_ONCE: FaultRates = { rateLimited: 0.2, serverError: 0.15, resetBeforeHandling: 0.08, resetAfterHandling: 0.08, slowerThanTimeout: 0.03 };
const RESENT: FaultRates = { rateLimited: 0.15, serverError: 0.06, resetBeforeHandling: 0.04, resetAfterHandling: 0.04, slowerThanTimeout: 0.03 };

const seed = chooseSeed();
const random = seededRandom(seed);
let totals = EMPTY_COUNTS;

// kintone refuses a request of 100 as a whole for one bad record, so bad records are rare here.
const BAD_RECORD_RATE = 0.003;

describe(`Kintone under faults: ${RECORDS.toLocaleString('en-US')} records per write operation (seed ${seed})`, () => {
	let emulator: KintoneEmulator;
	let app: number;

	beforeAll(async () => {
		process.stdout.write(`Kintone fault scenarios: seed ${seed} (HARDENING_SEED=${seed} replays them)\n`);
		emulator = await startKintoneEmulator();
		app = emulator.addApp({
			name: 'hardening',
			fields: {
				レコード番号: { type: 'RECORD_NUMBER' },
				code: { type: 'SINGLE_LINE_TEXT', unique: true },
				marker: { type: 'SINGLE_LINE_TEXT' },
				qty: { type: 'NUMBER', minValue: '0' },
			},
		});
		emulator.addApiToken(TOKEN, [app]);
	});
	afterAll(async () => {
		await emulator.close();
		finishFile('faults.kintone', totals);
	});
	beforeEach(() => emulator.reset());

	/** Runs one write operation under a fresh fault mix and waits for delayed requests to land. */
	async function underFaults(parameters: INodeParameters, items: IDataObject[], rates: FaultRates) {
		const chaos = new Chaos({
			random,
			rates,
			match: (request) => request.method !== 'GET' && request.path.endsWith('/records.json'),
			rateLimitReply: (seconds) => {
				const reply = (tooManyRequests() as Extract<FaultAction, { kind: 'respond' }>).reply;
				return { ...reply, headers: { ...reply.headers, 'Retry-After': String(seconds) } };
			},
			slowMs: SLOW_MS,
		});
		chaos.install(emulator.server);
		const run = await runNode(
			{ nodeTypes: [new Kintone()], credentialTypes: [new KintoneApi()], credentials: { kintoneApi: { domain: 'custom', baseUrl: emulator.url, authentication: 'apiToken', apiToken: TOKEN } } },
			{
				type: 'kintone',
				parameters: {
					resource: 'record',
					app: { __rl: true, mode: 'id', value: String(app) },
					...parameters,
					options: { timeout: TIMEOUT_MS, concurrency: 4, ...(parameters.options as IDataObject) },
				},
				credentialTypes: ['kintoneApi'],
				onError: 'continueRegularOutput',
			},
			items,
		);
		await chaos.stop();
		return { run, chaos };
	}

	const autoMap = (matchingColumns: string[] = []) => ({
		mappingMode: 'autoMapInputData',
		value: null,
		matchingColumns,
		schema: [],
	});
	const isBad = () => random() < BAD_RECORD_RATE;

	function seed5000(prefix: string): string[] {
		const records = Array.from({ length: RECORDS }, (_, index) => ({
			code: { value: `${prefix}-${index}` },
			marker: { value: 'seeded' },
			qty: { value: '1' },
		}));
		const ids: string[] = [];
		for (let start = 0; start < records.length; start += 100) ids.push(...emulator.seedRecords(app, records.slice(start, start + 100)));
		return ids;
	}

	/**
	 * Create, with or without a key: "code" has "Prohibit duplicate values" on, so with it set a lost
	 * answer is read back by it and nothing is left unknown.
	 */
	async function createScenario(keyed: boolean) {
		const bad = new Set<number>();
		const items = Array.from({ length: RECORDS }, (_, index) => {
			if (isBad()) bad.add(index);
			const item = { marker: `${keyed ? 'keyed' : 'create'}-${seed}-${index}`, qty: bad.has(index) ? -1 : index };
			return keyed ? { code: `key-${seed}-${index}`, ...item } : item;
		});

		const { run, chaos } = await underFaults({ operation: 'create', columns: autoMap() }, items, SENT_ONCE);

		const byMarker = new Map<string, string[]>();
		for (const record of emulator.records(app)) {
			const marker = String(record.record.marker?.value);
			byMarker.set(marker, [...(byMarker.get(marker) ?? []), record.id]);
		}
		const result = reconcile(run, RECORDS, (index) => byMarker.get(items[index].marker)?.length ?? 0, {
			idempotent: false,
			checkSuccess: (json, index) =>
				json.id === byMarker.get(items[index].marker)?.[0] ? undefined : `its id ${String(json.id)} is not the record's`,
		});
		totals = addCounts(totals, closeScenario(keyed ? 'kintone create with unique key' : 'kintone create', seed, chaos, result, bad.size));
		if (keyed) expect(result.unknown).toBe(0);
		for (const index of bad) expect(run.outputs[0][index].json.error).toBeDefined();
	}

	it('create: every record is written once or reported as not written or unknown', async () => await createScenario(false));

	it('create with a unique key: every record is written once or reported as not written; none is left unknown', async () => await createScenario(true));

	it('update by record ID: every change lands or is reported as not written or unknown', async () => {
		const ids = seed5000('update');
		const bad = new Set<number>();
		const items = ids.map((id, index) => {
			if (isBad()) bad.add(index);
			return { $id: id, marker: `update-${seed}-${index}`, qty: bad.has(index) ? -1 : index };
		});

		const { run, chaos } = await underFaults({ operation: 'update', columns: autoMap(['$id']) }, items, RESENT);

		const writes = (index: number) => Number(emulator.record(app, ids[index])!.revision) - 1;
		const result = reconcile(run, RECORDS, writes, {
			idempotent: true,
			checkSuccess: (_json, index) =>
				emulator.record(app, ids[index])!.record.marker?.value === items[index].marker ? undefined : 'but the record has another value',
		});
		totals = addCounts(totals, closeScenario('kintone update', seed, chaos, result, bad.size));
	});

	it('upsert by update key: every record is added or changed, or reported as not written; a lost answer is resent, none is left unknown', async () => {
		seed5000('upsert');
		const bad = new Set<number>();
		// Even items change seeded records, odd ones add records.
		const items = Array.from({ length: RECORDS }, (_, index) => {
			if (isBad()) bad.add(index);
			const code = index % 2 === 0 ? `upsert-${index}` : `new-${index}`;
			return { code, marker: `upsert-${seed}-${index}`, qty: bad.has(index) ? -1 : index };
		});

		const { run, chaos } = await underFaults({ operation: 'upsert', columns: autoMap(['code']) }, items, SENT_ONCE);

		const byCode = new Map(emulator.records(app).map((record) => [String(record.record.code?.value), record]));
		const writes = (index: number) => {
			const record = byCode.get(items[index].code);
			if (!record) return 0;
			// A seeded record starts at revision 1; an added one is at 1 after its first write.
			return Number(record.revision) - (index % 2 === 0 ? 1 : 0);
		};
		const result = reconcile(run, RECORDS, writes, {
			// By update key, a resend after a lost answer lands on the same record with the same values.
			idempotent: true,
			checkSuccess: (json, index) => {
				const record = byCode.get(items[index].code);
				if (record?.record.marker?.value !== items[index].marker) return 'but the record has another value';
				if (json._answerLost === true && json.operation === 'inserted or updated') return undefined;
				return json.operation === (index % 2 === 0 ? 'updated' : 'inserted') ? undefined : `as ${String(json.operation)}`;
			},
		});
		totals = addCounts(totals, closeScenario('kintone upsert by update key', seed, chaos, result, bad.size));
		expect(result.unknown).toBe(0);
	});

	it('delete: every record is gone once reported deleted, and still there when reported not deleted', async () => {
		const ids = seed5000('delete');
		const bad = new Set<number>();
		const items = ids.map((id, index) => {
			if (isBad()) bad.add(index);
			// A record ID that does not exist: kintone refuses the request it is in.
			return { id: bad.has(index) ? String(900_000 + index) : id };
		});

		const { run, chaos } = await underFaults({ operation: 'delete', recordId: '={{ $json.id }}' }, items, SENT_ONCE);

		const result = reconcile(
			run,
			RECORDS,
			(index) => (bad.has(index) || emulator.record(app, ids[index]) ? 0 : 1),
			{ idempotent: false },
		);
		// Records of bad items are never deleted (their own ID was not sent).
		totals = addCounts(totals, closeScenario('kintone delete', seed, chaos, result, bad.size));
	});
});
