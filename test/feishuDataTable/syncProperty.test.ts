import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { TableSpec } from '../emulators/feishuDataTable';
import type { RecordedRequest } from '../emulators/server';
import { chooseSeed } from '../hardening/chaos';
import { WORKSPACE, autoMapColumns, byConditions, condition, run, target, useFeishuDataTableEmulator } from './setup';

/** `stock`: a unique code, columns of four types the items set, and a region the mirror's scope selects. */
const STOCK: TableSpec = {
	name: 'stock',
	columns: [
		{ name: 'code', data_type: 'varchar', is_unique: true, is_allow_null: false },
		{ name: 'qty', data_type: 'int4' },
		{ name: 'price', data_type: 'numeric(10,2)' },
		{ name: 'note', data_type: 'text' },
		{ name: 'seen_at', data_type: 'timestamptz' },
		{ name: 'region', data_type: 'varchar' },
	],
};

const seed = chooseSeed();
// Modest: the file stays well under a minute on a busy 2-core machine.
const RUNS = Number(process.env.SYNC_PROPERTY_RUNS ?? 25);

const CODES = Array.from({ length: 12 }, (_, index) => `C${index}`);
const MAPPED = ['qty', 'price', 'note', 'seen_at'] as const;
type Mapped = (typeof MAPPED)[number];

const qty = fc.integer({ min: 0, max: 30 });
// Two places, no half-cent ties: what numeric(10,2) stores is the value itself.
const price = fc.integer({ min: 0, max: 5000 }).map((cents) => cents / 100);
const note = fc.constantFrom('', 'a', 'b', 'long note', null);
const instant = fc.integer({ min: 0, max: 2000 }).map((minutes) => new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString());

interface Current {
	code: string;
	qty: number;
	price: number;
	note: string | null;
	seen_at: string;
	region: 'A' | 'B';
}

const currentRow = (code: string) =>
	fc.record({ qty, price, note, seen_at: instant, region: fc.constantFrom('A', 'B') }).map((row): Current => ({ code, ...row }) as Current);

/** The same value written another way, as a user's source might hold it. */
const sameWritten: Record<Mapped, (value: unknown) => fc.Arbitrary<unknown>> = {
	qty: (value) => fc.constantFrom(value, String(value)),
	price: (value) => fc.constantFrom(value, (value as number).toFixed(3), String(value)),
	note: (value) => fc.constant(value),
	seen_at: (value) => fc.constantFrom(value, shifted(value as string)),
};

/** The instant with a +08:00 offset instead of Z. */
function shifted(iso: string): string {
	const local = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
	return local;
}

const newValue: Record<Mapped, fc.Arbitrary<unknown>> = { qty, price, note, seen_at: instant };

/** An item for a code: the key and a random non-empty set of mapped columns, each the same (written another way) or new. */
function desiredItem(code: string, current: Current | undefined): fc.Arbitrary<IDataObject> {
	return fc.subarray([...MAPPED], { minLength: 1 }).chain((columns) =>
		fc
			.tuple(...columns.map((column) => (current ? fc.oneof(sameWritten[column](current[column]), newValue[column]) : newValue[column])))
			.map((values) => ({ code, ...Object.fromEntries(columns.map((column, index) => [column, values[index]])) }) as IDataObject),
	);
}

const scenario = fc
	.tuple(fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 10 }), fc.uniqueArray(fc.constantFrom(...CODES), { minLength: 1, maxLength: 10 }), fc.boolean())
	.chain(([existing, named, mirror]) =>
		fc.tuple(fc.tuple(...existing.map(currentRow)), fc.constant(named), fc.constant(mirror)),
	)
	.chain(([current, named, mirror]) => {
		const byCode = new Map(current.map((row) => [row.code, row]));
		return fc.tuple(fc.constant(current), fc.tuple(...named.map((code) => desiredItem(code, byCode.get(code)))), fc.constant(mirror));
	});

/** A stored or sent value as the test's own oracle reads it: numbers as numbers, instants as milliseconds. */
function normalized(column: Mapped, value: unknown): unknown {
	if (value === null || value === undefined) return null;
	if (column === 'qty' || column === 'price') return Number(value);
	if (column === 'seen_at') return Date.parse(value as string);
	return value;
}

const isWrite = (request: RecordedRequest) => request.method !== 'GET' && /\/tables\/stock\/(records|records_batch_update)$/.test(request.path);

describe(`Feishu Data Table: Sync, property-based (seed ${seed})`, () => {
	const dataTable = useFeishuDataTableEmulator([STOCK]);

	it('leaves the table equal to the items on their columns within scope, writes no unchanged row, and a second run writes nothing', async () => {
		dataTable.emulator.rateLimitPerSecond = 100_000;
		const parameters = { ...target(STOCK.name), operation: 'sync' };
		const columns = await autoMapColumns(dataTable.env, parameters, ['code']);
		const mirror = { removeMissing: true, ...byConditions([condition('region', 'eq', 'A')]), maxRemovedShare: 100 };

		await fc.assert(
			fc.asyncProperty(scenario, async ([current, items, mirrored]) => {
				await dataTable.emulator.db.exec(`DELETE FROM "${WORKSPACE}"."${STOCK.name}"`);
				const ids = await dataTable.emulator.insertRows(WORKSPACE, STOCK.name, current as unknown as IDataObject[]);
				const idOf = new Map(current.map((row, index) => [row.code, ids[index]]));
				const before = await dataTable.emulator.rowVersions(WORKSPACE, STOCK.name);
				const sync = { ...parameters, columns, ...(mirrored ? mirror : {}), options: { throttle: false } } as INodeParameters;
				dataTable.emulator.server.reset();

				const result = await run(dataTable.env, sync, items);

				expect(result.error).toBeUndefined();
				const byCode = new Map(current.map((row) => [row.code, row]));
				const changed = (item: IDataObject) => {
					const row = byCode.get(String(item.code))!;
					return MAPPED.some((column) => column in item && normalized(column, item[column]) !== normalized(column, row[column]));
				};
				const expected = items.map((item) => (!byCode.has(String(item.code)) ? 'created' : changed(item) ? 'updated' : 'unchanged'));
				expect(result.outputs[0].map((output) => output.json.sync)).toEqual(expected);

				// The table: each item's row holds its values; rows no item names stay, or go when in scope.
				const after = new Map((await dataTable.emulator.rows(WORKSPACE, STOCK.name)).map((row) => [String(row.code), row]));
				for (const item of items) {
					const row = after.get(String(item.code));
					expect(row).toBeDefined();
					for (const column of MAPPED) {
						if (column in item) expect([item.code, column, normalized(column, row![column])]).toEqual([item.code, column, normalized(column, item[column])]);
					}
				}
				const named = new Set(items.map((item) => String(item.code)));
				const gone = current.filter((row) => mirrored && row.region === 'A' && !named.has(row.code)).map((row) => row.code);
				expect(current.filter((row) => !after.has(row.code)).map((row) => row.code)).toEqual(gone);
				expect((result.outputs[1] ?? []).map((output) => String(output.json.code)).sort()).toEqual(mirrored ? [...gone].sort() : []);

				// Rows without a change were not written, whether named or not.
				const versions = await dataTable.emulator.rowVersions(WORKSPACE, STOCK.name);
				const untouched = current.filter((row) => after.has(row.code) && (!named.has(row.code) || expected[items.findIndex((item) => item.code === row.code)] === 'unchanged'));
				for (const row of untouched) expect([row.code, versions.get(idOf.get(row.code)!)]).toEqual([row.code, before.get(idOf.get(row.code)!)]);

				dataTable.emulator.server.reset();
				const again = await run(dataTable.env, sync, items);
				expect(again.error).toBeUndefined();
				expect(again.outputs[0].map((output) => output.json.sync)).toEqual(items.map(() => 'unchanged'));
				expect(dataTable.emulator.server.requests.filter(isWrite)).toEqual([]);
			}),
			{ numRuns: RUNS, seed },
		);
	});
});
