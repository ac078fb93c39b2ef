import type { INodeProperties } from 'n8n-workflow';

import { FEISHU_HOSTS } from './api';

/**
 * The credential fields that choose where the Open Platform is: Feishu, Lark, or a custom base URL
 * (a gateway or a local emulator). `serves` says what the custom URL must answer.
 */
export function platformProperties(serves: string): INodeProperties[] {
	const baseUrlDescription = `${serves} Must use https, except for a local address (127.0.0.1, localhost, [::1]).`;
	return [
		{
			displayName: 'Platform',
			name: 'platform',
			type: 'options',
			options: [
				{ name: 'Feishu (open.feishu.cn)', value: 'feishu' },
				{ name: 'Lark (open.larksuite.com)', value: 'lark' },
				{ name: 'Custom Base URL', value: 'custom' },
			],
			default: 'feishu',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://open.example.com',
			required: true,
			description: baseUrlDescription,
			displayOptions: { show: { platform: ['custom'] } },
		},
	];
}

/**
 * Stands in for a custom base URL that is neither https nor loopback http, in the URLs n8n itself
 * sends secrets to (OAuth2 token exchange and refresh, credential tests): a reserved name that never
 * resolves, so nothing is sent, and the error names the problem.
 */
export const INSECURE_BASE_URL = 'https://base-url-must-use-https.invalid';

/**
 * An n8n expression for the chosen platform's API or accounts host, without a trailing slash; a
 * custom base URL serves both. `fields` is how the expression reaches the credential's fields:
 * `$credentials` in requests, `$self` in the credential's own field defaults.
 */
export function platformHostExpression(fields: '$credentials' | '$self', host: 'api' | 'accounts'): string {
	const custom = `String(${fields}.baseUrl).trim()`;
	const secure = `/^(https:\\/\\/|http:\\/\\/(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?(\\/|$))/i.test(${custom})`;
	const customHost = `(${secure} ? ${custom}.replace(/\\/+$/, '') : '${INSECURE_BASE_URL}')`;
	return `{{ ${fields}.platform === 'lark' ? '${FEISHU_HOSTS.lark[host]}' : ${fields}.platform === 'custom' ? ${customHost} : '${FEISHU_HOSTS.feishu[host]}' }}`;
}
