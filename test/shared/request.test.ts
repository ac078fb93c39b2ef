import { backoffMs, DEFAULT_RETRY_BUDGET, retryHintMs } from '../../nodes/shared/request';

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

describe('backoffMs', () => {
	it('grows exponentially, stays within half and all of the ceiling, and is capped', () => {
		const budget = { ...DEFAULT_RETRY_BUDGET, baseDelayMs: 100, maxDelayMs: 1000 };
		for (let attempt = 0; attempt < 8; attempt++) {
			const ceiling = Math.min(1000, 100 * 2 ** attempt);
			for (let sample = 0; sample < 50; sample++) {
				const delay = backoffMs(attempt, budget);
				expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
				expect(delay).toBeLessThanOrEqual(ceiling);
			}
		}
	});
});
