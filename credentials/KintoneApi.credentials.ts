import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { assertKintoneDomain, kintoneAuthHeaders } from '../nodes/Kintone/transport/auth';

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
		// Checked here for every request: the secrets go only to the domain the credential names.
		// The HTTP Request node (n8n's "Custom API Call") sends the legacy `uri` instead of `url`.
		const { uri } = requestOptions as IHttpRequestOptions & { uri?: string };
		assertKintoneDomain(credentials, requestOptions.url ?? uri, requestOptions.baseURL);
		return { ...requestOptions, headers: { ...requestOptions.headers, ...kintoneAuthHeaders(credentials) } };
	}
}
