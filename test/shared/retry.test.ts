import { rateLimitWaitOption } from '../../nodes/shared/descriptions';
import { DEFAULT_RETRY_BUDGET, retryBudgetFor, retryDelayMs, retryHintMs } from '../../nodes/shared/retry';

const response = (headers: Record<string, string>) => ({ statusCode: 429, headers, body: {} });

describe('retryHintMs', () => {
	it('reads Retry-After in seconds, case-insensitively', () => {
		expect(retryHintMs(response({ 'Retry-After': '3' }), [])).toBe(3000);
	});

	it('reads Retry-After as an HTTP date', () => {
		const inTwoSeconds = new Date(Date.now() + 2000).toUTCString();
		const hint = retryHintMs(response({ 'retry-after': inTwoSeconds }), [])!;
		expect(hint).toBeGreaterThan(0);
		expect(hint).toBeLessThanOrEqual(2000);
	});

	it('reads a service hint header in seconds when there is no Retry-After', () => {
		expect(retryHintMs(response({ 'x-ogw-ratelimit-reset': '52' }), ['x-ogw-ratelimit-reset'])).toBe(52_000);
	});

	it('ignores hint headers it was not told about and values that are not numbers', () => {
		expect(retryHintMs(response({ 'x-ogw-ratelimit-reset': '52' }), [])).toBeUndefined();
		expect(retryHintMs(response({ 'retry-after': 'soon' }), [])).toBeUndefined();
	});
});

describe('retryDelayMs', () => {
	const budget = { ...DEFAULT_RETRY_BUDGET, baseDelayMs: 100, maxDelayMs: 1000 };

	it('without a hint: grows exponentially, stays within half and all of the ceiling, and is capped', () => {
		for (let retry = 0; retry < 8; retry++) {
			const ceiling = Math.min(1000, 100 * 2 ** retry);
			for (let sample = 0; sample < 50; sample++) {
				const delay = retryDelayMs(retry, undefined, budget);
				expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
				expect(delay).toBeLessThanOrEqual(ceiling);
			}
		}
	});

	it('with a hint: never shorter than the hint, spread over up to half the backoff after it', () => {
		const delays = (retry: number) => Array.from({ length: 200 }, () => retryDelayMs(retry, 3000, budget));
		for (const retry of [0, 3]) {
			const ceiling = Math.min(1000, 100 * 2 ** retry);
			const samples = delays(retry);
			expect(Math.min(...samples)).toBeGreaterThanOrEqual(3000);
			expect(Math.max(...samples)).toBeLessThanOrEqual(3000 + ceiling / 2);
			// Executions refused together do not all come back at the same moment.
			expect(new Set(samples).size).toBeGreaterThan(10);
		}
	});

	it("with a hint: does not stretch it by a long backoff (the throttle's share slows a fleet down, not each request)", () => {
		const long = { ...budget, maxDelayMs: 30_000 };
		for (let sample = 0; sample < 50; sample++) {
			const delay = retryDelayMs(20, 1000, long);
			expect(delay).toBeGreaterThanOrEqual(1000);
			// Spread over up to half the hint when the backoff is longer than the hint.
			expect(delay).toBeLessThanOrEqual(1500);
		}
	});

	it('cuts a hint longer than the longest one honoured', () => {
		expect(retryDelayMs(0, 10 * 60_000, budget)).toBeLessThanOrEqual(budget.maxHintMs + 50);
	});
});

describe('retryBudgetFor ("Max Wait on Rate Limits")', () => {
	it('defaults to the option\'s default, five minutes, and takes the option in seconds', () => {
		expect(rateLimitWaitOption.default).toBe(DEFAULT_RETRY_BUDGET.rateLimitWaitMs / 1000);
		expect(DEFAULT_RETRY_BUDGET.rateLimitWaitMs).toBe(300_000);
		expect(retryBudgetFor(undefined)).toBe(DEFAULT_RETRY_BUDGET);
		expect(retryBudgetFor(20)).toEqual({ ...DEFAULT_RETRY_BUDGET, rateLimitWaitMs: 20_000 });
		expect(retryBudgetFor(0).rateLimitWaitMs).toBe(0);
		expect(retryBudgetFor('soon')).toBe(DEFAULT_RETRY_BUDGET);
	});
});
