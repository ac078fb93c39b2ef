import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import type { KintoneLocation } from '../nodes/Kintone/transport/url';
import { kintoneBaseUrl } from '../nodes/Kintone/transport/url';

/** kintone accepts at most 9 API tokens in one request. */
const MAX_API_TOKENS = 9;

export class KintoneApi implements ICredentialType {
	name = 'kintoneApi';

	displayName = 'Kintone API';

	icon = { light: 'file:../nodes/Kintone/kintone.svg', dark: 'file:../nodes/Kintone/kintone.dark.svg' } as const;

	documentationUrl = 'https://cybozu.dev/en/kintone/docs/rest-api/overview/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'Domain',
			name: 'domain',
			type: 'options',
			options: [
				{ name: 'cybozu.com', value: 'cybozu.com' },
				{ name: 'kintone.com', value: 'kintone.com' },
				{ name: 'cybozu.cn', value: 'cybozu.cn' },
				{ name: 'Custom URL', value: 'custom' },
			],
			default: 'cybozu.com',
			description: 'The domain in your kintone address',
		},
		{
			displayName: 'Subdomain',
			name: 'subdomain',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'example',
			description: 'The first part of your kintone address, e.g. "example" for https://example.cybozu.com',
			displayOptions: { hide: { domain: ['custom'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://example.cybozu.com',
			description: 'The address of your kintone domain. Must use https.',
			displayOptions: { show: { domain: ['custom'] } },
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'API Token',
					value: 'apiToken',
					description: 'Tokens generated in the apps (App Settings > API Token)',
				},
				{
					name: 'Login Name and Password',
					value: 'password',
					description: "Acts as that user, with the user's permissions",
				},
			],
			default: 'apiToken',
		},
		{
			displayName: 'API Tokens',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'One API token, or up to 9 separated by commas (one per app the workflow uses, e.g. for lookups). Each token needs the permissions of the operations you run.',
			displayOptions: { show: { authentication: ['apiToken'] } },
		},
		{
			displayName: 'Login Name',
			name: 'username',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['password'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { authentication: ['password'] } },
		},
		{
			displayName: 'Basic Authentication',
			name: 'useBasicAuth',
			type: 'boolean',
			default: false,
			description: 'Whether your domain also requires Basic authentication (set by your kintone administrator)',
		},
		{
			displayName: 'Basic Authentication User',
			name: 'basicAuthUser',
			type: 'string',
			default: '',
			displayOptions: { show: { useBasicAuth: [true] } },
		},
		{
			displayName: 'Basic Authentication Password',
			name: 'basicAuthPassword',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { useBasicAuth: [true] } },
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// Checked here for every request, the credential test's included: the secrets go only to the
		// domain the credential names (a checked subdomain, or a custom https address), never over http.
		const domain = new URL(kintoneBaseUrl(credentials as KintoneLocation)).origin;
		const target = new URL(requestOptions.url, requestOptions.baseURL);
		if (target.origin !== domain) {
			throw new Error(`The request goes to ${target.origin}, not to the credential's kintone domain ${domain}`);
		}
		const headers: Record<string, string> = {};
		if (credentials.authentication === 'password') {
			headers['X-Cybozu-Authorization'] = base64(`${credentials.username as string}:${credentials.password as string}`);
		} else {
			headers['X-Cybozu-API-Token'] = apiTokenHeader(String(credentials.apiToken ?? ''));
		}
		if (credentials.useBasicAuth) {
			headers.Authorization = `Basic ${base64(`${credentials.basicAuthUser as string}:${credentials.basicAuthPassword as string}`)}`;
		}
		return { ...requestOptions, headers: { ...requestOptions.headers, ...headers } };
	}

	// Listing apps works with any valid token or login, and lists nothing that is not allowed.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.domain === "custom" ? $credentials.baseUrl.trim().replace(/\\/+$/, "") : "https://" + $credentials.subdomain.trim() + "." + $credentials.domain }}',
			url: '/k/v1/apps.json',
			qs: { limit: 1 },
		},
	};
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
