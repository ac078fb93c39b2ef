import { NS, OBJ, autoMap, requestsTo, runApaas, useFeishuApaasEmulator } from './setup';

/** 120 requests of 5 records: more than two seconds' worth at 50 requests per second. */
const REQUESTS = 120;
const PER_REQUEST = 5;

describe('Feishu aPaaS node: rate limits (50/s and 1,000/min per API and app)', () => {
	// Strict, as the service: a refused call counts against the window too.
	const apaas = useFeishuApaasEmulator({ strictRateLimits: true });

	function items() {
		const ids = apaas.emulator.seedRecords(NS, OBJ, Array.from({ length: REQUESTS * PER_REQUEST }, () => ({ book_count: 0 })));
		return { ids, items: ids.map((_id, index) => ({ _id, book_count: index })) };
	}

	function expectAllWrittenOnce(ids: string[]) {
		const stored = apaas.emulator.records(NS, OBJ);
		ids.forEach((id, index) => {
			expect(stored.get(id)?.writes).toBe(1);
			expect(stored.get(id)?.values.book_count).toBe(index);
		});
	}

	it(`${REQUESTS} requests under the service's documented limits: the throttle keeps every one of them from a 429`, async () => {
		const { ids, items: input } = items();
		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap, options: { batchSize: PER_REQUEST } }, input);

		expect(result.status).toBe('success');
		expect(result.outputs[0]).toHaveLength(REQUESTS * PER_REQUEST);
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(REQUESTS);
		expect(apaas.emulator.rateLimited).toBe(0);
		expectAllWrittenOnce(ids);
	});

	it('with the throttle off the 429s come back, are waited out and retried, and the run completes', async () => {
		// A tighter window than the documented one, so that unthrottled requests surely exceed it.
		apaas.emulator.setRateLimits([{ limit: 40, intervalMs: 1000 }]);
		const { ids, items: input } = items();
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: autoMap, options: { batchSize: PER_REQUEST, throttle: false } },
			input,
		);

		expect(result.status).toBe('success');
		expect(apaas.emulator.rateLimited).toBeGreaterThan(0);
		const answers = apaas.emulator.answers.filter((answer) => answer.path.endsWith('batch_update'));
		expect(answers.filter((answer) => answer.status === 200)).toHaveLength(REQUESTS);
		expect(answers.filter((answer) => answer.status === 429).every((answer) => answer.code === 99991400)).toBe(true);
		expect(result.outputs[0].every((item) => item.json.error === undefined)).toBe(true);
		expectAllWrittenOnce(ids);
	});

	it('code 99991400 carried by HTTP 400 is a rate limit too, retried after x-ogw-ratelimit-reset', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{}]);
		apaas.emulator.server.inject({
			match: (request) => request.path.endsWith('batch_update'),
			action: {
				kind: 'respond',
				reply: { status: 400, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '0' } },
			},
		});
		const result = await runApaas(apaas.emulator, { operation: 'update', columns: autoMap }, [{ _id: id, book_count: 3 }]);
		expect(result.status).toBe('success');
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(2);
		expect(apaas.emulator.records(NS, OBJ).get(id)?.writes).toBe(1);
	});

	it('when the service keeps refusing for longer than "Max Wait on Rate Limits", the records fail as "failed" (not written)', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{}]);
		apaas.emulator.server.inject({
			match: (request) => request.path.endsWith('batch_update'),
			times: 100,
			action: {
				kind: 'respond',
				reply: { status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '0' } },
			},
		});
		const started = Date.now();
		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: autoMap, options: { rateLimitWait: 3 } },
			[{ _id: id, book_count: 3 }],
			{ node: { onError: 'continueErrorOutput' } },
		);
		const [, errors] = result.outputs;
		expect(errors).toHaveLength(1);
		expect(errors[0].json.details).toMatchObject({ outcome: 'failed', httpCode: '429' });
		expect(errors[0].json.error).toMatch(/still after waiting [0-9] s/);
		// Given up within the budget of 3 s, never waiting past it (backoff: 0.25-0.5 s, 0.5-1 s, 1-2 s, ...).
		expect(Date.now() - started).toBeLessThan(6_000);
		expect(requestsTo(apaas.emulator, 'batch_update').length).toBeGreaterThanOrEqual(3);
		expect(apaas.emulator.records(NS, OBJ).get(id)?.writes).toBe(0);
	});
});
