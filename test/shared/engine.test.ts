import { ExampleEmulator } from '../example/emulator';
import { names, runExample } from '../example/setup';

type Batch = { records: Array<{ id?: string; name: string }> };

const batchOf = (body: unknown) => (body as Batch).records;

describe('shared engine through n8n WorkflowExecute (example node)', () => {
	let emulator: ExampleEmulator;

	beforeAll(async () => {
		emulator = await ExampleEmulator.start();
	});
	afterAll(async () => await emulator.server.close());
	beforeEach(() => {
		emulator.server.reset();
		emulator.records.clear();
	});

	it('sends 1,234 items as 500 + 500 + 234 and returns 1,234 items in order, paired', async () => {
		const result = await runExample(emulator, { operation: 'create', batchSize: 500 }, names(1234));

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(emulator.server.requests.map((request) => batchOf(request.body).length)).toEqual([500, 500, 234]);
		const [output] = result.outputs;
		expect(output).toHaveLength(1234);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.name).toBe(`record ${index}`);
		});
		expect(emulator.records.size).toBe(1234);
	});

	it('retries a 429 after the hinted delay and sends no record twice', async () => {
		emulator.server.inject({
			nth: 2,
			action: {
				kind: 'respond',
				reply: { status: 429, body: { code: 'SLOW_DOWN' }, headers: { 'x-ratelimit-reset': '1' } },
			},
		});

		const result = await runExample(emulator, { operation: 'create', batchSize: 500 }, names(1234));

		expect(result.status).toBe('success');
		const { requests, fates } = emulator.server;
		expect(fates).toEqual(['handled', 'faultReply', 'handled', 'handled']);
		expect(requests[2].receivedAt - requests[1].receivedAt).toBeGreaterThanOrEqual(1000);
		expect(batchOf(requests[2].body)).toEqual(batchOf(requests[1].body));
		const written = [...emulator.records.values()];
		expect(written).toHaveLength(1234);
		expect(new Set(written.map((record) => record.name)).size).toBe(1234);
		expect(result.outputs[0]).toHaveLength(1234);
	});

	it('treats a service code as a rate limit too, retrying without a hint', async () => {
		emulator.server.inject({
			nth: 1,
			times: 2,
			action: { kind: 'respond', reply: { status: 400, body: { code: 'SLOW_DOWN' } } },
		});

		const result = await runExample(emulator, { operation: 'create', batchSize: 10 }, names(10));

		expect(result.status).toBe('success');
		expect(emulator.server.fates).toEqual(['faultReply', 'faultReply', 'handled']);
		expect(emulator.records.size).toBe(10);
	});

	it('does not resend a create that timed out; exactly its items come out as outcome unknown', async () => {
		emulator.server.inject({ nth: 2, action: { kind: 'delay', ms: 1500 } });

		const result = await runExample(
			emulator,
			{ operation: 'create', batchSize: 4, timeout: 500 },
			names(12),
			{ onError: 'continueRegularOutput' },
		);

		expect(result.status).toBe('success');
		expect(emulator.server.requests).toHaveLength(3);
		const [output] = result.outputs;
		expect(output).toHaveLength(12);
		const unknown = output.filter((item) => item.json.error);
		expect(unknown.map((item) => item.pairedItem)).toEqual([4, 5, 6, 7].map((item) => ({ item })));
		for (const item of unknown) {
			expect(item.json.details).toMatchObject({ outcome: 'unknown' });
			expect(String(item.json.error)).toMatch(/may or may not have applied/);
		}
		// The service did apply the slow batch after the client gave up: reported as unknown, not as failed.
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect(emulator.records.size).toBe(12);
	});

	it('retries an idempotent update whose connection dropped after the service applied it', async () => {
		const created = await runExample(emulator, { operation: 'create', batchSize: 100 }, names(6));
		const ids = created.outputs[0].map((item) => ({ id: item.json.id, name: `renamed ${item.json.id}` }));
		emulator.server.reset();
		emulator.server.inject({ nth: 1, action: { kind: 'resetAfterHandling' } });

		const result = await runExample(emulator, { operation: 'update', batchSize: 100 }, ids);

		expect(result.status).toBe('success');
		expect(emulator.server.fates).toEqual(['resetAfterHandling', 'handled']);
		expect(result.outputs[0].every((item) => !item.json.error)).toBe(true);
		expect([...emulator.records.values()].every((record) => record.name.startsWith('renamed'))).toBe(true);
	});

	it('an update applied by an attempt whose answer was lost stays "unknown" when later attempts run out of budget', async () => {
		const created = await runExample(emulator, { operation: 'create', batchSize: 100 }, names(3));
		const renamed = created.outputs[0].map((item) => ({ id: item.json.id, name: `renamed ${item.json.id}` }));
		emulator.server.reset();
		emulator.server.inject({ nth: 1, action: { kind: 'resetAfterHandling' } });
		// Faults are taken in order: this one sees requests from the second on.
		emulator.server.inject({ times: 2, action: { kind: 'respond', reply: { status: 503, body: {} } } });

		const result = await runExample(emulator, { operation: 'update', batchSize: 100, maxRetries: 2 }, renamed, {
			onError: 'continueRegularOutput',
		});

		expect(emulator.server.fates).toEqual(['resetAfterHandling', 'faultReply', 'faultReply']);
		// The first attempt renamed every record: "failed" (not written) would be untrue.
		expect([...emulator.records.values()].every((record) => record.name.startsWith('renamed'))).toBe(true);
		for (const item of result.outputs[0]) {
			expect(item.json.details).toMatchObject({ outcome: 'unknown' });
			expect(String(item.json.error)).toMatch(/may have been applied/);
		}
	});

	it('a refusal of the resend of a request whose answer was lost does not make it "not written"', async () => {
		const created = await runExample(emulator, { operation: 'create', batchSize: 100 }, names(2));
		const renamed = created.outputs[0].map((item) => ({ id: item.json.id, name: `renamed ${item.json.id}` }));
		emulator.server.reset();
		emulator.server.inject({ nth: 1, action: { kind: 'resetAfterHandling' } });
		// E.g. the token was revoked meanwhile: the resend is refused, the first attempt was applied.
		emulator.server.inject({ action: { kind: 'respond', reply: { status: 403, body: { message: 'Forbidden' } } } });

		const result = await runExample(emulator, { operation: 'update', batchSize: 100 }, renamed, {
			onError: 'continueRegularOutput',
		});

		expect(emulator.server.fates).toEqual(['resetAfterHandling', 'faultReply']);
		expect([...emulator.records.values()].every((record) => record.name.startsWith('renamed'))).toBe(true);
		for (const item of result.outputs[0]) {
			expect(item.json.details).toMatchObject({ outcome: 'unknown', httpCode: '403' });
			expect(String(item.json.error)).toMatch(/may have been applied/);
		}
	});

	it('never sends a value JSON cannot carry exactly: a lone surrogate, NaN or Infinity fails its item, named', async () => {
		const items = [
			{ name: 'fine 😀' },
			{ name: 'half an emoji \uD83D' },
			{ name: 'not a number', score: Number.NaN },
			{ name: 'too big', tags: [1, Number.POSITIVE_INFINITY] },
			{ name: 'bad key', nested: { ['\uDE00']: 1 } },
			{ name: 'deep', rows: [{ a: 'ok' }, { b: 'x\uDC00' }] },
			{ name: 'whole emoji key', nested: { ['😀']: 'fine' } },
		];

		const result = await runExample(emulator, { operation: 'create', batchSize: 10 }, items, {
			onError: 'continueRegularOutput',
		});

		const [output] = result.outputs;
		expect(output[0].json).toMatchObject({ name: 'fine 😀' });
		expect(output.slice(1).map((item) => item.json.details)).toEqual([
			expect.objectContaining({ outcome: 'notSent', fields: ['name'] }),
			expect.objectContaining({ outcome: 'notSent', fields: ['score'] }),
			expect.objectContaining({ outcome: 'notSent', fields: ['tags[1]'] }),
			expect.objectContaining({ outcome: 'notSent', fields: ['nested'] }),
			expect.objectContaining({ outcome: 'notSent', fields: ['rows[1].b'] }),
			undefined,
		]);
		expect(String(output[1].json.error)).toMatch(/"name" contains an unpaired UTF-16 surrogate/);
		expect(String(output[2].json.error)).toMatch(/"score" is NaN/);
		expect(emulator.server.requests.map((request) => batchOf(request.body).map((record) => record.name))).toEqual([
			['fine 😀', 'whole emoji key'],
		]);
	});

	it("keeps a service's error message readable: no half emoji, and not thousands of characters", async () => {
		const name = `bad 😀😀😀 ${'x'.repeat(5_000)}`;

		const result = await runExample(emulator, { operation: 'create', batchSize: 10 }, [{ name }], {
			onError: 'continueRegularOutput',
		});

		const { error, message } = result.outputs[0][0].json as { error: string; message: string };
		for (const text of [error, message]) {
			expect(text).toMatch(/^Name "bad 😀😀\uFFFD" is not allowed: bad 😀😀😀 x+…$/);
			expect([...text].length).toBeLessThanOrEqual(1_000);
		}
	});

	it('with Continue On Fail off, stops at the failing record and names its item', async () => {
		const items = names(30);
		items[17] = { name: 'bad' };

		const result = await runExample(emulator, { operation: 'create', batchSize: 10 }, items);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Item 17 (name bad) [REJECTED]: Name "bad" is not allowed');
		expect(result.error?.description).toMatch(/^19 of 30 records were written\. 10 were not sent\./);
		expect(emulator.server.requests).toHaveLength(2);
	});

	it('routes failed records to the error output with their input data when "continueErrorOutput" is set', async () => {
		const items = names(5);
		items[3] = { name: 'bad', extra: 'kept' };

		const result = await runExample(emulator, { operation: 'create', batchSize: 10 }, items, {
			onError: 'continueErrorOutput',
		});

		expect(result.status).toBe('success');
		const [success, errors] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([0, 1, 2, 4].map((item) => ({ item })));
		expect(errors).toHaveLength(1);
		expect(errors[0].json).toMatchObject({
			name: 'bad',
			extra: 'kept',
			error: 'Name "bad" is not allowed',
			details: { itemIndex: 3, outcome: 'failed', code: 'REJECTED', record: 'name bad' },
		});
	});

	it('never sends anything when an item is invalid and Continue On Fail is off', async () => {
		const items = names(8);
		items[5] = { name: 42 };

		const result = await runExample(emulator, { operation: 'create', batchSize: 3 }, items);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Item 5: "name" must be text');
		expect(emulator.server.requests).toHaveLength(0);
	});

	it('sends the valid items and reports the invalid one when Continue On Fail is on', async () => {
		const items = names(8);
		items[5] = { name: 42 };

		const result = await runExample(emulator, { operation: 'create', batchSize: 3 }, items, {
			onError: 'continueRegularOutput',
		});

		const [output] = result.outputs;
		expect(output).toHaveLength(8);
		expect(output[5].json).toMatchObject({ error: '"name" must be text', details: { outcome: 'notSent', fields: ['name'] } });
		expect(emulator.server.requests.map((request) => batchOf(request.body).length)).toEqual([3, 3, 1]);
		expect(emulator.records.size).toBe(7);
	});

	it('gives up on rate limits after the time budget (not a count) and reports the batch as not written', async () => {
		emulator.server.inject({ times: 1000, action: { kind: 'respond', reply: { status: 429, body: {} } } });

		const started = Date.now();
		const result = await runExample(
			emulator,
			{ operation: 'create', batchSize: 10, maxRetries: 2, rateLimitWaitMs: 1500 },
			names(3),
			{ onError: 'continueRegularOutput' },
		);

		// Rate limits have a budget of their own: more attempts than the error budget of 2 retries,
		// with waits (up to 200 ms each here) until about 1.5 s had passed.
		expect(emulator.server.requests.length).toBeGreaterThan(3);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(String(result.outputs[0][0].json.error)).toMatch(/429 Too Many Requests, still after waiting \d+ s/);
		expect(result.outputs[0].map((item) => item.json.details)).toEqual(
			[0, 1, 2].map((itemIndex) => expect.objectContaining({ itemIndex, outcome: 'failed', httpCode: '429' })),
		);
		expect(emulator.records.size).toBe(0);
	});

	it('counts rate limits apart from errors: many 429s do not use up the budget for 5xx answers', async () => {
		const created = await runExample(emulator, { operation: 'create', batchSize: 100 }, names(3));
		const renamed = created.outputs[0].map((item) => ({ id: item.json.id, name: `renamed ${item.json.id}` }));
		emulator.server.reset();
		emulator.server.inject({ times: 5, action: { kind: 'respond', reply: { status: 429, body: {} } } });
		emulator.server.inject({ times: 2, action: { kind: 'respond', reply: { status: 503, body: {} } } });

		const result = await runExample(emulator, { operation: 'update', batchSize: 100, maxRetries: 2 }, renamed);

		expect(result.error).toBeUndefined();
		expect(emulator.server.fates).toEqual([...Array(7).fill('faultReply'), 'handled']);
		expect([...emulator.records.values()].every((record) => record.name.startsWith('renamed'))).toBe(true);
	});

	it('keeps one result per item, in order, with several batches in flight', async () => {
		emulator.server.inject({ nth: 1, action: { kind: 'delay', ms: 300 } });

		const result = await runExample(emulator, { operation: 'create', batchSize: 7, concurrency: 4 }, names(100));

		const [output] = result.outputs;
		expect(output.map((item) => item.json.name)).toEqual(names(100).map((item) => item.name));
		expect(output.map((item) => item.pairedItem)).toEqual(output.map((_, item) => ({ item })));
		expect(emulator.records.size).toBe(100);
	});
});
