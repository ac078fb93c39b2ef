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
 * An n8n expression for the chosen platform's API or accounts host, without a trailing slash; a
 * custom base URL serves both. `fields` is how the expression reaches the credential's fields:
 * `$credentials` in requests, `$self` in the credential's own field defaults.
 */
export function platformHostExpression(fields: '$credentials' | '$self', host: 'api' | 'accounts'): string {
	return `{{ ${fields}.platform === 'lark' ? '${FEISHU_HOSTS.lark[host]}' : ${fields}.platform === 'custom' ? String(${fields}.baseUrl).trim().replace(/\\/+$/, '') : '${FEISHU_HOSTS.feishu[host]}' }}`;
}
