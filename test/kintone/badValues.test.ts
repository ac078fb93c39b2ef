import { columns, F, runKintone, useKintoneEmulator } from './setup';

/** Creates one record whose NUMBER field gets `value`, with Continue (using error output). */
async function createWithQuantity(kintone: ReturnType<typeof useKintoneEmulator>, value: string) {
	return await runKintone(
		kintone.emulator,
		kintone.sample,
		{ operation: 'create', columns: columns({ [F.quantity]: '={{ $json.quantity }}' }) },
		[{ quantity: value }],
		{ node: { onError: 'continueRegularOutput' } },
	);
}

/** Input mistakes found by the hardening fuzzing: each fails its own item, and says what it got. */
describe('Kintone node: a bad value fails its own item, saying what it got', () => {
	const kintone = useKintoneEmulator();

	it('a record ID that is an object or a list is described as such, not as "[object Object]"', async () => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'update', columns: columns({ $id: '={{ $json.id }}', [F.text]: 'x' }, { matchingColumns: ['$id'] }) },
			[{ id: { nested: 1 } }, { id: [{}] }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		const messages = result.outputs[0].map((item) => String(item.json.error));
		expect(messages[0]).toBe('"$id" must be a record ID (a positive whole number), got an object');
		expect(messages[1]).toBe('"$id" must be a record ID (a positive whole number), got a list');
		expect(kintone.emulator.server.requests.filter((request) => request.method === 'PUT')).toHaveLength(0);
	});

	it('names a field by its label and code when they differ, and once when they are the same', async () => {
		const stopped = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'update', columns: columns({ $id: '1', [F.text]: '={{ $json.text }}' }, { matchingColumns: ['$id'] }) },
			[{ text: { nested: 1 } }],
		);
		expect(stopped.error?.message).toBe(`Item 0: "單行文字方塊" (${F.text}) needs text, got an object`);

		const keyless = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'upsert', columns: columns({ [F.code]: '={{ $json.code }}' }, { matchingColumns: [F.code] }) },
			[{ code: '' }],
			{ node: { onError: 'continueRegularOutput' } },
		);
		expect(keyless.outputs[0][0].json.error).toBe(`"Code" (${F.code}) is empty, so no record can be matched by it`);

		// 数量 is labelled 数量: named once.
		expect((await createWithQuantity(kintone, 'many')).outputs[0][0].json.error).toBe(`"${F.quantity}" needs a number, got "many"`);
		expect(kintone.emulator.server.requests.filter((request) => request.method !== 'GET')).toHaveLength(0);
	});

	it('a long value in a message is cut between characters, never inside an emoji', async () => {
		const result = await createWithQuantity(kintone, `${'x'.repeat(39)}😀 and more`);

		expect(result.outputs[0][0].json.error).toBe(`"${F.quantity}" needs a number, got "${'x'.repeat(39)}😀…"`);
	});

	it('so is an Expected Revision that is not a number', async () => {
		const [id] = kintone.emulator.seedRecords(kintone.sample.app, [{ [F.code]: { value: 'A' } }]);
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'delete', recordId: id, options: { revision: '={{ $json.revision }}' } },
			[{ revision: { value: 3 } }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(result.outputs[0][0].json.error).toBe('Expected Revision must be a revision number (or empty), got an object');
	});

	it('dates: each day of the calendar is sent, leap days included; a day that does not exist fails its item', async () => {
		const dates = ['2024-02-29', '2000-02-29', '2024-2-9', '2024/12/31 23:59', '2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '0099-01-01'];
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}', [F.date]: '={{ $json.date }}' }) },
			dates.map((date, index) => ({ code: `D-${index}`, date })),
			{ node: { onError: 'continueRegularOutput' } },
		);

		const [post] = kintone.emulator.server.requests.filter((request) => request.method === 'POST');
		const sent = (post.body as { records: Array<Record<string, { value: string }>> }).records.map((record) => record[F.date].value);
		expect(sent).toEqual(['2024-02-29', '2000-02-29', '2024-02-09', '2024-12-31']);
		const errors = result.outputs[0].map((item) => item.json.error);
		expect(errors.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
		expect(kintone.emulator.records(kintone.sample.app).map(({ record }) => record[F.date].value)).toEqual(sent);
		for (const [index, date] of dates.entries()) {
			if (index >= 4) expect(errors[index]).toBe(`"${F.date}" needs a date like 2024-05-31 (a day that exists), got "${date}"`);
		}
	});
});

describe('Kintone node: checks that hold for any input (data safety)', () => {
	const kintone = useKintoneEmulator();

	/** Time to refuse a NUMBER value, through the engine, with Continue (using error output). */
	async function timeToRefuse(value: string): Promise<number> {
		const started = performance.now();
		const result = await createWithQuantity(kintone, value);
		expect(String(result.outputs[0][0].json.error)).toContain(`"${F.quantity}" needs a number`);
		return performance.now() - started;
	}

	it('a NUMBER check takes linear time: 200,000 digits and an "x" are refused about as fast as a short value', async () => {
		await timeToRefuse('12x');
		const short = Math.min(await timeToRefuse('12x'), await timeToRefuse('12x'));
		const long = await timeToRefuse(`${'1'.repeat(200_000)}x`);
		// A backtracking check takes seconds on this input (about 8 s for 100,000 digits); a linear
		// one adds a few milliseconds to the run. Compared with the short value, not timed absolutely.
		expect(long).toBeLessThan(short * 5 + 200);
		expect(kintone.emulator.server.requests.filter((request) => request.method === 'POST')).toHaveLength(0);
	});

	it('dates are checked, not rolled over: February 30th and 25:00 fail their item, kintone\'s short DATE forms are completed', async () => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}', [F.date]: '={{ $json.date }}', [F.dateTime]: '={{ $json.dateTime }}' }) },
			[
				{ code: 'a', dateTime: '2024-02-30T10:00:00Z' },
				{ code: 'b', dateTime: '2024-03-01T25:00:00Z' },
				{ code: 'c', date: '2024' },
				{ code: 'd', date: '2024-5' },
				{ code: 'e', date: '2024-5-3', dateTime: '2024-02-29 23:30' },
			],
			{ node: { onError: 'continueRegularOutput' } },
		);

		const [output] = result.outputs;
		expect(output[0].json.error).toBe(`"${F.dateTime}" needs a date and time like 2024-05-31T09:30:00Z (a day and time that exist), got "2024-02-30T10:00:00Z"`);
		expect(output[0].json.details).toMatchObject({ itemIndex: 0, outcome: 'notSent', fields: [F.dateTime] });
		expect(output[1].json.details).toMatchObject({ itemIndex: 1, outcome: 'notSent', fields: [F.dateTime] });
		const stored = kintone.emulator.records(kintone.sample.app).map((record) => [record.record[F.code].value, record.record[F.date].value, record.record[F.dateTime].value]);
		expect(stored).toEqual([
			['c', '2024-01-01', ''],
			['d', '2024-05-01', ''],
			['e', '2024-05-03', '2024-02-29T23:30:00Z'],
		]);
	});

	it('a subtable cell named like an inherited property ("constructor") is not a column of the table', async () => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: 'x', [F.table]: '={{ $json.rows }}' }) },
			[{ rows: [{ constructor: 'x' }] }, { rows: [{ toString: 'x' }] }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(result.outputs[0].map((item) => item.json.error)).toEqual([
			`"constructor" is not a field of the table "${F.table}"`,
			`"toString" is not a field of the table "${F.table}"`,
		]);
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(0);
	});

	it('Map Automatically: an input field the app does not have is named on the item and in a hint; fields kintone fills are skipped quietly', async () => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns(null, { mappingMode: 'autoMapInputData' }) },
			[{ [F.code]: 'a', [`${F.note} `]: 'trailing space', [F.recordNumber]: '7' }],
		);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0][0].json._ignoredFields).toEqual([`${F.note} `]);
		const [hint] = result.run.data.resultData.runData['Node Under Test'][0].hints ?? [];
		expect(hint.message).toContain(`Not written: input field "${F.note} " is not a field of app ${kintone.sample.app} (in 1 of 1 items).`);
	});
});
