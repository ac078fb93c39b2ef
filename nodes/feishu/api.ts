import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isSecureUrl, parseUrl } from '../shared/baseUrl';
import type { ServiceProfile } from '../shared/client';
import type { HttpResponse, ServiceRules } from '../shared/request';

/** Open Platform hosts: Feishu (China) and Lark (international). */
export const FEISHU_HOSTS = {
	feishu: { api: 'https://open.feishu.cn', accounts: 'https://accounts.feishu.cn' },
	lark: { api: 'https://open.larksuite.com', accounts: 'https://accounts.larksuite.com' },
} as const;

export type FeishuPlatform = keyof typeof FEISHU_HOSTS;

/**
 * The Open Platform API base URL of a credential: Feishu, Lark, or a custom base URL (a gateway or
 * a local emulator), which must use https unless it is a loopback address. A custom URL that
 * cannot be used comes back as a `problem` naming what to fix.
 */
export function feishuApiBaseUrl(platform: unknown, customBaseUrl: unknown): { url: string } | { problem: string } {
	if (platform === 'feishu' || platform === 'lark') return { url: FEISHU_HOSTS[platform].api };
	const text = String(customBaseUrl ?? '').trim().replace(/\/+$/, '');
	const url = parseUrl(text);
	if (!url) {
		return { problem: `The credential's Base URL "${text}" is not a valid URL, e.g. https://open.example.com` };
	}
	if (!isSecureUrl(url)) {
		return { problem: "The credential's Base URL must use https (http only for 127.0.0.1, localhost or [::1])" };
	}
	if (url.search || url.hash || url.username || url.password) {
		return { problem: "The credential's Base URL must not contain a query, a fragment or user info" };
	}
	return { url: text };
}

/** Every Open Platform answer: `code` 0 means success. */
export interface FeishuEnvelope<T = IDataObject> {
	code: number;
	msg?: string;
	data?: T;
	error?: { log_id?: string; message?: string; troubleshooter?: string };
}

/** Platform error codes the nodes act on (see the Open Platform's common error codes). */
export const FEISHU_CODES = {
	tokenMissing: 99991661,
	tenantTokenInvalid: 99991663,
	userTokenInvalid: 99991668,
	userTokenExpired: 99991677,
	rateLimited: 99991400,
	paramInvalid: 2320001,
} as const;

export function envelopeCode(response: HttpResponse): number | undefined {
	const code = (response.body as FeishuEnvelope | undefined)?.code;
	return typeof code === 'number' ? code : undefined;
}

/**
 * How both Feishu nodes read answers: rate limits arrive as HTTP 429 or code 99991400 (some APIs
 * with HTTP 400), and `x-ogw-ratelimit-reset` says how many seconds to wait.
 */
export function feishuRules(credentialType: string, tokenExpiredCodes: readonly number[]): ServiceRules {
	return {
		credentialType,
		isRateLimited: (response) => envelopeCode(response) === FEISHU_CODES.rateLimited,
		retryHintHeaders: ['x-ogw-ratelimit-reset'],
		isTokenExpired: (response) => tokenExpiredCodes.includes(envelopeCode(response) ?? 0),
		// The codes say "expired" whatever the status, so a 401 renews once for all requests in flight.
		recognisesUnauthorized: true,
	};
}

/** A readable message from a Feishu error answer, never including tokens. */
function describeFeishuError(response: HttpResponse): { code?: string; message: string } {
	const body = response.body as FeishuEnvelope | undefined;
	if (body && typeof body.code === 'number') {
		return { code: String(body.code), message: body.msg || body.error?.message || `HTTP ${response.statusCode}` };
	}
	return { message: `HTTP ${response.statusCode}` };
}

/** How both Feishu nodes' services answer: an envelope whose `code` 0 means success, its payload in `data`. */
export function feishuProfile(
	node: Pick<ServiceProfile, 'rules' | 'hints' | 'rateWindows' | 'credentialHint' | 'nouns'>,
): ServiceProfile {
	return {
		name: 'Feishu',
		...node,
		baseUrl: (credentials) => feishuApiBaseUrl(credentials.platform, credentials.baseUrl),
		headers: { 'Content-Type': 'application/json; charset=utf-8' },
		isSuccess: (response) =>
			response.statusCode >= 200 && response.statusCode < 300 && (response.body as FeishuEnvelope | undefined)?.code === 0,
		errorOf: describeFeishuError,
		unwrap: (body) => (body as FeishuEnvelope | undefined)?.data ?? {},
	};
}

/**
 * The records of a Feishu answer: `items` is a JSON text holding an array (or already the array).
 * `records` is what the node calls them in messages, e.g. rows.
 */
export function parseItems(node: INode, items: unknown, records = 'records'): IDataObject[] {
	if (items === undefined || items === null || items === '') return [];
	let parsed: unknown = items;
	if (typeof items === 'string') {
		try {
			parsed = JSON.parse(items);
		} catch {
			throw new NodeOperationError(node, `Feishu answered with ${records} that are not valid JSON`);
		}
	}
	if (!Array.isArray(parsed)) throw new NodeOperationError(node, `Feishu answered with ${records} in an unexpected shape`);
	return parsed.filter((record): record is IDataObject => typeof record === 'object' && record !== null);
}
