import { Throttle } from '../../nodes/shared/throttle';

/**
 * Executions sharing one service limit (n8n queue mode) learn their part of it from rate-limit
 * answers: halve on a refusal, take back a little with each accepted answer.
 */
describe('Throttle: share of a limit other executions use too', () => {
	const windows = [
		{ limit: 50, intervalMs: 1000 },
		{ limit: 1000, intervalMs: 60_000 },
	];

	it('halves its share of the shortest window on a rate limit, once per that window', () => {
		let clock = 0;
		const throttle = new Throttle(windows, () => clock);
		expect(throttle.currentShare).toBe(1);
		throttle.rateLimited();
		throttle.rateLimited(); // the same burst of refusals
		expect(throttle.currentShare).toBe(0.5);
		clock = 999;
		throttle.rateLimited();
		expect(throttle.currentShare).toBe(0.5);
		clock = 1000;
		throttle.rateLimited();
		expect(throttle.currentShare).toBe(0.25);
	});

	it('keeps its share when the hint is about a longer window (a quota per minute used up)', () => {
		const throttle = new Throttle(windows, () => 0);
		throttle.rateLimited(40_000);
		expect(throttle.currentShare).toBe(1);
		throttle.rateLimited(1000);
		expect(throttle.currentShare).toBe(0.5);
	});

	it('never goes below one request per window', () => {
		let clock = 0;
		const throttle = new Throttle([{ limit: 10, intervalMs: 1000 }], () => clock);
		for (let second = 0; second < 20; second++) {
			clock = second * 1000;
			throttle.rateLimited();
		}
		expect(throttle.currentShare).toBe(0.1);
	});

	it('gives the share back little by little with accepted answers (4 × the limit answers from none to all)', () => {
		const clock = 0;
		const throttle = new Throttle(windows, () => clock);
		throttle.rateLimited();
		for (let answer = 0; answer < 99; answer++) throttle.accepted();
		expect(throttle.currentShare).toBeLessThan(1);
		throttle.accepted();
		expect(throttle.currentShare).toBeCloseTo(1, 10);
		throttle.accepted();
		expect(throttle.currentShare).toBe(1);
	});

	it('spaces starts evenly over the shortest window once its share is cut', async () => {
		let clock = 0;
		const throttle = new Throttle([{ limit: 10, intervalMs: 1000 }], () => clock);
		await throttle.acquire();
		throttle.rateLimited(1000); // 5 per second: one every 200 ms
		clock = 199;
		const next = throttle.acquire();
		expect(await Promise.race([next.then(() => 'started'), Promise.resolve('waiting')])).toBe('waiting');
		clock = 200;
		await next;
	});

	it('a throttle without windows (a service with no documented rate) has nothing to share', () => {
		const throttle = new Throttle([]);
		throttle.rateLimited();
		expect(throttle.currentShare).toBe(1);
	});
});
