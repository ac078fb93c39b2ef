/** A sliding-window limiter as a service enforces it: several windows at once, per key. */
export class RateLimiter {
	private readonly starts = new Map<string, number[]>();

	/**
	 * `strict`: a refused call counts against the window too, as services that count every call
	 * do, so a caller that retries before the window frees only pushes it further out.
	 */
	constructor(
		readonly windows: ReadonlyArray<{ limit: number; intervalMs: number }>,
		readonly strict = false,
	) {}

	/**
	 * Counts a request for `key` and returns undefined when it is allowed, or the seconds until the
	 * tightest full window frees a slot (what `x-ogw-ratelimit-reset` or `Retry-After` carry).
	 */
	take(key = 'default', now = Date.now()): { resetSeconds: number; limit: number } | undefined {
		const longest = Math.max(...this.windows.map((window) => window.intervalMs));
		const starts = (this.starts.get(key) ?? []).filter((start) => start > now - longest);
		for (const { limit, intervalMs } of this.windows) {
			const inWindow = starts.filter((start) => start > now - intervalMs);
			if (inWindow.length >= limit) {
				// The seconds until the window has room again, as it stands (a strict window counts this call too).
				const freesAt = inWindow[inWindow.length - limit] + intervalMs;
				if (this.strict) starts.push(now);
				this.starts.set(key, starts);
				return { resetSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)), limit };
			}
		}
		starts.push(now);
		this.starts.set(key, starts);
		return undefined;
	}

	reset(): void {
		this.starts.clear();
	}
}
