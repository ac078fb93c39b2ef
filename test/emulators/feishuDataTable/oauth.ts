import { createHash, randomBytes } from 'node:crypto';

import type { RecordedRequest, Reply } from '../server';
import type { IssuedUserToken } from './types';

const CODE_TTL_MS = 5 * 60_000;
/** After a refresh the previous access token keeps working this long (documented 1-minute grace). */
const REFRESH_GRACE_MS = 60_000;

interface CodeGrant {
	redirectUri: string;
	scope: string;
	challenge?: { value: string; method: string };
	expiresAt: number;
	used: boolean;
}

interface RefreshGrant {
	scope: string;
	expiresAt: number;
	used: boolean;
	accessToken: string;
}

export interface OAuthConfig {
	clientId: string;
	clientSecret: string;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
}

/** Why a bearer token is refused, as the platform reports it. */
export interface TokenRejection {
	code: number;
	msg: string;
}

/**
 * Feishu's OAuth 2.0 (v2) for user access tokens: an authorize page that approves at once, a token
 * endpoint for `authorization_code` and `refresh_token` with single-use codes and refresh tokens,
 * and bearer-token checks for the API.
 */
export class OAuthState {
	tokenRequests = 0;

	private readonly codes = new Map<string, CodeGrant>();

	private readonly accessTokens = new Map<string, { expiresAt: number; scope: string }>();

	private readonly refreshTokens = new Map<string, RefreshGrant>();

	constructor(private readonly config: OAuthConfig) {}

	/** GET /open-apis/authen/v1/authorize: the user "approves" immediately; 302 back with the code. */
	authorize(request: RecordedRequest): Reply {
		const query = request.query;
		const redirectUri = query.get('redirect_uri');
		if (query.get('client_id') !== this.config.clientId) return htmlError('Unknown client_id: the app does not exist.');
		if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return htmlError('redirect_uri is missing or not an http(s) URL.');
		const responseType = query.get('response_type');
		if (responseType !== null && responseType !== 'code') return htmlError(`Unsupported response_type ${responseType}.`);
		const challenge = query.get('code_challenge');
		const method = query.get('code_challenge_method') ?? 'plain';
		if (challenge && !['S256', 'plain'].includes(method)) return htmlError(`Unsupported code_challenge_method ${method}.`);
		const code = randomBytes(24).toString('hex');
		this.codes.set(code, {
			redirectUri,
			scope: query.get('scope') ?? '',
			challenge: challenge ? { value: challenge, method } : undefined,
			expiresAt: Date.now() + CODE_TTL_MS,
			used: false,
		});
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		const state = query.get('state');
		if (state !== null) target.searchParams.set('state', state);
		const href = escapeHtml(target.toString());
		return {
			status: 302,
			headers: { location: target.toString(), 'content-type': 'text/html; charset=utf-8' },
			body: `<!doctype html><title>Authorize</title><p>Authorized. <a id="continue" href="${href}">Continue</a></p>`,
		};
	}

	/** POST /open-apis/authen/v2/oauth/token (JSON or form body; client credentials in body or Basic auth). */
	token(request: RecordedRequest): Reply {
		this.tokenRequests++;
		const params = tokenParams(request);
		const basic = basicCredentials(request.headers.authorization);
		if (basic && params.client_secret) return oauthError(20070, 'invalid_request', 'Send client_secret either in the body or in Basic authorization, not both.');
		const clientId = basic?.id ?? params.client_id;
		const clientSecret = basic?.secret ?? params.client_secret;
		if (!params.grant_type || !clientId || !clientSecret) {
			return oauthError(20001, 'invalid_request', 'The request is missing a required parameter: grant_type, client_id and client_secret are required.');
		}
		if (clientId !== this.config.clientId || clientSecret !== this.config.clientSecret) {
			return oauthError(20002, 'invalid_client', 'The client secret is invalid.');
		}
		if (params.grant_type === 'authorization_code') return this.exchangeCode(params);
		if (params.grant_type === 'refresh_token') return this.refresh(params);
		return oauthError(20036, 'unsupported_grant_type', `grant_type ${params.grant_type} is not supported.`);
	}

	/** A token pair as if the browser flow had run (scope includes offline_access). */
	issue(scope = 'offline_access'): IssuedUserToken {
		const accessToken = `u-${randomBytes(600).toString('base64url')}`;
		const refreshToken = `ur-${randomBytes(600).toString('base64url')}`;
		const now = Date.now();
		this.accessTokens.set(accessToken, { expiresAt: now + this.config.accessTokenTtlSeconds * 1000, scope });
		const issued: IssuedUserToken = {
			access_token: accessToken,
			refresh_token: refreshToken,
			expires_in: this.config.accessTokenTtlSeconds,
			refresh_token_expires_in: this.config.refreshTokenTtlSeconds,
			scope,
		};
		this.refreshTokens.set(refreshToken, {
			scope,
			expiresAt: now + this.config.refreshTokenTtlSeconds * 1000,
			used: false,
			accessToken,
		});
		return issued;
	}

	/** Checks an `Authorization` header for the user-token-only API; undefined when accepted. */
	check(authorization: string | undefined): TokenRejection | undefined {
		const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
		if (!token) return { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' };
		if (token.startsWith('t-')) {
			return { code: 99991663, msg: 'Invalid access token for authorization. This API accepts a user_access_token only.' };
		}
		const known = this.accessTokens.get(token);
		if (!known) return { code: 99991668, msg: 'Invalid access token for authorization. Please make a request with token attached.' };
		if (known.expiresAt <= Date.now()) return { code: 99991677, msg: 'Authentication token expired.' };
		return undefined;
	}

	/** Whether the user granted `scope` to an accepted bearer token (its authorization's `scope`). */
	grants(authorization: string | undefined, scope: string): boolean {
		const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
		return (this.accessTokens.get(token)?.scope ?? '').split(/\s+/).includes(scope);
	}

	expireAccessTokens(): void {
		const past = Date.now() - 1;
		for (const token of this.accessTokens.values()) token.expiresAt = past;
	}

	reset(): void {
		this.tokenRequests = 0;
		this.codes.clear();
		this.accessTokens.clear();
		this.refreshTokens.clear();
	}

	private exchangeCode(params: Record<string, string | undefined>): Reply {
		if (!params.code) return oauthError(20001, 'invalid_request', 'code is required.');
		const grant = this.codes.get(params.code);
		if (!grant) return oauthError(20003, 'invalid_grant', 'The authorization code is invalid.');
		if (grant.used) return oauthError(20065, 'invalid_grant', 'The authorization code has already been used.');
		grant.used = true;
		if (grant.expiresAt <= Date.now()) return oauthError(20004, 'invalid_grant', 'The authorization code has expired.');
		if (params.redirect_uri && params.redirect_uri !== grant.redirectUri) {
			return oauthError(20071, 'invalid_grant', 'redirect_uri does not match the one used in the authorization request.');
		}
		if (grant.challenge && !pkceMatches(grant.challenge, params.code_verifier)) {
			return oauthError(20049, 'invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge.');
		}
		return this.tokenReply(grant.scope);
	}

	private refresh(params: Record<string, string | undefined>): Reply {
		if (!params.refresh_token) return oauthError(20001, 'invalid_request', 'refresh_token is required.');
		const grant = this.refreshTokens.get(params.refresh_token);
		if (!grant) return oauthError(20026, 'invalid_grant', 'The refresh token is invalid.');
		if (grant.used) return oauthError(20073, 'invalid_grant', 'The refresh token has been used.');
		if (grant.expiresAt <= Date.now()) return oauthError(20037, 'invalid_grant', 'The refresh token has expired.');
		grant.used = true;
		const previous = this.accessTokens.get(grant.accessToken);
		if (previous) previous.expiresAt = Math.min(previous.expiresAt, Date.now() + REFRESH_GRACE_MS);
		return this.tokenReply(grant.scope);
	}

	private tokenReply(scope: string): Reply {
		const issued = this.issue(scope);
		const offline = scope.split(/\s+/).includes('offline_access');
		if (!offline) this.refreshTokens.delete(issued.refresh_token);
		return {
			status: 200,
			body: {
				code: 0,
				access_token: issued.access_token,
				expires_in: issued.expires_in,
				// A refresh token only when the user granted offline_access, as the platform does.
				...(offline ? { refresh_token: issued.refresh_token, refresh_token_expires_in: issued.refresh_token_expires_in } : {}),
				token_type: 'Bearer',
				scope,
			},
		};
	}
}

/** The signed-in user for GET /open-apis/authen/v1/user_info (a cheap call for credential tests). */
export const EMULATOR_USER = {
	name: 'Emulator User',
	en_name: 'Emulator User',
	open_id: 'ou_emulator_user',
	union_id: 'on_emulator_user',
	tenant_key: 'emulator_tenant',
	user_id: 'emulator01',
};

function tokenParams(request: RecordedRequest): Record<string, string | undefined> {
	const contentType = String(request.headers['content-type'] ?? '');
	const source: Record<string, unknown> = contentType.includes('application/x-www-form-urlencoded')
		? Object.fromEntries(new URLSearchParams(request.rawBody))
		: ((request.body as Record<string, unknown> | undefined) ?? {});
	const params: Record<string, string | undefined> = {};
	for (const name of ['grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope']) {
		const value = source[name];
		params[name] = typeof value === 'string' && value !== '' ? value : undefined;
	}
	return params;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
	const encoded = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
	if (!encoded) return undefined;
	const decoded = Buffer.from(encoded, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function pkceMatches(challenge: { value: string; method: string }, verifier: string | undefined): boolean {
	if (!verifier) return false;
	const computed = challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
	return computed === challenge.value;
}

function oauthError(code: number, error: string, description: string): Reply {
	return { status: 400, body: { code, error, error_description: description } };
}

function htmlError(message: string): Reply {
	return {
		status: 400,
		headers: { 'content-type': 'text/html; charset=utf-8' },
		body: `<!doctype html><title>Authorization failed</title><p>${escapeHtml(message)}</p>`,
	};
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
