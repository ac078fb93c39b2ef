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
 * Spaces request starts so that every window holds at once (for example 50 per second and
 * 1,000 per minute). Windows slide, so no fixed-bucket counter on the server can see more than
 * `limit`. A server hint (`pauseFor`) holds back every caller sharing this throttle.
 * One instance lives for one execution: nothing is shared across executions or workers.
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
		for (const { limit, intervalMs } of this.windows) {
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
