import type { IDataObject } from 'n8n-workflow';

import type { HttpResponse } from './request';

/** How long to wait before a retry, and how many retries to make. */
export interface RetryBudget {
	/** Retries after errors that may pass (5xx, lost connections), counted apart from rate limits. */
	maxRetries: number;
	/**
	 * How long rate-limit answers are waited out, from the first one, before the request gives up.
	 * Time, not a count: executions sharing one tenant's limit (n8n queue mode) may each be refused
	 * many times before a minute window has room for all of them.
	 */
	rateLimitWaitMs: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Longest server hint that is honoured; a longer one is cut to this. */
	maxHintMs: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudget = {
	maxRetries: 6,
	// Rides out a full one-minute window several times over.
	rateLimitWaitMs: 300_000,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	maxHintMs: 120_000,
};

/** The default budget with the "Max Wait on Rate Limits" option (seconds) applied, when it holds a number. */
export function retryBudgetFor(rateLimitWaitSeconds: unknown): RetryBudget {
	const seconds = Number(rateLimitWaitSeconds);
	if (rateLimitWaitSeconds === undefined || rateLimitWaitSeconds === '' || !(seconds >= 0)) return DEFAULT_RETRY_BUDGET;
	return { ...DEFAULT_RETRY_BUDGET, rateLimitWaitMs: seconds * 1000 };
}

/** A header's value, whatever the case of its name. */
export function headerValue(headers: IDataObject, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === wanted && value !== undefined && value !== null) return String(value);
	}
	return undefined;
}

/** Milliseconds the server asked us to wait, from `Retry-After` (seconds or date) or a hint header. */
export function retryHintMs(response: HttpResponse, hintHeaders: readonly string[]): number | undefined {
	const retryAfter = headerValue(response.headers, 'retry-after');
	if (retryAfter !== undefined) {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
		const date = Date.parse(retryAfter);
		if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
	}
	for (const name of hintHeaders) {
		const seconds = Number(headerValue(response.headers, name));
		if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	}
	return undefined;
}

/** Twice the longest random spread after a hint: returns spread over up to a second are enough. */
const MAX_SPREAD_MS = 2000;

/**
 * The wait before retry number `retry` (0 for the first). Without a hint from the service: an
 * exponential backoff, spread at random over its upper half. With one: the hint, plus a random
 * spread of up to half the backoff, half the hint or one second, whichever is least. The spread keeps executions
 * refused together (n8n queue mode) from all coming back at the very moment the service's window
 * reopens; the hint is not stretched further, because a service that counts refused calls keeps
 * its window shut for a caller that comes back late as much as for one that comes back early, and
 * how many requests an execution sends is its throttle's business (its share shrinks with each
 * rate limit, see Throttle), not each request's backoff.
 */
export function retryDelayMs(retry: number, hintMs: number | undefined, budget: RetryBudget): number {
	const ceiling = Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** retry);
	if (hintMs === undefined) return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
	const hint = Math.min(hintMs, budget.maxHintMs);
	return Math.round(hint + Math.random() * (Math.min(ceiling, hint, MAX_SPREAD_MS) / 2));
}
