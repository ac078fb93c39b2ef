import { sleep } from 'n8n-workflow';

/** At most `limit` requests may start within any `intervalMs`. */
export interface RateWindow {
	limit: number;
	intervalMs: number;
}

/**
 * Requests are counted where they start; the service counts them where they arrive, which can be
 * a little later for one request than for the next. This much extra spacing keeps its count
 * within the limit too, as long as a request's answer is not in yet (an answer bounds the arrival).
 */
const ARRIVAL_JITTER_MS = 50;

/** One request in the windows: counted at its start, or at its answer once that is in. */
interface Counted {
	at: number;
	answered: boolean;
}

/**
 * The smallest share of the service's rate one execution keeps after rate limits: one request per
 * window at least (see `Throttle.rateLimited`).
 */
const MIN_SHARE = 1 / 64;

/**
 * Answers without a rate limit that bring the share back from none to all of the shortest
 * window's limit, per request of that limit: 4 means 200 answers for 50 per second, so a share
 * grows by about a quarter of its own rate each second and executions sharing one limit find it
 * again slowly after backing off (additive increase), where a rate limit halves it at once.
 */
const RECOVERY_ANSWERS_PER_LIMIT = 4;

/**
 * Spaces request starts so that every window holds at once (for example 50 per second and
 * 1,000 per minute). Windows slide, so no fixed-bucket counter on the server can see more than
 * `limit`. A server hint (`pauseFor`) holds back every caller sharing this throttle.
 * One instance lives for one execution: nothing is shared across executions or workers.
 *
 * Several executions of one credential (n8n queue mode: many workers) share the service's limit
 * without knowing of each other. Each learns its part from the service's answers only, as TCP
 * flows share a link: a rate-limit answer halves the share of the shortest window this execution
 * uses (at most once per that window, so one burst of refusals counts once), answers without one
 * give it back little by little. N executions settle near 1/N each and refuse each other rarely.
 *
 * The server counts a request when it arrives, somewhere between its start here and its answer
 * (a token fetched on the way can delay it a lot). Calling the function `acquire` returns once
 * the answer is in counts the request at that moment instead, so a late arrival cannot crowd a
 * server window that the start times alone would show as free.
 */
export class Throttle {
	/** Oldest first; moved to the answer time when the caller reports it. */
	private readonly starts: Counted[] = [];

	private pausedUntil = 0;

	private readonly longestIntervalMs: number;

	/** The shortest window: the one whose limit the share cuts (the service's rate). */
	private readonly shortest?: RateWindow;

	/** The part of the shortest window's limit this execution takes, 1 until the service refuses. */
	private share = 1;

	private halvedAt = -Infinity;

	/** When the latest request started (the starts above move to answer times). */
	private lastStartAt = -Infinity;

	constructor(
		private readonly windows: readonly RateWindow[],
		private readonly now: () => number = Date.now,
	) {
		for (const window of windows) {
			if (!(window.limit >= 1) || !(window.intervalMs > 0)) {
				throw new RangeError(`Invalid rate window: ${window.limit} per ${window.intervalMs} ms`);
			}
		}
		this.longestIntervalMs = Math.max(0, ...windows.map((window) => window.intervalMs));
		this.shortest = [...windows].sort((a, b) => a.intervalMs - b.intervalMs)[0];
	}

	/** The share of the shortest window's limit this execution currently takes (1: all of it). */
	get currentShare(): number {
		return this.share;
	}

	/**
	 * The service refused a request to slow down: take half as much of its rate, unless the share
	 * was halved within the shortest window already (requests in flight then were sent at the old
	 * rate and say nothing new). A refusal whose hint is longer than twice the shortest window is
	 * about a longer window (a quota per minute is used up): that wait is the pause's business, and
	 * the rate to go on at afterwards is the same.
	 */
	rateLimited(hintMs?: number): void {
		if (!this.shortest) return;
		if (hintMs !== undefined && hintMs > 2 * this.shortest.intervalMs) return;
		const now = this.now();
		if (now - this.halvedAt < this.shortest.intervalMs) return;
		this.halvedAt = now;
		this.share = Math.max(MIN_SHARE, 1 / this.shortest.limit, this.share / 2);
	}

	/** An answer that was not a rate limit: take a little more of the service's rate again. */
	accepted(): void {
		if (!this.shortest || this.share >= 1) return;
		this.share = Math.min(1, this.share + 1 / (RECOVERY_ANSWERS_PER_LIMIT * this.shortest.limit));
	}

	/** A window's limit for this execution: the shortest window's cut to the share, at least 1. */
	private limitOf(window: RateWindow): number {
		return window === this.shortest ? Math.max(1, Math.floor(window.limit * this.share)) : window.limit;
	}

	/**
	 * Waits until one more request may start, then counts it. Call the returned function when the
	 * request's answer (or failure) is in.
	 */
	async acquire(): Promise<() => void> {
		for (;;) {
			const waitMs = this.delayBeforeNextStart();
			if (waitMs <= 0) {
				const counted: Counted = { at: this.now(), answered: false };
				this.starts.push(counted);
				this.lastStartAt = counted.at;
				return () => this.settle(counted);
			}
			await sleep(waitMs);
		}
	}

	private settle(counted: Counted): void {
		const end = this.now();
		counted.answered = true;
		if (end <= counted.at) return;
		// The start may already have left every window during a long request.
		const index = this.starts.indexOf(counted);
		if (index !== -1) this.starts.splice(index, 1);
		counted.at = end;
		let at = this.starts.length;
		while (at > 0 && this.starts[at - 1].at > end) at--;
		this.starts.splice(at, 0, counted);
	}

	/** Holds back all requests for `ms`, e.g. after a rate-limit answer with a reset hint. */
	pauseFor(ms: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
	}

	private delayBeforeNextStart(): number {
		const now = this.now();
		this.forgetStartsBefore(now - this.longestIntervalMs);
		let waitMs = this.pausedUntil - now;
		if (this.shortest) {
			// Starts are spaced evenly over the shortest window, not sent in a burst at its start
			// (the same number per window): executions sharing the limit then meet a full window
			// with one request each, not with a burst each.
			waitMs = Math.max(waitMs, this.lastStartAt + this.shortest.intervalMs / this.limitOf(this.shortest) - now);
		}
		for (const window of this.windows) {
			const { intervalMs } = window;
			const limit = this.limitOf(window);
			const inWindow = this.countStartsSince(now - intervalMs);
			if (inWindow >= limit) {
				// The oldest request that keeps the window full must leave it first; one that was
				// answered arrived by then, one still in flight may arrive a little after its start.
				const blocking = this.starts[this.starts.length - limit];
				const margin = blocking.answered ? 0 : ARRIVAL_JITTER_MS;
				waitMs = Math.max(waitMs, blocking.at + intervalMs + margin - now);
			}
		}
		return waitMs;
	}

	private countStartsSince(since: number): number {
		let count = 0;
		for (let index = this.starts.length - 1; index >= 0 && this.starts[index].at > since; index--) {
			count++;
		}
		return count;
	}

	private forgetStartsBefore(cutoff: number): void {
		let stale = 0;
		while (stale < this.starts.length && this.starts[stale].at <= cutoff) stale++;
		if (stale > 0) this.starts.splice(0, stale);
	}
}
