import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { RetryBudget } from './retry';
import { DEFAULT_RETRY_BUDGET, retryDelayMs, retryHintMs } from './retry';
import type { Attempt } from './attempt';
import { describe, fromThrown, mayHaveBeenApplied } from './attempt';
import { claimRenewal, renewalGateOf } from './renewal';
import { RequestFailedError } from './errors';
import type { Throttle } from './throttle';

export type RequestContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface HttpResponse<T = unknown> {
	statusCode: number;
	headers: IDataObject;
	body: T;
	/**
	 * Set when this answer is to a resend of an idempotent request whose earlier attempt may have
	 * been applied (its answer was lost): the answer may describe what the earlier attempt left,
	 * e.g. "not found" for a record that attempt deleted. (A resend answered with an error status
	 * is not returned: it throws RequestFailedError `outcomeUnknown`.)
	 */
	afterLostAnswer?: true;
}

/** What a service tells about its answers; the engine itself knows no service. */
export interface ServiceRules {
	credentialType: string;
	/** A "slow down" answer other than HTTP 429, e.g. a rate-limit code in the body. */
	isRateLimited?(response: HttpResponse): boolean;
	/** Headers (besides `Retry-After`) holding the seconds to wait before retrying. */
	retryHintHeaders?: readonly string[];
	/** An answer that says the access token expired; the request is replayed once with a fresh one. */
	isTokenExpired?(response: HttpResponse): boolean;
	/**
	 * Whether `isTokenExpired` recognises expiry in 401 answers too, so 401s come back to the engine
	 * (one renewal for all requests in flight) instead of n8n renewing inside each refused request.
	 */
	recognisesUnauthorized?: boolean;
	/** Credential options for that single replay, making n8n fetch a new token first. */
	refreshOptions?(ctx: RequestContext, expired: HttpResponse): Promise<RefreshReplay>;
	/**
	 * Checked before every attempt that is not already a replay: credential options that renew a
	 * token the stored credentials say is about to expire, so it is not sent only to be refused.
	 */
	beforeSend?(ctx: RequestContext): Promise<IAdditionalCredentialOptions | undefined>;
}

/** Credential options carrying decrypted credential data, which n8n then uses instead of loading the credential. */
export function withCredentialData(
	ctx: RequestContext,
	type: string,
	data: ICredentialDataDecryptedObject,
): IAdditionalCredentialOptions {
	const stored = ctx.getNode().credentials?.[type];
	return { credentialsDecrypted: { id: stored?.id ?? '', name: stored?.name ?? type, type, data } };
}

export interface RefreshReplay {
	credentialOptions: IAdditionalCredentialOptions;
	/** Let the replay throw on HTTP errors, for auth flows that refresh on a thrown status. */
	throwOnHttpError?: boolean;
}

export interface SendOptions {
	/**
	 * True when sending the same request twice cannot change the result (updates by key, deletes,
	 * reads). Only such requests are retried when their outcome is unknown.
	 */
	idempotent: boolean;
	throttle?: Throttle;
	/**
	 * Credential options for ordinary attempts (not replays or renewals), e.g. the credential
	 * decrypted once per run, which spares n8n reading and decrypting it for every request.
	 */
	credentialOptions?: IAdditionalCredentialOptions;
	retry?: RetryBudget;
	/** Told of every answer that asks to slow down. */
	onRateLimited?(): void;
}

/**
 * Sends one request through n8n's authenticated HTTP helper (proxies, credential refresh) and
 * retries what is safe to retry: rate limits always (the service refused the request), 5xx and
 * lost connections only when `idempotent`. Non-2xx answers that are not retried are returned, so
 * the caller can read the service's error body.
 */
export async function sendRequest<T = unknown>(
	ctx: RequestContext,
	rules: ServiceRules,
	request: IHttpRequestOptions,
	options: SendOptions,
): Promise<HttpResponse<T>> {
	const budget = options.retry ?? DEFAULT_RETRY_BUDGET;
	const gate = renewalGateOf(ctx);
	let refreshed = false;
	let replay: RefreshReplay | undefined;
	// Set while this request is the one renewing the token: ends that renewal for the others.
	let finishRenewal: (() => void) | undefined;
	// Whether an earlier attempt may have been applied: then no later answer proves it was not.
	let mayHaveApplied = false;
	// Rate limits and errors have budgets of their own.
	let rateLimitRetries = 0;
	let errorRetries = 0;
	let rateLimitedSince: number | undefined;

	try {
		for (let attempt = 0; ; attempt++) {
			// Another request is renewing the token: wait, and go out with the new one.
			while (!finishRenewal && gate.renewing) await gate.renewing;
			const sentGeneration = gate.generation;
			const answered = await options.throttle?.acquire();
			let result: Attempt;
			try {
				let renewal = replay || finishRenewal ? undefined : await rules.beforeSend?.(ctx);
				// Another request started renewing meanwhile: that is enough (the current token still works).
				if (renewal && gate.renewing) renewal = undefined;
				if (renewal) finishRenewal = claimRenewal(gate);
				const credentialOptions = renewal ?? options.credentialOptions;
				result = await attemptOnce(ctx, rules, request, replay ?? (credentialOptions && { credentialOptions }));
			} finally {
				answered?.();
				finishRenewal?.();
				finishRenewal = undefined;
			}
			replay = undefined;
			const { response } = result;

			if (response && !refreshed && rules.isTokenExpired?.(response) && rules.refreshOptions) {
				// The service rejected the token, so nothing was applied: replay once with a new one,
				// or with the one another request renewed after this one was sent.
				refreshed = true;
				attempt--;
				if (!gate.renewing && gate.generation === sentGeneration) {
					finishRenewal = claimRenewal(gate);
					replay = await rules.refreshOptions(ctx, response);
				}
				continue;
			}

			// The service's answers set this execution's share of its rate (see Throttle).
			if (response && !isRateLimited(result, rules)) options.throttle?.accepted();
			const verdict = judge(result, rules, options.idempotent);
			const what = describe(result);
			if (verdict === 'done') {
				if (!mayHaveApplied) return response as HttpResponse<T>;
				if (response!.statusCode < 400) return { ...response, afterLostAnswer: true } as HttpResponse<T>;
				// A refusal of the resend (a token expired meanwhile, a permission) says nothing about the attempt before it.
				throw new RequestFailedError(
					`${what} to a resend; the attempt before it, whose answer was lost, may have been applied`,
					'outcomeUnknown',
					attempt + 1,
					response,
				);
			}

			if (verdict === 'unknown') {
				throw new RequestFailedError(
					`${what}: the service may or may not have applied this request, so it was not sent again`,
					'outcomeUnknown',
					attempt + 1,
					response,
					result.networkCode,
				);
			}
			mayHaveApplied ||= mayHaveBeenApplied(result);
			const rateLimited = isRateLimited(result, rules);
			const hintMs = response ? retryHintMs(response, rules.retryHintHeaders ?? []) : undefined;
			if (rateLimited) options.throttle?.rateLimited(hintMs);
			let delayMs: number;
			let exhausted: boolean;
			if (rateLimited) {
				options.onRateLimited?.();
				rateLimitedSince ??= Date.now();
				delayMs = retryDelayMs(rateLimitRetries++, hintMs, budget);
				exhausted = Date.now() - rateLimitedSince + delayMs > budget.rateLimitWaitMs;
			} else {
				delayMs = retryDelayMs(errorRetries++, hintMs, budget);
				exhausted = errorRetries > budget.maxRetries;
			}
			if (exhausted) {
				const still = rateLimited
					? `still after waiting ${Math.round((Date.now() - rateLimitedSince!) / 1000)} s (${attempt + 1} attempts)`
					: `still after ${attempt + 1} attempts`;
				throw new RequestFailedError(
					mayHaveApplied
						? `${what}, ${still}; an attempt whose answer was lost may have been applied`
						: `${what}, ${still}`,
					mayHaveApplied ? 'outcomeUnknown' : 'retriesExhausted',
					attempt + 1,
					response,
					result.networkCode,
				);
			}
			// "Slow down" holds back every request of this execution, not only this one.
			if (rateLimited || hintMs !== undefined) options.throttle?.pauseFor(delayMs);
			await sleep(delayMs);
		}
	} finally {
		// A refresh that threw must not leave the other requests waiting.
		finishRenewal?.();
	}
}

type Verdict = 'done' | 'retry' | 'unknown';

function judge(result: Attempt, rules: ServiceRules, idempotent: boolean): Verdict {
	if (isRateLimited(result, rules)) return 'retry';
	if (mayHaveBeenApplied(result)) return idempotent ? 'retry' : 'unknown';
	return result.response ? 'done' : 'retry';
}

/** The service refused the request to slow callers down: nothing of it was applied. */
function isRateLimited({ response }: Attempt, rules: ServiceRules): boolean {
	return !!response && (response.statusCode === 429 || rules.isRateLimited?.(response) === true);
}

async function attemptOnce(
	ctx: RequestContext,
	rules: ServiceRules,
	request: IHttpRequestOptions,
	replay: RefreshReplay | undefined,
): Promise<Attempt> {
	const options: IHttpRequestOptions = {
		...request,
		headers: { ...request.headers },
		returnFullResponse: true,
		// The services answer in place; a redirect (a login page, a moved host) would carry the
		// credential's headers to an address the credential never named. It is answered as an error.
		disableFollowRedirect: true,
		// 401 still throws so that n8n's own credential refresh runs for it, unless the rules read it.
		ignoreHttpStatusErrors: replay?.throwOnHttpError
			? false
			: rules.recognisesUnauthorized
				? true
				: { ignore: true, except: [401] },
	};
	try {
		const raw = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			rules.credentialType,
			options,
			replay?.credentialOptions,
		)) as { statusCode: number; headers?: IDataObject; body: unknown };
		return { response: { statusCode: raw.statusCode, headers: raw.headers ?? {}, body: raw.body } };
	} catch (error) {
		return fromThrown(error);
	}
}
