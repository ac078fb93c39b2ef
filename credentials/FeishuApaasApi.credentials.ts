import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import type { FeishuApaasTokenState } from '../nodes/FeishuApaas/transport/tokenState';
import { TENANT_GRANT_PATH, credentialBaseUrl, tokenOwner } from '../nodes/FeishuApaas/transport/tokenState';
import { platformProperties } from '../nodes/feishu/platform';

interface TenantTokenAnswer {
	code?: number;
	msg?: string;
	tenant_access_token?: string;
	expire?: number;
}

/**
 * Custom app ("自建应用") access to Feishu aPaaS application objects: n8n exchanges App ID and App
 * Secret for a tenant access token (valid two hours) and keeps it in a hidden field until it expires.
 */
export class FeishuApaasApi implements ICredentialType {
	name = 'feishuApaasApi';

	displayName = 'Feishu aPaaS App API';

	icon: Icon = {
		light: 'file:../nodes/FeishuApaas/feishuApaas.svg',
		dark: 'file:../nodes/FeishuApaas/feishuApaas.dark.svg',
	};

	documentationUrl =
		'https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal';

	properties: INodeProperties[] = [
		{
			displayName:
				'Use a custom app of the Feishu (or Lark) developer console with the scopes app_engine:object.record:read and app_engine:object.record:write. The admin of each aPaaS application must also grant the app access to its data.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		...platformProperties('Serves /open-apis/... like open.feishu.cn does.'),
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: 'cli_a1b2c3d4e5f6',
			required: true,
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Tenant Access Token',
			name: 'tenantAccessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Token Expires At',
			name: 'tokenExpiresAt',
			type: 'hidden',
			typeOptions: { password: true },
			default: 0,
		},
		{
			displayName: 'Token Issued For',
			name: 'tokenIssuedFor',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	/** Runs when the token field is empty (first use, or the node cleared it to renew). */
	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		const baseUrl = credentialBaseUrl(credentials);
		let answer: TenantTokenAnswer;
		try {
			answer = (await this.helpers.httpRequest({
				method: 'POST',
				url: `${baseUrl}${TENANT_GRANT_PATH}`,
				body: { app_id: String(credentials.appId ?? '').trim(), app_secret: credentials.appSecret },
				json: true,
				ignoreHttpStatusErrors: true,
			})) as TenantTokenAnswer;
		} catch (error) {
			// A fresh error: the thrown one carries the request, and with it the app secret.
			throw new Error(
				`Could not reach ${baseUrl} for a tenant access token (${(error as { code?: string }).code ?? 'network error'})`,
			);
		}
		if (answer?.code !== 0 || typeof answer.tenant_access_token !== 'string' || !answer.tenant_access_token) {
			throw new Error(
				`Feishu gave no tenant access token (code ${answer?.code ?? 'none'}: ${answer?.msg ?? 'no message'}). Check the App ID and App Secret of the credential.`,
			);
		}
		const expiresInSeconds = typeof answer.expire === 'number' && answer.expire > 0 ? answer.expire : 7200;
		const state: FeishuApaasTokenState = {
			tenantAccessToken: answer.tenant_access_token,
			tokenExpiresAt: Date.now() + expiresInSeconds * 1000,
			tokenIssuedFor: tokenOwner(credentials),
		};
		return { ...state };
	}

	// A function rather than an expression template: n8n evaluates a template for every request,
	// which cost more CPU than the rest of a 500-record request's handling.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const token = String(credentials.tenantAccessToken ?? '');
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: `Bearer ${token}` } };
	}

	// The credential test is the node's (methods.credentialTest): n8n's declarative rules compare one
	// value only, so they cannot fail on every non-zero Feishu code.
}
