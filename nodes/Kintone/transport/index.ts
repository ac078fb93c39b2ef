import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ClientOptions, ServiceClient, ServiceProfile, ServiceRequest } from '../../shared/client';
import { openClient } from '../../shared/client';
import type { RequestContext } from '../../shared/request';
import { headerValue } from '../../shared/retry';
import { HINTS, KINTONE_CODES, errorOf, kintoneError } from './errors';
import type { KintoneEndpoint } from './url';
import { kintoneBaseUrl, kintonePath, positiveId } from './url';

export const CREDENTIAL_TYPE = 'kintoneApi';


/**
 * kintone answers every error with a JSON body `{code, message}`. Too many concurrent requests on
 * the domain is 429 GAIA_TO04 (retried); everything else, a revision conflict (409 GAIA_CO02)
 * included, is returned for the operation to report.
 */
const kintoneProfile: ServiceProfile = {
	name: 'kintone',
	rules: {
		credentialType: CREDENTIAL_TYPE,
		isRateLimited: (response) => kintoneError(response.body)?.code === KINTONE_CODES.tooManyRequests,
	},
	baseUrl: (credentials) => {
		try {
			return { url: kintoneBaseUrl(credentials) };
		} catch (error) {
			// Only the checks of the domain, subdomain or custom URL throw (KintoneUrlError).
			return { problem: (error as Error).message };
		}
	},
	// kintone limits requests at once, not per second: a 429's hint still pauses every request of the run.
	rateWindows: [],
	// An API token or password does not change during a run.
	fixedCredential: true,
	isSuccess: (response) => response.statusCode >= 200 && response.statusCode < 300,
	errorOf: (response) => errorOf(response),
	hints: HINTS,
	// On every answer: the domain's concurrent requests (all users and integrations) and its limit.
	concurrency: ({ headers }) => {
		const [running, limit] = ['x-concurrencylimit-running', 'x-concurrencylimit-limit'].map((name) => Number(headerValue(headers, name)));
		return Number.isFinite(running) && Number.isFinite(limit) ? { running, limit } : undefined;
	},
};

/** The run's connection to the credential's kintone domain. */
export async function createClient(ctx: RequestContext, options?: ClientOptions): Promise<ServiceClient> {
	return await openClient(ctx, kintoneProfile, options);
}

/** The app every item of the run goes to, and the guest space it lives in, if any. */
export interface KintoneTarget {
	app: string;
	guestSpaceId?: string;
}

/** The app ID from the resource locator (list, ID or URL) and the Guest Space ID option, checked to be numbers. */
export function targetOf(ctx: RequestContext, app: unknown, guestSpaceId: unknown): KintoneTarget {
	const space = spaceOf(ctx, guestSpaceId);
	try {
		return { app: positiveId(app, 'App ID'), ...space };
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			description: 'Choose the app from the list, or enter its number (the 123 in https://example.cybozu.com/k/123/)',
		});
	}
}

/** The Guest Space ID option, checked to be a number; empty for apps outside guest spaces. */
export function spaceOf(ctx: RequestContext, guestSpaceId: unknown): Pick<KintoneTarget, 'guestSpaceId'> {
	const guest = String(guestSpaceId ?? '').trim();
	if (guest === '') return {};
	try {
		return { guestSpaceId: positiveId(guest, 'Guest space ID') };
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message);
	}
}

export interface KintoneCall {
	method: IHttpRequestMethods;
	endpoint: KintoneEndpoint;
	/** GET parameters; lists are sent as kintone reads them (`fields[0]=a&fields[1]=b`). */
	qs?: IDataObject;
	body?: IDataObject;
}

/** Longest GET URL sent as such; longer reads go as POST with `X-HTTP-Method-Override: GET`, as the official SDK does. */
const MAX_GET_URL = 4096;

/** A kintone API call as a request to the client, in the app's space. */
export function kintoneRequest(client: ServiceClient, target: Pick<KintoneTarget, 'guestSpaceId'>, call: KintoneCall): ServiceRequest {
	const path = kintonePath(call.endpoint, target.guestSpaceId);
	const request: ServiceRequest = { method: call.method, path, body: call.body };
	if (!call.qs) return request;
	const query = queryParameters(call.qs);
	const length = client.baseUrl.length + path.length + 1 + new URLSearchParams(query).toString().length;
	if (call.method === 'GET' && length > MAX_GET_URL) {
		return { method: 'POST', path, body: call.qs, headers: { 'X-HTTP-Method-Override': 'GET' } };
	}
	return { ...request, qs: query };
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
