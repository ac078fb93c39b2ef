/**
 * The share of a service's concurrent requests from which fewer go at once, and which one run
 * never takes alone: the limit is usually for everyone together (kintone: 100 per domain), so the
 * last fifth is left to others.
 */
export const BUSY = 0.8;

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
	/** The service's limit on concurrent requests (for everyone together), once it said it. */
	serviceLimit(): number | undefined;
}

interface Started {
	at: number;
	/** Its place among the batches started. */
	number: number;
	pressure: number;
}

/**
 * As TCP finds a connection's capacity: a slow start first (one more batch in flight per fast
 * answer, so the count doubles each round of answers), then, once the service pushed back or half
 * its concurrent-request limit is reached, additive increase (about one more per round) and
 * multiplicative decrease (half as many, at most once per round). An answer is fast when it took
 * at most twice the fastest so far: slower ones mean requests queue somewhere, and more of them
 * would not go faster. A service whose limit is for everyone together (kintone: 100 per domain)
 * never gets more than BUSY of it from one run, and gets room back when others need it.
 * Decisions are made on answers to batches sent since the last decrease only, so one busy moment
 * halves the count once, not once per batch that saw it.
 */
export class ConcurrencyLimit {
	/** Batches in flight allowed now. */
	current: number;

	/** `current` with the fractions of a batch gained from single answers. */
	private window: number;

	private fastestMs = Infinity;

	/** Batches started so far; a decrease is remembered by this count. */
	private started = 0;

	private decreasedAfter = -1;

	private slowStart = true;

	constructor(private readonly concurrency: Concurrency) {
		this.window = Math.max(1, typeof concurrency === 'number' ? concurrency : Math.min(concurrency.start, concurrency.max));
		this.current = this.window;
	}

	/** What `observe` needs to know later about a batch starting now. */
	start(): Started {
		return {
			at: Date.now(),
			number: this.started++,
			pressure: typeof this.concurrency === 'number' ? 0 : this.concurrency.pressure(),
		};
	}

	/** Adapts to a batch that was started at `started` and has now been answered. */
	observe(started: Started): void {
		if (typeof this.concurrency === 'number') return;
		const tookMs = Date.now() - started.at;
		const sinceDecrease = started.number > this.decreasedAfter;
		if (this.concurrency.pressure() > started.pressure) {
			if (sinceDecrease) {
				this.window = Math.max(1, Math.floor(this.window / 2));
				this.decreasedAfter = this.started - 1;
				this.slowStart = false;
			}
		} else if (tookMs <= 2 * this.fastestMs && sinceDecrease) {
			const serviceLimit = this.concurrency.serviceLimit() ?? Infinity;
			if (this.window >= serviceLimit / 2) this.slowStart = false;
			const ceiling = Math.min(this.concurrency.max, Math.max(1, Math.floor(BUSY * serviceLimit)));
			this.window = Math.min(ceiling, this.window + (this.slowStart ? 1 : 1 / this.current));
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
