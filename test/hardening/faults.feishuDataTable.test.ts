import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FeishuDataTableEmulator, TableSpec } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { WORKSPACE, environment, run, target } from '../feishuDataTable/setup';
import type { FaultRates } from './chaos';
import { Chaos, chooseSeed, seededRandom } from './chaos';
import { closeScenario, reconcile } from './ledger';
import { EMPTY_COUNTS, addCounts, finishFile } from './summary';

const RECORDS = 5_000;
const TIMEOUT_MS = 3_000;
const SLOW_MS = 3_300;
// A refused request of 500 rows is split in halves to find the bad row: a few bad rows cost many requests.
const BAD_ROWS = 2;
// Delete by filter: one item per group of rows.
const ROWS_PER_GROUP = 200;

// A request retried after several faults in a row waits out a growing backoff (engine defaults).
jest.setTimeout(180_000);

/** Inserts are never resent, so their faults cost no waiting; the other writes are resent after a backoff. */
const SENT_ONCE: FaultRates = {
	rateLimited: 0.2,
	serverError: 0.12,
	resetBeforeHandling: 0.08,
	resetAfterHandling: 0.08,
	slowerThanTimeout: 0.02,
	tokenExpired: 0.04,
};
const RESENT: FaultRates = {
	rateLimited: 0.15,
	serverError: 0.06,
	resetBeforeHandling: 0.04,
	resetAfterHandling: 0.04,
	slowerThanTimeout: 0.02,
	tokenExpired: 0.04,
};

const seed = chooseSeed();
const random = seededRandom(seed);
let totals = EMPTY_COUNTS;

const TABLE: TableSpec = {
	name: 'hardening_rows',
	columns: [
		// Unique, and nullable: rows without it have no key but the platform's _id.
		{ name: 'email', data_type: 'varchar', is_unique: true },
		{ name: 'marker', data_type: 'text' },
		{ name: 'score', data_type: 'int4' },
		{ name: 'grp', data_type: 'int4' },
	],
};

interface AuditRow {
	row_id: string;
	op: 'INSERT' | 'UPDATE' | 'DELETE';
	marker: string | null;
}

describe(`Feishu Data Table under faults: ${RECORDS.toLocaleString('en-US')} rows per write operation (seed ${seed})`, () => {
	let emulator: FeishuDataTableEmulator;

	beforeAll(async () => {
		process.stdout.write(`Feishu Data Table fault scenarios: seed ${seed} (HARDENING_SEED=${seed} replays them)\n`);
		emulator = await startFeishuDataTableEmulator();
	});
	afterAll(async () => {
		await emulator.close();
		finishFile('faults.feishuDataTable', totals);
	});
	beforeEach(async () => {
		await emulator.reset();
		emulator.rateLimitPerSecond = 1_000_000;
		await emulator.createTable(WORKSPACE, TABLE);
		// Every write to a row, as the database applied it: the count of writes per row and marker.
		await emulator.db.exec(`
			DROP TABLE IF EXISTS public.audit;
			CREATE TABLE public.audit (row_id uuid, op text, marker text);
			CREATE OR REPLACE FUNCTION public.audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF TG_OP = 'DELETE' THEN INSERT INTO public.audit VALUES (OLD._id, TG_OP, OLD.marker);
				ELSE INSERT INTO public.audit VALUES (NEW._id, TG_OP, NEW.marker); END IF;
				RETURN NULL;
			END $$;
			CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "${WORKSPACE}"."${TABLE.name}"
				FOR EACH ROW EXECUTE FUNCTION public.audit_row();
		`);
	});

	async function audit(): Promise<AuditRow[]> {
		return (await emulator.db.query<AuditRow>('SELECT row_id::text AS row_id, op, marker FROM public.audit')).rows;
	}

	async function seedRows(prefix: string): Promise<string[]> {
		const rows = Array.from({ length: RECORDS }, (_, index) => ({
			email: `${prefix}-${index}@x`,
			marker: 'seeded',
			score: index,
			grp: Math.floor(index / ROWS_PER_GROUP),
		}));
		const ids = await emulator.insertRows(WORKSPACE, TABLE.name, rows);
		await emulator.db.exec('TRUNCATE public.audit');
		return ids;
	}

	async function underFaults(parameters: INodeParameters, items: IDataObject[], rates: FaultRates) {
		const chaos = new Chaos({
			random,
			rates,
			match: (request) => request.method !== 'GET' && /\/records(_batch_update)?$/.test(request.path),
			rateLimitReply: (seconds) => ({
				status: 429,
				headers: { 'x-ogw-ratelimit-limit': '10', 'x-ogw-ratelimit-reset': String(seconds) },
				body: { code: 99991400, msg: 'request trigger frequency limit' },
			}),
			slowMs: SLOW_MS,
			expireTokens: () => emulator.expireAccessTokens(),
		});
		chaos.install(emulator.server);
		const result = await run(
			environment(emulator),
			{ ...target(TABLE.name), ...parameters, options: { ...(parameters.options as IDataObject), timeout: TIMEOUT_MS } },
			items,
			{ onError: 'continueRegularOutput' },
		);
		await chaos.stop();

		return { run: result, chaos };
	}

	const autoMap = (matchingColumns: string[] = []) => ({
		mappingMode: 'autoMapInputData',
		value: null,
		matchingColumns,
		schema: TABLE.columns.map((column) => ({ id: column.name })).concat([{ id: '_id' }]),
	});
	const badIndexes = () => new Set(Array.from({ length: BAD_ROWS }, () => Math.floor(random() * RECORDS)));
	/** How often the audit shows a write carrying each marker. */
	const writesByMarker = (rows: AuditRow[], ops: Array<AuditRow['op']>) => {
		const counts = new Map<string, number>();
		for (const row of rows) if (ops.includes(row.op) && row.marker) counts.set(row.marker, (counts.get(row.marker) ?? 0) + 1);
		return counts;
	};

	/**
	 * Insert, with or without a key: "email" is unique, so with it set a lost answer is read back by
	 * it and nothing is left unknown; without it the rows have no key and stay unknown.
	 */
	async function insertScenario(keyed: boolean) {
		const bad = badIndexes();
		const items = Array.from({ length: RECORDS }, (_, index) => {
			const item = { marker: `${keyed ? 'keyed' : 'insert'}-${seed}-${index}`, score: bad.has(index) ? 'not a number' : index };
			return keyed ? { email: `insert-${index}@x`, ...item } : item;
		});

		const { run: result, chaos } = await underFaults({ operation: 'insert', columns: autoMap() }, items, SENT_ONCE);

		const rows = await emulator.rows(WORKSPACE, TABLE.name);
		const idByMarker = new Map(rows.map((row) => [String(row.marker), String(row._id)]));
		const inserts = writesByMarker(await audit(), ['INSERT']);
		const outcome = reconcile(result, RECORDS, (index) => inserts.get(items[index].marker) ?? 0, {
			idempotent: false,
			checkSuccess: (json, index) =>
				json._id === idByMarker.get(items[index].marker) ? undefined : `its _id ${String(json._id)} is not the row's`,
		});
		totals = addCounts(totals, closeScenario(keyed ? 'data table insert with unique key' : 'data table insert', seed, chaos, outcome, bad.size));
		if (keyed) expect(outcome.unknown).toBe(0);
		for (const index of bad) expect(result.outputs[0][index].json.error).toBeDefined();
	}

	it('insert: every row is added once or reported as not added or unknown', async () => await insertScenario(false));

	it('insert with a unique key: every row is added once or reported as not added; none is left unknown', async () => await insertScenario(true));

	it('upsert on a unique column: every row is added or changed, or reported as not written; none is left unknown', async () => {
		await seedRows('upsert');
		const bad = badIndexes();
		// Even items change seeded rows, odd ones add rows.
		const items = Array.from({ length: RECORDS }, (_, index) => ({
			email: index % 2 === 0 ? `upsert-${index}@x` : `new-${index}@x`,
			marker: `upsert-${seed}-${index}`,
			score: bad.has(index) ? 'not a number' : -index,
		}));

		const { run: result, chaos } = await underFaults(
			{ operation: 'upsert', resolution: 'merge-duplicates', columns: autoMap(['email']) },
			items,
			RESENT,
		);

		const writes = writesByMarker(await audit(), ['INSERT', 'UPDATE']);
		const byEmail = new Map((await emulator.rows(WORKSPACE, TABLE.name)).map((row) => [String(row.email), row]));
		const outcome = reconcile(result, RECORDS, (index) => writes.get(items[index].marker) ?? 0, {
			idempotent: true,
			checkSuccess: (_json, index) =>
				byEmail.get(items[index].email)?.marker === items[index].marker ? undefined : 'but the row has another value',
		});
		totals = addCounts(totals, closeScenario('data table upsert on unique key', seed, chaos, outcome, bad.size));
		expect(outcome.unknown).toBe(0);
	});

	it('update by row ID: every change lands or is reported as not written or unknown', async () => {
		const ids = await seedRows('update');
		const bad = badIndexes();
		const items = ids.map((_id, index) => ({
			_id,
			marker: `update-${seed}-${index}`,
			score: bad.has(index) ? 'not a number' : -index,
		}));

		const { run: result, chaos } = await underFaults({ operation: 'update', updateBy: 'id', columns: autoMap(['_id']) }, items, RESENT);

		const writes = writesByMarker(await audit(), ['UPDATE']);
		const byId = new Map((await emulator.rows(WORKSPACE, TABLE.name)).map((row) => [String(row._id), row]));
		const outcome = reconcile(result, RECORDS, (index) => writes.get(items[index].marker) ?? 0, {
			idempotent: true,
			checkSuccess: (_json, index) => (byId.get(ids[index])?.marker === items[index].marker ? undefined : 'but the row has another value'),
		});
		totals = addCounts(totals, closeScenario('data table update', seed, chaos, outcome, bad.size));
	});

	it(`delete by filter: ${RECORDS / ROWS_PER_GROUP} filters of ${ROWS_PER_GROUP} rows each are deleted whole, or reported as not deleted or unknown`, async () => {
		await seedRows('delete');
		const groups = RECORDS / ROWS_PER_GROUP;
		const bad = new Set(Array.from({ length: 2 }, () => Math.floor(random() * groups)));
		// A bad item filters on a column the table does not have: the service refuses it.
		const items = Array.from({ length: groups }, (_, group) => ({ column: bad.has(group) ? 'no_such_column' : 'grp', group }));

		const { run: result, chaos } = await underFaults(
			{
				operation: 'delete',
				filterType: 'conditions',
				combinator: 'and',
				conditions: { condition: [{ column: '={{ $json.column }}', operator: 'eq', value: '={{ $json.group }}' }] },
			},
			items,
			RESENT,
		);

		const remaining = new Map<number, number>();
		for (const row of await emulator.rows(WORKSPACE, TABLE.name)) remaining.set(Number(row.grp), (remaining.get(Number(row.grp)) ?? 0) + 1);
		const outcome = reconcile(
			result,
			groups,
			(group) => {
				if (bad.has(group)) return remaining.get(group) === ROWS_PER_GROUP ? 0 : 2;
				const left = remaining.get(group) ?? 0;
				// A filter deletes its rows in one statement: all of them or none.
				return left === 0 ? 1 : left === ROWS_PER_GROUP ? 0 : 2;
			},
			{ idempotent: true },
		);
		totals = addCounts(totals, closeScenario('data table delete by filter', seed, chaos, outcome, bad.size));
	});
});
