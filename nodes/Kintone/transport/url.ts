/**
 * Where kintone lives and how its REST paths are built. Shared by the node and the credential,
 * so both refuse to send secrets anywhere but over https (or to this machine, for tests).
 */

import { isSecureUrl, parseUrl } from '../../shared/baseUrl';

/** kintone's regions; `custom` takes a full base URL (e.g. a secure-access `.s.cybozu.com` host). */
export const KINTONE_DOMAINS = ['cybozu.com', 'kintone.com', 'cybozu.cn'] as const;

export interface KintoneLocation {
	domain?: string;
	subdomain?: string;
	baseUrl?: string;
}

/** Thrown for a base URL or path segment that must not be used; the message says what to fix. */
export class KintoneUrlError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'KintoneUrlError';
	}
}

/** `https://{subdomain}.{domain}` or the custom URL, checked and without a trailing slash. */
export function kintoneBaseUrl(location: KintoneLocation): string {
	const domain = location.domain ?? 'cybozu.com';
	if (domain === 'custom') return checkedBaseUrl(String(location.baseUrl ?? ''));
	if (!(KINTONE_DOMAINS as readonly string[]).includes(domain)) {
		throw new KintoneUrlError(`Unknown kintone domain "${domain}"`);
	}
	const subdomain = String(location.subdomain ?? '').trim();
	if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i.test(subdomain)) {
		throw new KintoneUrlError(
			`"${subdomain}" is not a kintone subdomain: enter only the first part of your address, e.g. "example" for https://example.${domain}`,
		);
	}
	return `https://${subdomain.toLowerCase()}.${domain}`;
}

/** Accepts `https://host[:port]` (http only for loopback), nothing after the host. */
function checkedBaseUrl(text: string): string {
	const url = parseUrl(text.trim());
	if (!url) throw new KintoneUrlError(`"${text}" is not a URL: enter it like https://example.cybozu.com`);
	assertSecureUrl(url);
	if (url.username || url.password || url.search || url.hash || !/^\/*$/.test(url.pathname)) {
		throw new KintoneUrlError(
			`Enter only the address of your kintone domain, like https://example.cybozu.com, without a path, query or login`,
		);
	}
	return url.origin;
}

/** Secrets only travel over https, except to this machine. */
function assertSecureUrl(url: URL): void {
	if (isSecureUrl(url)) return;
	throw new KintoneUrlError(
		`kintone must be reached over https (http is only allowed for 127.0.0.1, localhost and [::1]); got ${url.protocol}//${url.host}`,
	);
}

/** A positive whole number given as number or text (an app, record or space ID), as text; else undefined. */
export function asPositiveId(value: unknown): string | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	return /^[1-9][0-9]{0,17}$/.test(text) ? text : undefined;
}

export function positiveId(value: unknown, what: string): string {
	const id = asPositiveId(value);
	if (id === undefined) {
		throw new KintoneUrlError(`${what} must be a positive whole number, got "${String(value ?? '')}"`);
	}
	return id;
}

/**
 * `/k/v1/{endpoint}.json`, or `/k/guest/{space}/v1/{endpoint}.json` for apps in a guest space
 * (kintone refuses guest-space apps on the normal path). Endpoints are fixed names from this node;
 * the space ID is checked to be a number, so no input can change the request target.
 */
export function kintonePath(endpoint: KintoneEndpoint, guestSpaceId?: string): string {
	const space = guestSpaceId ? `/guest/${encodeURIComponent(positiveId(guestSpaceId, 'Guest space ID'))}` : '';
	return `/k${space}/v1/${endpoint}.json`;
}

export type KintoneEndpoint =
	| 'records'
	| 'records/cursor'
	| 'bulkRequest'
	| 'apps'
	| 'app/form/fields'
	| 'app/status'
	| 'file'
	| 'records/status';
