import { ClientOAuth2 } from '@n8n/client-oauth2';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { FeishuApaasApi } from '../../credentials/FeishuApaasApi.credentials';
import { FeishuDataTableOAuth2Api } from '../../credentials/FeishuDataTableOAuth2Api.credentials';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import type { RecordedRequest } from '../emulators/server';
import type { TestEnvironment } from '../harness/workflow';
import { createCredentials, runNode } from '../harness/workflow';
import {
	CREDENTIAL,
	USER_PRODUCTS,
	WORKSPACE,
	autoMapColumns,
	environment,
	nodeUnderTest,
	purchases,
	target,
	useFeishuDataTableEmulator,
} from './setup';

const TABLE = USER_PRODUCTS.name;
const isWrite = (request: RecordedRequest) => request.method === 'POST' && request.path.endsWith('/records');

describe('Feishu Data Table OAuth2: user token refresh', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);

	async function upsertParameters(env: TestEnvironment): Promise<INodeParameters> {
		const parameters = { ...target(TABLE), operation: 'upsert', resolution: 'merge-duplicates' };
		return { ...parameters, columns: await autoMapColumns(env, parameters, ['user_id', 'product_id']) } as INodeParameters;
	}

	/** Makes every access token expire when the Nth write arrives, before it is handled. */
	function expireTokensAtWrite(nth: number) {
		let writes = 0;
		dataTable.emulator.server.inject({
			match: (request) => {
				if (isWrite(request) && ++writes === nth) dataTable.emulator.expireAccessTokens();
				return false;
			},
			action: { kind: 'delay', ms: 0 },
		});
	}

	const storedToken = (env: ReturnType<typeof createCredentials>) =>
		env.get(CREDENTIAL)?.oauthTokenData as IDataObject | undefined;

	it('refreshes a token that expires mid-run through the token endpoint, rotates the refresh token and completes', async () => {
		const env = environment(dataTable.emulator);
		const parameters = await upsertParameters(env);
		const original = env.credentials![CREDENTIAL].oauthTokenData as IDataObject;
		dataTable.emulator.server.reset();
		expireTokensAtWrite(2);

		const credentials = createCredentials(env);
		const result = await runNode(env, nodeUnderTest(parameters), purchases(1200), credentials);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(1200);
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(1200);
		expect(dataTable.emulator.tokenRequests).toBe(1);
		const tokenRequest = dataTable.emulator.server.requests.find((request) => request.path.endsWith('/oauth/token'))!;
		const form = new URLSearchParams(tokenRequest.rawBody);
		expect(form.get('grant_type')).toBe('refresh_token');
		expect(form.get('refresh_token')).toBe(original.refresh_token);
		expect(form.get('client_id')).toBe(dataTable.emulator.clientId);
		expect(tokenRequest.headers.authorization).toBeUndefined();
		// The new pair is stored: the used refresh token is gone for good.
		expect(credentials.updates).toHaveLength(1);
		const stored = storedToken(credentials)!;
		expect(stored.refresh_token).not.toBe(original.refresh_token);
		expect(stored.access_token).not.toBe(original.access_token);
		// Writes: the first, the one refused for the expired token, its replay that made n8n refresh, then the rest.
		const writes = dataTable.emulator.server.requests.filter(isWrite);
		expect(writes.filter((request) => request.headers.authorization === `Bearer ${stored.access_token as string}`)).toHaveLength(2);
	});

	it('uses the rotated refresh token on the next run (refresh tokens are single-use)', async () => {
		const env = environment(dataTable.emulator);
		const parameters = await upsertParameters(env);
		const credentials = createCredentials(env);
		for (const offset of [0, 100]) {
			dataTable.emulator.expireAccessTokens();
			const result = await runNode(env, nodeUnderTest(parameters), purchases(100, offset), credentials);
			expect(result.error).toBeUndefined();
		}
		expect(dataTable.emulator.tokenRequests).toBe(2);
		expect(credentials.updates).toHaveLength(2);
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(200);
	});

	it('refreshes when the expired-token code comes with HTTP 200, then replays once', async () => {
		const env = environment(dataTable.emulator);
		const parameters = await upsertParameters(env);
		dataTable.emulator.server.reset();
		dataTable.emulator.server.inject({
			match: isWrite,
			action: { kind: 'respond', reply: { status: 200, body: { code: 99991677, msg: 'Authentication token expired.' } } },
		});

		const credentials = createCredentials(env);
		const result = await runNode(env, nodeUnderTest(parameters), purchases(10), credentials);

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.tokenRequests).toBe(1);
		expect(dataTable.emulator.server.requests.filter(isWrite)).toHaveLength(2);
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(10);
	});

	it('lets n8n refresh on its own when the expired-token code comes with HTTP 401', async () => {
		const strict = await startFeishuDataTableEmulator({ authErrorStatus: 401 });
		try {
			await strict.createTable(WORKSPACE, USER_PRODUCTS);
			const env = environment(strict);
			const parameters = await upsertParameters(env);
			strict.expireAccessTokens();

			const result = await runNode(env, nodeUnderTest(parameters), purchases(10), createCredentials(env));

			expect(result.error).toBeUndefined();
			expect(strict.tokenRequests).toBe(1);
			expect(await strict.rows(WORKSPACE, TABLE)).toHaveLength(10);
		} finally {
			await strict.close();
		}
	});

	it('asks to reconnect when the refresh token no longer works, without writing or leaking tokens', async () => {
		const env = environment(dataTable.emulator);
		const parameters = await upsertParameters(env);
		const data = env.credentials![CREDENTIAL];
		const token = data.oauthTokenData as IDataObject;
		// Another n8n instance already used this refresh token.
		await fetch(`${dataTable.emulator.url}/open-apis/authen/v2/oauth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				grant_type: 'refresh_token',
				client_id: dataTable.emulator.clientId,
				client_secret: dataTable.emulator.clientSecret,
				refresh_token: token.refresh_token,
			}),
		});
		dataTable.emulator.expireAccessTokens();

		const insert = { ...parameters, operation: 'insert' };
		const result = await runNode(env, nodeUnderTest(insert), purchases(3), createCredentials(env));

		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/reconnect/i);
		expect(await dataTable.emulator.rows(WORKSPACE, TABLE)).toHaveLength(0);
		const everything = JSON.stringify(result.run.data);
		for (const secret of [token.access_token, token.refresh_token, dataTable.emulator.clientSecret]) {
			expect(everything).not.toContain(secret as string);
		}
	});
});

describe('Feishu Data Table OAuth2 credential', () => {
	const dataTable = useFeishuDataTableEmulator();

	async function resolved(data: IDataObject) {
		const credentials = createCredentials({ ...environment(dataTable.emulator, data as never) });
		return await credentials.getDecrypted({} as never, { id: '1', name: 'test' }, CREDENTIAL, 'internal');
	}

	it('derives the authorize, token and API hosts from the platform', async () => {
		const feishu = await resolved({ platform: 'feishu' });
		expect(feishu.authUrl).toBe('https://accounts.feishu.cn/open-apis/authen/v1/authorize');
		expect(feishu.accessTokenUrl).toBe('https://open.feishu.cn/open-apis/authen/v2/oauth/token');
		const lark = await resolved({ platform: 'lark' });
		expect(lark.authUrl).toBe('https://accounts.larksuite.com/open-apis/authen/v1/authorize');
		expect(lark.accessTokenUrl).toBe('https://open.larksuite.com/open-apis/authen/v2/oauth/token');
		const custom = await resolved({ platform: 'custom', baseUrl: `${dataTable.emulator.url}/` });
		expect(custom.authUrl).toBe(`${dataTable.emulator.url}/open-apis/authen/v1/authorize`);
		expect(custom.accessTokenUrl).toBe(`${dataTable.emulator.url}/open-apis/authen/v2/oauth/token`);
		expect(String(custom.scope).split(' ')).toEqual(
			expect.arrayContaining(['offline_access', 'app_engine:workspace.table.record:write']),
		);
		expect(custom.authentication).toBe('body');
		// n8n's "token expired status" stays with the generic OAuth2 credential, so the node can set it.
		expect(custom.tokenExpiredStatusCode).toBeUndefined();
	});

	it('asks for the SQL scope (keys of several columns) only when "Read Keys of Several Columns" is on', async () => {
		const SQL = 'app_engine:workspace.sql_commands:write';
		expect(String((await resolved({ platform: 'feishu' })).scope).split(' ')).not.toContain(SQL);
		const scopes = String((await resolved({ platform: 'feishu', compositeKeys: true })).scope).split(' ');
		expect(scopes).toEqual(expect.arrayContaining(['offline_access', 'app_engine:workspace.table:read', SQL]));
	});

	it('shows the set-up notice and the platform choice before its own other fields, as the aPaaS credential does', () => {
		const shown = (credential: { properties: Array<{ name: string; type: string }> }) =>
			credential.properties.filter((property) => property.type !== 'hidden').map((property) => property.name);
		expect(shown(new FeishuDataTableOAuth2Api())).toEqual(['setupNotice', 'platform', 'baseUrl', 'compositeKeys']);
		expect(shown(new FeishuApaasApi()).slice(0, 3)).toEqual(['setupNotice', 'platform', 'baseUrl']);
	});

	it("connects through n8n's OAuth2 client: authorize, then exchange the code with the secret in the body", async () => {
		const data = await resolved({ platform: 'custom', baseUrl: dataTable.emulator.url, clientId: dataTable.emulator.clientId, clientSecret: dataTable.emulator.clientSecret });
		const redirectUri = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';
		const client = new ClientOAuth2({
			clientId: data.clientId as string,
			clientSecret: data.clientSecret as string,
			authorizationUri: data.authUrl as string,
			accessTokenUri: data.accessTokenUrl as string,
			redirectUri,
			scopes: String(data.scope).split(' '),
			authentication: data.authentication as 'body',
			state: 'state-1',
		});

		const consent = await fetch(client.code.getUri(), { redirect: 'manual' });
		expect(consent.status).toBe(302);
		const token = await client.code.getToken(consent.headers.get('location')!);

		expect(token.accessToken).toMatch(/^u-/);
		expect(token.refreshToken).toBeTruthy();
		expect(String(token.data.scope)).toContain('offline_access');
	});
});
