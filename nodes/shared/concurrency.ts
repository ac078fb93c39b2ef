/**
 * How many batches may be in flight: a fixed number, or a number that adapts to the service's
 * answers between a start and a maximum.
 */
export type Concurrency = number | AdaptiveConcurrency;

export interface AdaptiveConcurrency {
	start: number;
	max: number;
	/** A count that grows whenever the service pushes back (a rate limit, a "near the limit" header). */
	pressure(): number;
}

/**
 * Additive increase, multiplicative decrease, as TCP's congestion avoidance: about one more batch
 * in flight per round of answers that came fast (within twice the fastest so far) without push-back
 * from the service; half as many once it pushed back, at most once per round. A service that allows
 * many concurrent requests (kintone: 100 per domain, for everyone together) gets what it can take,
 * and room back when it is busy. Decisions are made on answers to batches sent since the last
 * decrease only, so one busy moment halves the count once, not once per batch that saw it.
 */
export class ConcurrencyLimit {
	/** Batches in flight allowed now. */
	current: number;

	/** `current` with the fractions of a batch gained from single answers. */
	private window: number;

	private fastestMs = Infinity;

	private decreasedAt = -Infinity;

	constructor(private readonly concurrency: Concurrency) {
		this.window = Math.max(1, typeof concurrency === 'number' ? concurrency : Math.min(concurrency.start, concurrency.max));
		this.current = this.window;
	}

	/** What `observe` needs to know later about a batch starting now. */
	start(): { at: number; pressure: number } {
		return { at: Date.now(), pressure: typeof this.concurrency === 'number' ? 0 : this.concurrency.pressure() };
	}

	/** Adapts to a batch that was started at `started` and has now been answered. */
	observe(started: { at: number; pressure: number }): void {
		if (typeof this.concurrency === 'number') return;
		const now = Date.now();
		const tookMs = now - started.at;
		if (this.concurrency.pressure() > started.pressure) {
			if (started.at > this.decreasedAt) {
				this.window = Math.max(1, Math.floor(this.window / 2));
				this.decreasedAt = now;
			}
		} else if (tookMs <= 2 * this.fastestMs && started.at > this.decreasedAt) {
			this.window = Math.min(this.concurrency.max, this.window + 1 / this.current);
		}
		this.current = Math.floor(this.window);
		this.fastestMs = Math.min(this.fastestMs, Math.max(tookMs, 1));
	}
}

/**
 * Batch requests in flight for a service that limits requests per second, not requests at once:
 * the throttle keeps to the rate, and one request at a time would leave most of it unused whenever
 * an answer takes longer than 1/limit (100 ms at 10 per second). Ten: a whole first second of a
 * 10-per-second service starts at once, not as answers come in.
 */
export const RATE_LIMITED_CONCURRENCY = 10;
