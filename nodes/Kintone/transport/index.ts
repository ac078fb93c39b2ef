import type {
	IAdditionalCredentialOptions,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { HttpResponse, RequestContext, ServiceRules } from '../../shared/request';
import type { RetryBudget } from '../../shared/retry';
import { RequestFailedError, sendRequest, withCredentialData } from '../../shared/request';
import { retryBudgetFor } from '../../shared/retry';
import { Throttle } from '../../shared/throttle';
import { describeAnswer, KINTONE_CODES, kintoneError } from './errors';
import type { KintoneEndpoint } from './url';
import { kintoneBaseUrl, kintonePath, positiveId } from './url';

export const CREDENTIAL_TYPE = 'kintoneApi';

/**
 * kintone answers every error with a JSON body `{code, message}`. Too many concurrent requests on
 * the domain is 429 GAIA_TO04 (retried); everything else, a revision conflict (409 GAIA_CO02)
 * included, is returned for the operation to report.
 */
const kintoneRules: ServiceRules = {
	credentialType: CREDENTIAL_TYPE,
	isRateLimited: (response) => kintoneError(response.body)?.code === KINTONE_CODES.tooManyRequests,
};

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Everything a node run needs to talk to one kintone domain; lives for one execution. */
export interface KintoneSession {
	ctx: RequestContext;
	baseUrl: string;
	guestSpaceId?: string;
	timeout: number;
	/** No request rate limit in kintone, but a 429 hint pauses every request of the run. */
	throttle: Throttle;
	/** An API token or password does not change during a run: decrypted once, not for every request. */
	credentialOptions: IAdditionalCredentialOptions;
	retry: RetryBudget;
}

export interface SessionOptions {
	guestSpaceId?: unknown;
	timeout?: number;
	/** The "Max Wait on Rate Limits" option, in seconds. */
	rateLimitWait?: unknown;
}

export async function openSession(ctx: RequestContext, options: SessionOptions = {}): Promise<KintoneSession> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		const guest = String(options.guestSpaceId ?? '').trim();
		return {
			ctx,
			baseUrl: kintoneBaseUrl(credentials),
			guestSpaceId: guest === '' ? undefined : positiveId(guest, 'Guest space ID'),
			timeout: options.timeout && options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT_MS,
			throttle: new Throttle([]),
			credentialOptions: withCredentialData(ctx, CREDENTIAL_TYPE, credentials),
			retry: retryBudgetFor(options.rateLimitWait),
		};
	} catch (error) {
		// Only the base URL and guest space checks throw here (KintoneUrlError).
		throw new NodeOperationError(ctx.getNode(), (error as Error).message);
	}
}

/** Errors of this node reach n8n as NodeApiError or NodeOperationError, with the item they belong to. */
export function asNodeError(
	ctx: RequestContext,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/** The app ID from the resource locator (list, ID or URL), checked to be a number. */
export function appIdOf(ctx: RequestContext, value: unknown): string {
	try {
		return positiveId(value, 'App ID');
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			description: 'Choose the app from the list, or enter its number (the 123 in https://example.cybozu.com/k/123/)',
		});
	}
}

export interface KintoneCall {
	method: IHttpRequestMethods;
	endpoint: KintoneEndpoint;
	/** GET parameters; lists are sent as kintone reads them (`fields[0]=a&fields[1]=b`). */
	qs?: IDataObject;
	body?: IDataObject;
	/** Whether sending it twice leaves the same result (see SendOptions.idempotent). */
	idempotent: boolean;
}

export function apiPath(session: KintoneSession, endpoint: KintoneEndpoint): string {
	return kintonePath(endpoint, session.guestSpaceId);
}

/** Longest GET URL sent as such; longer reads go as POST with `X-HTTP-Method-Override: GET`, as the official SDK does. */
const MAX_GET_URL = 4096;

/** One request through the shared engine: kintone's error answers come back, not thrown. */
export async function callKintone<T = IDataObject>(
	session: KintoneSession,
	call: KintoneCall,
): Promise<HttpResponse<T>> {
	const url = `${session.baseUrl}${apiPath(session, call.endpoint)}`;
	const request: IHttpRequestOptions = { method: call.method, url, body: call.body, json: true, timeout: session.timeout };
	if (call.qs) {
		const query = queryParameters(call.qs);
		if (call.method === 'GET' && url.length + 1 + new URLSearchParams(query).toString().length > MAX_GET_URL) {
			Object.assign(request, { method: 'POST', body: call.qs, headers: { 'X-HTTP-Method-Override': 'GET' } });
		} else {
			request.qs = query;
		}
	}
	return await sendRequest<T>(session.ctx, kintoneRules, request, {
		idempotent: call.idempotent,
		throttle: session.throttle,
		credentialOptions: session.credentialOptions,
		retry: session.retry,
	});
}

/** `{fields: ['a', 'b']}` as `fields[0]=a&fields[1]=b`, the form kintone reads. */
function queryParameters(qs: IDataObject): Record<string, string> {
	const query: Record<string, string> = {};
	for (const [name, value] of Object.entries(qs)) {
		if (value === undefined || value === null) continue;
		if (Array.isArray(value)) value.forEach((entry, index) => (query[`${name}[${index}]`] = String(entry)));
		else query[name] = String(value);
	}
	return query;
}

/**
 * For reads and metadata: the answer's body when kintone accepted the request, otherwise a
 * NodeApiError saying what was being done, kintone's code and message, and what to do.
 */
export async function requestKintone<T = IDataObject>(
	session: KintoneSession,
	call: KintoneCall,
	doing: string,
	itemIndex?: number,
): Promise<T> {
	let response: HttpResponse<T>;
	try {
		response = await callKintone<T>(session, call);
	} catch (error) {
		if (!(error instanceof RequestFailedError)) throw asNodeError(session.ctx, error, itemIndex);
		throw new NodeApiError(session.ctx.getNode(), { message: error.message } as JsonObject, {
			message: `${doing}: ${error.message}`,
			itemIndex,
			httpCode: error.response ? String(error.response.statusCode) : undefined,
		});
	}
	if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
	throw answerError(session, response, doing, itemIndex);
}

function answerError(
	session: KintoneSession,
	response: HttpResponse,
	doing: string,
	itemIndex?: number,
): NodeApiError {
	const { code, message, hint } = describeAnswer(response);
	const body = kintoneError(response.body) ?? { message };
	return new NodeApiError(session.ctx.getNode(), body as unknown as JsonObject, {
		message: `${doing}: ${code ? `[${code}] ` : ''}${message}`,
		description: hint,
		httpCode: String(response.statusCode),
		itemIndex,
	});
}
