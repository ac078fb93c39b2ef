import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { SQL_SCOPE } from '../nodes/FeishuDataTable/transport/keys';
import { platformHostExpression, platformProperties } from '../nodes/feishu/platform';

/** Data table APIs accept only a user token, so the user signs in once and n8n keeps the token fresh. */
const SCOPES = [
	// Without it Feishu issues no refresh token and the user must reconnect every two hours.
	'offline_access',
	'app_engine:workspace.table:read',
	'app_engine:workspace.table:write',
	'app_engine:workspace.table.record:read',
	'app_engine:workspace.table.record:write',
];

// Feishu signs users in on the accounts host and serves tokens and APIs on the open host;
// a custom base URL (a gateway or a local emulator) serves all three.
const ACCOUNTS_HOST = platformHostExpression('$self', 'accounts');
const API_HOST = platformHostExpression('$self', 'api');

export class FeishuDataTableOAuth2Api implements ICredentialType {
	name = 'feishuDataTableOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Feishu Data Table OAuth2 API';

	icon: Icon = {
		light: 'file:../nodes/FeishuDataTable/feishuDataTable.svg',
		dark: 'file:../nodes/FeishuDataTable/feishuDataTable.dark.svg',
	};

	documentationUrl =
		'https://open.feishu.cn/document/authentication-management/access-token/get-user-access-token';

	properties: INodeProperties[] = [
		{
			displayName:
				'Create a custom app in the Feishu (or Lark) developer console, add the redirect URL shown above under Security Settings, turn on "Refresh user_access_token", and grant the data table scopes (app_engine:workspace.table:read/write and app_engine:workspace.table.record:read/write); for unique keys of several columns in Create or Update, also app_engine:workspace.sql_commands:write with Read Keys of Several Columns on.',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		...platformProperties(
			'Serves /open-apis/authen/v1/authorize, /open-apis/authen/v2/oauth/token and the data table API.',
		),
		{
			displayName: 'Read Keys of Several Columns',
			name: 'compositeKeys',
			type: 'boolean',
			default: false,
			description: `Whether to also ask for the scope ${SQL_SCOPE}, so that Create or Update offers unique keys of several columns (e.g. warehouse + sku); the table description lists single-column keys only. Add the scope to the app in the developer console first, then reconnect.`,
		},
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: `=${ACCOUNTS_HOST}/open-apis/authen/v1/authorize`,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: `=${API_HOST}/open-apis/authen/v2/oauth/token`,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			// The SQL scope only when asked for: an app without it would fail the whole sign-in.
			default: `={{ '${SCOPES.join(' ')}' + ($self.compositeKeys === true ? ' ${SQL_SCOPE}' : '') }}`,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			// The v2 token endpoint reads client_id and client_secret from the request body and
			// refuses requests that also send them as Basic auth (error 20070).
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: `=${API_HOST}`,
			url: '/open-apis/authen/v1/user_info',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 99991677,
					message: 'The user token expired. Reconnect the credential.',
				},
			},
		],
	};
}
