import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { feishuApiBaseUrl } from '../../feishu/api';

/**
 * What the credential (which fetches the tenant access token) and the node (which renews it in
 * time) both know about the token. The credential imports this module and nothing of the node's
 * request engine; the node never imports the credential.
 */
export const CREDENTIAL_TYPE = 'feishuApaasApi';

/** Where a custom app exchanges its App ID and App Secret for a tenant access token. */
export const TENANT_GRANT_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

/** What the credential stores besides what the user enters; the node reads it to renew in time. */
export interface FeishuApaasTokenState {
	tenantAccessToken: string;
	/** Milliseconds since the epoch at which the service stops accepting the token. */
	tokenExpiresAt: number;
	/** Which app and host the token belongs to, so editing either makes the node fetch a new one. */
	tokenIssuedFor: string;
}

/** The API base URL the credential points at; throws when its custom Base URL cannot be used. */
export function credentialBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const base = feishuApiBaseUrl(credentials.platform, credentials.baseUrl);
	if ('problem' in base) throw new Error(base.problem);
	return base.url;
}

export function tokenOwner(credentials: ICredentialDataDecryptedObject): string {
	return `${String(credentials.appId ?? '').trim()}@${credentialBaseUrl(credentials)}`;
}
