import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { TOKEN_PATH } from '../emulators/feishuApaas';
import type { RecordedRequest } from '../emulators/server';
import { NS, OBJ, apaasEnvironment, runApaas, useFeishuApaasEmulator } from '../feishuApaas/setup';
import {
	CONTACTS,
	credentialData,
	environment as dataTableEnvironment,
	run as runDataTable,
	target,
	useFeishuDataTableEmulator,
} from '../feishuDataTable/setup';
import type { NodeRun } from '../harness/workflow';
import { F, columns, runKintone, tokenCredential, useKintoneEmulator } from '../kintone/setup';
import { EMPTY_COUNTS, finishFile } from './summary';

/** Where a secret was found; the suite counts these as leaks and expects none. */
const leaks: string[] = [];
let scenarios = 0;

/** A secret as it may show up: as is, URL-encoded, or base64 (as in Basic or kintone password headers). */
function forms(secret: string): string[] {
	return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])].filter((form) => form.length >= 6);
}

function search(where: string, text: string, secrets: readonly string[]): void {
	for (const secret of secrets) {
		for (const form of forms(secret)) if (text.includes(form)) leaks.push(`${where}: ${secret.slice(0, 4)}…`);
	}
}

/** Everything the run left for people and for n8n's execution log: outputs, the error, all run data. */
function scanRun(label: string, run: NodeRun, secrets: readonly string[]): void {
	scenarios++;
	search(`${label}: run data`, JSON.stringify({ outputs: run.outputs, error: run.error, data: run.run.data }), secrets);
}

/**
 * What the emulator saw, except the auth headers themselves and the bodies of token grants (the
 * one place the app secret or refresh token must go, over https or loopback only).
 */
function scanRequests(
	label: string,
	requests: readonly RecordedRequest[],
	secrets: readonly string[],
	options: { authHeaders: string[]; grantPath?: string },
): void {
	for (const request of requests) {
		const headers = Object.entries(request.headers)
			.filter(([name]) => !options.authHeaders.includes(name.toLowerCase()))
			.map(([name, value]) => `${name}: ${String(value)}`)
			.join('\n');
		const isGrant = options.grantPath !== undefined && request.path === options.grantPath && request.method === 'POST';
		search(`${label}: ${request.method} ${request.path} URL`, `${request.path}?${request.query.toString()}`, secrets);
		search(`${label}: ${request.method} ${request.path} headers`, headers, secrets);
		if (!isGrant) search(`${label}: ${request.method} ${request.path} body`, request.rawBody, secrets);
	}
}

/** The scan is only worth something if it finds the secrets where they belong: in the auth headers. */
function expectSecretsInAuthHeaders(requests: readonly RecordedRequest[], secrets: readonly string[], authHeaders: string[]): void {
	const sent = requests.flatMap((request) => authHeaders.map((name) => String(request.headers[name] ?? ''))).join('\n');
	expect(secrets.some((secret) => forms(secret).some((form) => sent.includes(form)))).toBe(true);
}

afterAll(() => {
	process.stdout.write(`secrets: ${scenarios} scenarios scanned, ${leaks.length} leaks\n`);
	finishFile('secrets', { ...EMPTY_COUNTS, leaks: leaks.length });
});

afterEach(() => {
	expect(leaks).toEqual([]);
});

describe('secrets never leak: Kintone', () => {
	const password = 'sato-pass';
	const basicPassword = 'gate-Pa55word!';
	const kintone = useKintoneEmulator({ basicAuth: { user: 'gate', password: basicPassword } });

	const kintoneAuth = { authHeaders: ['x-cybozu-api-token', 'x-cybozu-authorization', 'authorization'] };
	const withBasic = (credential: ICredentialDataDecryptedObject) => ({
		...credential,
		useBasicAuth: true,
		basicAuthUser: 'gate',
		basicAuthPassword: basicPassword,
	});
	const create = { operation: 'create', columns: columns({ [F.code]: '={{ $json.code }}', [F.quantity]: '={{ $json.qty }}' }) };

	async function scenario(label: string, credential: ICredentialDataDecryptedObject, items: IDataObject[], parameters: INodeParameters = create) {
		kintone.emulator.server.reset();
		const run = await runKintone(kintone.emulator, kintone.sample, parameters, items, { credential });
		const secrets = [kintone.sample.token, kintone.sample.customersToken, password, basicPassword, `sato:${password}`, `gate:${basicPassword}`];
		scanRun(label, run, secrets);
		scanRequests(label, kintone.emulator.server.requests, secrets, kintoneAuth);
		return run;
	}

	it('API tokens and Basic authentication: success, refused records, a wrong token, a wrong Basic password', async () => {
		const credential = withBasic(tokenCredential(kintone.emulator, kintone.sample));
		expect((await scenario('kintone success', credential, [{ code: 'A', qty: 1 }])).status).toBe('success');
		expectSecretsInAuthHeaders(kintone.emulator.server.requests, [kintone.sample.token, `gate:${basicPassword}`], kintoneAuth.authHeaders);
		expect((await scenario('kintone refused', credential, [{ code: 'B', qty: -1 }])).status).toBe('error');
		const wrongToken = await scenario('kintone wrong token', { ...credential, apiToken: 'wrong-token-123456' }, [{ code: 'C' }]);
		expect(wrongToken.status).toBe('error');
		const wrongBasic = await scenario('kintone wrong basic', { ...credential, basicAuthPassword: 'wrong-basic-pass' }, [{ code: 'D' }]);
		expect(wrongBasic.status).toBe('error');
	});

	it('login name and password: success and a wrong password', async () => {
		const credential = withBasic({ domain: 'custom', baseUrl: kintone.emulator.url, authentication: 'password', username: 'sato', password });
		expect((await scenario('kintone password', credential, [{ code: 'E', qty: 1 }])).status).toBe('success');
		expectSecretsInAuthHeaders(kintone.emulator.server.requests, [`sato:${password}`], kintoneAuth.authHeaders);
		const wrong = await scenario('kintone wrong password', { ...credential, password: 'wrong-password-1' }, [{ code: 'F' }]);
		expect(wrong.status).toBe('error');
	});

	it('a 401 and 5xx answers, and a base URL that is refused before anything is sent', async () => {
		const credential = withBasic(tokenCredential(kintone.emulator, kintone.sample));
		kintone.emulator.server.inject({ match: (request) => request.method === 'POST', action: { kind: 'respond', reply: { status: 401, body: { code: 'CB_AU01', message: 'Unauthorized' } } } });
		await scenario('kintone 401', credential, [{ code: 'G' }]);
		kintone.emulator.server.inject({ match: (request) => request.method === 'POST', times: 10, action: { kind: 'respond', reply: { status: 503, body: 'down' } } });
		await scenario('kintone 503', credential, [{ code: 'H' }]);
		const insecure = await scenario('kintone http', { ...credential, baseUrl: 'http://kintone.example.com' }, [{ code: 'I' }]);
		expect(insecure.error?.message).toMatch(/https/);
	});
});

describe('secrets never leak: Feishu aPaaS', () => {
	const apaas = useFeishuApaasEmulator();

	const update = { operation: 'update', columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] } };

	/** The app secret and every tenant token issued so far, as the apaas.emulator handed them out. */
	function secrets(): string[] {
		const tokens = apaas.emulator.server.requests
			.map((request) => /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1])
			.filter((token): token is string => !!token);
		return [apaas.emulator.appSecret, ...new Set(tokens)];
	}

	async function scenario(label: string, credentials: IDataObject, items: IDataObject[], prepare?: () => void) {
		apaas.emulator.server.reset();
		prepare?.();
		const env = apaasEnvironment(apaas.emulator, credentials);
		const run = await runApaas(apaas.emulator, update, items, { env });
		scanRun(label, run, secrets());
		scanRequests(label, apaas.emulator.server.requests, secrets(), { authHeaders: ['authorization'], grantPath: TOKEN_PATH });
		return run;
	}

	it('success, a token that expires mid-run, refused records, a 401, a 5xx, a wrong app secret and app ID', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }]);
		expect((await scenario('apaas success', {}, [{ _id: id, book_count: 2 }])).status).toBe('success');
		expectSecretsInAuthHeaders(apaas.emulator.server.requests, secrets().slice(1), ['authorization']);
		await scenario('apaas expired', {}, [{ _id: id, book_count: 3 }], () => apaas.emulator.expireTokensBeforeRequest(1));
		expect((await scenario('apaas refused', {}, [{ _id: id, book_count: 'many' }])).status).toBe('error');
		await scenario('apaas 401', {}, [{ _id: id, book_count: 4 }], () =>
			apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_update'), times: 3, action: { kind: 'respond', reply: { status: 401, body: { code: 99991663, msg: 'Invalid access token' } } } }),
		);
		await scenario('apaas 503', {}, [{ _id: id, book_count: 5 }], () =>
			apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_update'), times: 2, action: { kind: 'respond', reply: { status: 503, body: 'down' } } }),
		);
		const wrongSecret = 'wrong-app-secret-9999';
		const wrong = await scenario('apaas wrong secret', { appSecret: wrongSecret }, [{ _id: id, book_count: 6 }]);
		expect(wrong.status).toBe('error');
		search('apaas wrong secret: run data', JSON.stringify(wrong.run.data), [wrongSecret]);
		expect((await scenario('apaas wrong app id', { appId: 'cli_wrong' }, [{ _id: id, book_count: 7 }])).status).toBe('error');
		const insecure = await scenario('apaas http', { baseUrl: 'http://open.example.com' }, [{ _id: id, book_count: 8 }]);
		expect(insecure.error?.message).toMatch(/https/);
	});
});

describe('secrets never leak: Feishu Data Table', () => {
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	/** The client secret and every access and refresh token the credential held or received. */
	function secrets(credential: ICredentialDataDecryptedObject, run?: NodeRun): string[] {
		const tokens = [credential, ...(run?.credentials.updates.map((update) => update.data) ?? [])].flatMap((data) => {
			const token = data.oauthTokenData as IDataObject | undefined;
			return [token?.access_token, token?.refresh_token].filter((value): value is string => typeof value === 'string');
		});
		return [dataTable.emulator.clientSecret, ...tokens];
	}

	async function scenario(label: string, credential: ICredentialDataDecryptedObject, prepare?: () => void) {
		const env = dataTableEnvironment(dataTable.emulator, credential);
		const columns = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };
		const parameters = { ...target(CONTACTS.name), operation: 'insert', columns } as INodeParameters;
		dataTable.emulator.server.reset();
		prepare?.();
		const run = await runDataTable(env, parameters, [{ email: `${label.replace(/\W/g, '')}@x`, score: 1 }]);
		const all = secrets(credential, run);
		scanRun(label, run, all);
		scanRequests(label, dataTable.emulator.server.requests, all, { authHeaders: ['authorization'], grantPath: '/open-apis/authen/v2/oauth/token' });
		return run;
	}

	it('success, an expired token refreshed mid-run, a refresh token already used, a wrong client secret, a 401', async () => {
		const first = credentialData(dataTable.emulator);
		expect((await scenario('table success', first)).status).toBe('success');
		expectSecretsInAuthHeaders(dataTable.emulator.server.requests, secrets(first), ['authorization']);
		expect((await scenario('table expired', credentialData(dataTable.emulator), () => dataTable.emulator.expireAccessTokens())).status).toBe('success');

		const used = credentialData(dataTable.emulator);
		const usedToken = used.oauthTokenData as IDataObject;
		await fetch(`${dataTable.emulator.url}/open-apis/authen/v2/oauth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ grant_type: 'refresh_token', client_id: dataTable.emulator.clientId, client_secret: dataTable.emulator.clientSecret, refresh_token: usedToken.refresh_token }),
		});
		const reconnect = await scenario('table refresh used', used, () => dataTable.emulator.expireAccessTokens());
		expect(reconnect.status).toBe('error');

		const wrongSecret = { ...credentialData(dataTable.emulator), clientSecret: 'wrong-client-secret-1' };
		const wrong = await scenario('table wrong secret', wrongSecret, () => dataTable.emulator.expireAccessTokens());
		expect(wrong.status).toBe('error');
		search('table wrong secret: run data', JSON.stringify(wrong.run.data), ['wrong-client-secret-1']);

		await scenario('table 401', credentialData(dataTable.emulator), () =>
			dataTable.emulator.server.inject({ match: (request) => request.method === 'POST' && request.path.endsWith('/records'), times: 3, action: { kind: 'respond', reply: { status: 401, body: { code: 99991677, msg: 'Authentication token expired.' } } } }),
		);
		const insecure = await scenario('table http', { ...credentialData(dataTable.emulator), baseUrl: 'http://open.example.com' });
		expect(insecure.status).toBe('error');
	});
});
