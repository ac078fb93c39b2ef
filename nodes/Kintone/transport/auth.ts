/**
 * The headers that sign a request to kintone, and the check that they only go to the credential's
 * domain. Used by the credential's `authenticate` and by the node's credential test, so both sign
 * requests the same way; it sends nothing itself, so the credential may import it.
 */

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { KintoneLocation } from './url';
import { kintoneBaseUrl } from './url';

/** kintone accepts at most 9 API tokens in one request. */
const MAX_API_TOKENS = 9;

/**
 * Throws unless `url` (relative to `baseURL`) is on the credential's kintone domain (a checked
 * subdomain, or a custom https address): the secrets go nowhere else, never over http.
 */
export function assertKintoneDomain(credentials: ICredentialDataDecryptedObject, url: string, baseURL?: string): void {
	const domain = new URL(kintoneBaseUrl(credentials as KintoneLocation)).origin;
	const target = new URL(url, baseURL);
	if (target.origin !== domain) {
		throw new Error(`The request goes to ${target.origin}, not to the credential's kintone domain ${domain}`);
	}
}

/** `X-Cybozu-API-Token` or `X-Cybozu-Authorization`, and `Authorization` for Basic authentication. */
export function kintoneAuthHeaders(credentials: ICredentialDataDecryptedObject): Record<string, string> {
	const headers: Record<string, string> = {};
	if (credentials.authentication === 'password') {
		headers['X-Cybozu-Authorization'] = base64(`${credentials.username as string}:${credentials.password as string}`);
	} else {
		headers['X-Cybozu-API-Token'] = apiTokenHeader(String(credentials.apiToken ?? ''));
	}
	if (credentials.useBasicAuth) {
		headers.Authorization = `Basic ${base64(`${credentials.basicAuthUser as string}:${credentials.basicAuthPassword as string}`)}`;
	}
	return headers;
}

/** The tokens as kintone takes them: comma-separated, blanks dropped, 1 to 9. */
function apiTokenHeader(text: string): string {
	const tokens = text
		.split(',')
		.map((token) => token.trim())
		.filter((token) => token !== '');
	if (tokens.length === 0) throw new Error('Enter an API token in the Kintone credential');
	if (tokens.length > MAX_API_TOKENS) {
		throw new Error(
			`kintone accepts at most ${MAX_API_TOKENS} API tokens per request, the credential has ${tokens.length}`,
		);
	}
	return tokens.join(',');
}

function base64(text: string): string {
	return Buffer.from(text, 'utf8').toString('base64');
}
