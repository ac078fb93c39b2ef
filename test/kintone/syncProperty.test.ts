import fc from 'fast-check';

import type { RecordedRequest } from '../emulators/server';
import { columns, F, runKintone, useKintoneEmulator } from './setup';

/** A record of the model: text, quantity and check boxes; `inScope` is its region (not mapped, so Sync never changes it). */
interface Model {
	text: string;
	quantity: number;
	boxes: string[];
	inScope: boolean;
}

const isWrite = (request: RecordedRequest) =>
	request.method !== 'GET' && !request.headers['x-http-method-override'] && /\/v1\/(records|bulkRequest)\.json$/.test(request.path);

const model = fc.record({
	text: fc.constantFrom('', 'a', 'b', 'ü 1'),
	quantity: fc.integer({ min: 0, max: 3 }),
	boxes: fc.subarray(['A', 'B', 'C']),
	inScope: fc.boolean(),
});

/** The same value in the forms an item may carry it: a number as number or text ("2.00"), options in any order, as list or text. */
const asItem = (code: string, value: Model) =>
	fc.record({
		quantity: fc.constantFrom(value.quantity, String(value.quantity), `${value.quantity}.00`),
		boxes: fc.shuffledSubarray(value.boxes, { minLength: value.boxes.length }).chain((boxes) => fc.constantFrom<string[] | string>(boxes, boxes.join(', '))),
	}).map(({ quantity, boxes }) => ({ code, text: value.text, quantity, boxes }));

/** Current records (keys K-0..K-11) and the desired state of a random subset of them and of new keys. */
const scenario = fc
	.record({
		current: fc.dictionary(fc.integer({ min: 0, max: 11 }).map((n) => `K-${n}`), model, { maxKeys: 12 }),
		desired: fc.dictionary(fc.integer({ min: 0, max: 15 }).map((n) => `K-${n}`), fc.option(model, { nil: undefined }), { minKeys: 1, maxKeys: 12 }),
		mirror: fc.boolean(),
	})
	// An undefined desired value keeps the current record's values (an unchanged item).
	.chain(({ current, desired, mirror }) => {
		const wanted = Object.entries(desired).map(([code, value]) => [code, value ?? current[code] ?? { text: 'new', quantity: 1, boxes: [], inScope: false }] as const);
		return fc.tuple(...wanted.map(([code, value]) => asItem(code, value))).map((items) => ({
			current,
			desired: Object.fromEntries(wanted),
			items,
			mirror,
		}));
	});

describe('Kintone node: Sync, property-based', () => {
	const kintone = useKintoneEmulator();
	const app = () => kintone.sample.app;
	const parameters = (mirror: boolean) => ({
		operation: 'sync',
		columns: columns(
			{ [F.code]: '={{ $json.code }}', [F.text]: '={{ $json.text }}', [F.quantity]: '={{ $json.quantity }}', [F.checkBox]: '={{ $json.boxes }}' },
			{ matchingColumns: [F.code] },
		),
		...(mirror ? { removeMissing: true, scope: `${F.text2} in ("IN")`, safetyLimit: 'share', maxRemovedShare: 100 } : {}),
	});
	const stored = () =>
		new Map(
			kintone.emulator.records(app()).map((record) => [
				record.record[F.code].value as string,
				{
					revision: record.revision,
					text: record.record[F.text].value,
					quantity: Number(record.record[F.quantity].value),
					boxes: [...(record.record[F.checkBox].value as string[])].sort(),
					inScope: record.record[F.text2].value === 'IN',
				},
			]),
		);

	it('after Sync the app holds the desired state; unchanged records keep their revision; a second Sync writes nothing', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async ({ current, desired, items, mirror }) => {
				kintone.emulator.reset();
				kintone.emulator.seedRecords(
					app(),
					Object.entries(current).map(([code, value]) => ({
						[F.code]: { value: code },
						[F.text]: { value: value.text },
						[F.quantity]: { value: String(value.quantity) },
						[F.checkBox]: { value: value.boxes },
						[F.text2]: { value: value.inScope ? 'IN' : 'OUT' },
					})),
				);
				const before = stored();
				const result = await runKintone(kintone.emulator, kintone.sample, parameters(mirror), items);
				expect(result.error).toBeUndefined();
				const after = stored();

				for (const [code, want] of Object.entries(desired)) {
					const got = after.get(code);
					expect(got).toMatchObject({ text: want.text, quantity: want.quantity, boxes: [...want.boxes].sort() });
					const was = current[code];
					const same = was && was.text === want.text && was.quantity === want.quantity && [...was.boxes].sort().join() === [...want.boxes].sort().join();
					if (same) expect(got!.revision).toBe(before.get(code)!.revision);
				}
				for (const [code, was] of Object.entries(current)) {
					if (code in desired) continue;
					if (mirror && was.inScope) expect(after.has(code)).toBe(false);
					else expect(after.get(code)).toEqual(before.get(code));
				}
				expect(after.size).toBe(Object.keys(desired).length + Object.keys(current).filter((code) => !(code in desired) && !(mirror && current[code].inScope)).length);

				kintone.emulator.server.reset();
				const again = await runKintone(kintone.emulator, kintone.sample, parameters(mirror), items);
				expect(again.outputs[0].every((item) => item.json.sync === 'unchanged')).toBe(true);
				expect(kintone.emulator.server.requests.filter(isWrite)).toEqual([]);
			}),
			{ numRuns: 25 },
		);
	});
});
