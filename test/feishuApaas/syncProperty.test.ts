import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { chooseSeed } from '../hardening/chaos';
import { NS, useFeishuApaasEmulator } from './setup';
import { PRODUCTS, defineProducts, jsonOf, mirrorParameters, revisions, runSync, syncParameters, writeRequests } from './syncSetup';

/**
 * Sync against random states: whatever the object holds and whatever the items want, after one
 * Sync the object holds what the items say (on the fields they map), records in scope that no item
 * names are gone (with the mirror), everything else is untouched, records that needed no change
 * were not written, and a second identical Sync writes nothing.
 */

const seed = chooseSeed();
const KEYS = Array.from({ length: 10 }, (_, index) => `K${index}`);
const REGIONS = ['EMEA', 'APAC'];

/** Values in several forms of a few values, so that items often hold what is stored, written otherwise. */
const VALUES = {
	name: fc.constantFrom(null, '', 'a', 'b'),
	qty: fc.constantFrom(null, 1, '1', '1.0', 2.5, '2.50', 3),
	tags: fc.subarray(['a', 'b', 'c']).chain((tags) => fc.shuffledSubarray(tags, { minLength: tags.length, maxLength: tags.length })),
	region: fc.constantFrom(...REGIONS),
};
type Field = keyof typeof VALUES;
const FIELDS = Object.keys(VALUES) as Field[];

const empty = (value: unknown) => value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/** The test's own idea of "the same stored value", field by field (not the node's compare.ts). */
const SAME: Record<Field, (a: unknown, b: unknown) => boolean> = {
	name: (a, b) => (empty(a) && empty(b)) || a === b,
	region: (a, b) => (empty(a) && empty(b)) || a === b,
	qty: (a, b) => (empty(a) && empty(b)) || (!empty(a) && !empty(b) && Number(a) === Number(b)),
	tags: (a, b) => JSON.stringify([...((a as string[] | null) ?? [])].sort()) === JSON.stringify([...((b as string[] | null) ?? [])].sort()),
};

/** A record's fields, each present or not. */
const record = fc.record(VALUES, { requiredKeys: [] });

/** The value as an item may hold it when it wants what is stored: the same value, written otherwise. */
function otherForm(field: Field, value: unknown): unknown {
	if (field === 'name') return empty(value) ? (value === null ? '' : null) : value;
	if (field === 'qty') return empty(value) ? null : typeof value === 'number' ? (Number.isInteger(value) ? `${value}.0` : `${value}0`) : Number(value);
	if (field === 'tags') return [...((value as string[] | undefined) ?? [])].reverse();
	return value;
}

type Stored = IDataObject & { code: string };

/** What the items want: some stored records (each field left out, the same in another form, or any value) and some new keys. */
function wantedOf(stored: Stored[]): fc.Arbitrary<Stored[]> {
	const existing = fc.subarray(stored).chain((chosen) =>
		fc.tuple(
			...chosen.map((current) =>
				fc
					.record(
						Object.fromEntries(FIELDS.map((field) => [field, fc.oneof(fc.constant(otherForm(field, current[field])), VALUES[field])])) as {
							[F in Field]: fc.Arbitrary<unknown>;
						},
						{ requiredKeys: [] },
					)
					.map((values): Stored => ({ code: current.code, ...(values as IDataObject) })),
			),
		),
	);
	const unused = KEYS.filter((key) => !stored.some((current) => current.code === key));
	const added = fc.subarray(unused, { maxLength: Math.min(3, unused.length) }).chain((keys) => fc.tuple(...keys.map((key) => record.map((values): Stored => ({ code: key, ...values })))));
	return fc
		.tuple(existing, added)
		.chain(([kept, fresh]) => fc.shuffledSubarray([...kept, ...fresh], { minLength: kept.length + fresh.length, maxLength: kept.length + fresh.length }))
		.filter((items) => items.length > 0);
}

const scenario = fc
	.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 8 })
	.chain((keys) => fc.tuple(...keys.map((key) => record.map((values): Stored => ({ code: key, ...values })))))
	.chain((stored) => fc.record({ stored: fc.constant(stored), wanted: wantedOf(stored), mirror: fc.boolean() }));

describe('Feishu aPaaS node: Sync, property-based', () => {
	const apaas = useFeishuApaasEmulator({}, defineProducts);

	it('the object ends as the items say, unchanged records are not written, and a second Sync writes nothing', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async ({ stored, wanted, mirror }) => {
				apaas.emulator.reset();
				defineProducts(apaas.emulator);
				const ids = apaas.emulator.seedRecords(NS, PRODUCTS, stored as IDataObject[]);
				const idOf = new Map(stored.map((values, index) => [values.code, ids[index]]));
				const before = revisions(apaas.emulator);
				const parameters = syncParameters('code', mirror ? mirrorParameters('EMEA') : {});

				const run = await runSync(apaas.emulator, parameters, wanted as IDataObject[], false);
				expect(run.error).toBeUndefined();
				const records = apaas.emulator.records(NS, PRODUCTS);
				const byCode = new Map([...records.values()].map((entry) => [entry.values.code, entry]));
				expect(byCode.size).toBe(records.size);

				// Every item's record holds what it says, on the fields it maps; the rest as before.
				for (const item of wanted) {
					const now = byCode.get(item.code)!;
					expect(now).toBeDefined();
					const was = stored.find((values) => values.code === item.code) as IDataObject | undefined;
					for (const field of FIELDS) {
						const expected = field in item ? item[field] : was?.[field];
						expect([field, SAME[field](now.values[field], expected)]).toEqual([field, true]);
					}
					const needed = !was || FIELDS.some((field) => field in item && !SAME[field](was[field], item[field]));
					if (was) expect(revisions(apaas.emulator).get(now._id) === before.get(now._id)).toBe(!needed);
				}
				// Records no item names: removed when the mirror is on and they were in scope, untouched otherwise.
				const named = new Set(wanted.map((item) => item.code));
				for (const values of stored.filter((entry) => !named.has(entry.code))) {
					const id = idOf.get(values.code)!;
					const inScope = values.region === 'EMEA';
					expect(records.has(id)).toBe(!(mirror && inScope));
					if (records.has(id)) expect(revisions(apaas.emulator).get(id)).toBe(before.get(id));
				}
				expect(jsonOf(run).map((json) => json.sync)).toEqual(
					wanted.map((item) => {
						const was = stored.find((values) => values.code === item.code) as IDataObject | undefined;
						if (!was) return 'created';
						return FIELDS.some((field) => field in item && !SAME[field](was[field], item[field])) ? 'updated' : 'unchanged';
					}),
				);

				const settled = revisions(apaas.emulator);
				apaas.emulator.server.reset();
				const again = await runSync(apaas.emulator, parameters, wanted as IDataObject[], false);
				expect(again.error).toBeUndefined();
				expect(writeRequests(apaas.emulator)).toEqual([]);
				expect(jsonOf(again).every((json) => json.sync === 'unchanged')).toBe(true);
				expect(revisions(apaas.emulator)).toEqual(settled);
			}),
			{ numRuns: 25, seed },
		);
	});
});
