import { Throttle } from '../../nodes/shared/throttle';

/** The largest number of starts that fall within any span of `intervalMs`. */
function busiestWindow(starts: number[], intervalMs: number): number {
	let busiest = 0;
	for (let first = 0; first < starts.length; first++) {
		let count = 0;
		while (first + count < starts.length && starts[first + count] - starts[first] < intervalMs) count++;
		busiest = Math.max(busiest, count);
	}
	return busiest;
}

describe('Throttle', () => {
	it('honours several windows at once', async () => {
		const windows = [
			{ limit: 3, intervalMs: 100 },
			{ limit: 5, intervalMs: 400 },
		];
		const throttle = new Throttle(windows);
		const starts: number[] = [];
		for (let request = 0; request < 11; request++) {
			await throttle.acquire();
			starts.push(Date.now());
		}
		expect(busiestWindow(starts, 100)).toBeLessThanOrEqual(3);
		expect(busiestWindow(starts, 400)).toBeLessThanOrEqual(5);
		// 11 starts at 5 per 400 ms cannot fit in less than two full windows.
		expect(starts[10] - starts[0]).toBeGreaterThanOrEqual(800);
	});

	it('holds callers that arrive together to the limit', async () => {
		const throttle = new Throttle([{ limit: 4, intervalMs: 200 }]);
		const starts: number[] = [];
		await Promise.all(
			Array.from({ length: 10 }, async () => {
				await throttle.acquire();
				starts.push(Date.now());
			}),
		);
		expect(busiestWindow(starts.sort((a, b) => a - b), 200)).toBeLessThanOrEqual(4);
	});

	it('lets nothing start during a pause asked for by the server', async () => {
		const throttle = new Throttle([]);
		await throttle.acquire();
		const pausedAt = Date.now();
		throttle.pauseFor(300);
		await throttle.acquire();
		expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(300);
	});

	it('does not wait when no window is full and the last start is a spacing (interval / limit) ago', async () => {
		let clock = 0;
		const throttle = new Throttle([{ limit: 2, intervalMs: 1000 }], () => clock);
		await throttle.acquire();
		clock = 999;
		await throttle.acquire();
		clock = 1499;
		await throttle.acquire();
		expect(clock).toBe(1499);
	});

	it('spaces starts evenly over the shortest window instead of a burst at its start', async () => {
		let clock = 0;
		const throttle = new Throttle([{ limit: 2, intervalMs: 1000 }], () => clock);
		await throttle.acquire();
		clock = 499;
		const next = throttle.acquire();
		expect(await Promise.race([next.then(() => 'started'), Promise.resolve('waiting')])).toBe('waiting');
		clock = 500;
		await next;
	});

	it('counts a request at its answer once told, so a slow request cannot crowd the next window', async () => {
		const throttle = new Throttle([{ limit: 1, intervalMs: 200 }]);
		const answered = await throttle.acquire();
		const startedAt = Date.now();
		await new Promise((resolve) => setTimeout(resolve, 150));
		answered();
		const answeredAt = Date.now();
		await throttle.acquire();
		expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(199);
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(349);
	});

	it('keeps an arrival margin only for requests whose answer is not in (an answer bounds the arrival)', async () => {
		let clock = 0;
		const throttle = new Throttle([{ limit: 1, intervalMs: 1000 }], () => clock);
		const answered = await throttle.acquire();
		clock = 10;
		answered();
		clock = 1009;
		const early = throttle.acquire();
		expect(await Promise.race([early.then(() => 'started'), Promise.resolve('waiting')])).toBe('waiting');
		clock = 1010;
		await early;

		// Still in flight: counted at its start, plus the margin for a late arrival.
		const inFlight = new Throttle([{ limit: 1, intervalMs: 1000 }], () => clock);
		clock = 0;
		await inFlight.acquire();
		clock = 1049;
		const next = inFlight.acquire();
		expect(await Promise.race([next.then(() => 'started'), Promise.resolve('waiting')])).toBe('waiting');
		clock = 1050;
		await next;
	});

	it('refuses a window that could never let a request through', () => {
		expect(() => new Throttle([{ limit: 0, intervalMs: 1000 }])).toThrow(RangeError);
		expect(() => new Throttle([{ limit: 5, intervalMs: 0 }])).toThrow(RangeError);
	});
});
