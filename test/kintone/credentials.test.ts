import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';
import { CredentialTestContext } from 'n8n-core';

import { KintoneApi } from '../../credentials/KintoneApi.credentials';
import { Kintone } from '../../nodes/Kintone/Kintone.node';
import { createSampleApp, startKintoneEmulator } from '../emulators/kintone';
import { createCredentials, testAdditionalData } from '../harness/workflow';
import { columns, F, runKintone, sampleRecord, useKintoneEmulator } from './setup';

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('Kintone API credential', () => {
	const kintone = useKintoneEmulator();
	beforeEach(() => {
		kintone.emulator.seedRecords(kintone.sample.app, [sampleRecord(1)]);
	});

	const custom = (data: ICredentialDataDecryptedObject) => ({ domain: 'custom', baseUrl: kintone.emulator.url, ...data });
	const readAll = (credential: ICredentialDataDecryptedObject) =>
		runKintone(kintone.emulator, kintone.sample, { operation: 'getAll', returnAll: true }, [{}], { credential });

	it('sends a list of API tokens as one comma-separated header (lookups need the source app’s token too)', async () => {
		const credential = custom({ authentication: 'apiToken', apiToken: ` ${kintone.sample.token} ,${kintone.sample.customersToken}, ` });

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'create', columns: columns({ [F.code]: 'L-1', [F.customerCode]: 'C003' }) },
			[{}],
			{ credential },
		);

		expect(result.error).toBeUndefined();
		const post = kintone.emulator.server.requests.find((request) => request.method === 'POST')!;
		expect(post.headers['x-cybozu-api-token']).toBe(`${kintone.sample.token},${kintone.sample.customersToken}`);
		expect(kintone.emulator.record(kintone.sample.app, result.outputs[0][0].json.id as string)?.record[F.customerName].value).toBe(
			'台灣資訊有限公司',
		);
	});

	it('refuses more than 9 API tokens before sending anything', async () => {
		const tokens = Array.from({ length: 10 }, (_, index) => `token-${index}`).join(',');

		const result = await readAll(custom({ authentication: 'apiToken', apiToken: tokens }));

		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('kintone accepts at most 9 API tokens per request, the credential has 10');
		expect(kintone.emulator.server.requests).toHaveLength(0);
	});

	it('signs in with login name and password, and says when they are wrong without revealing them', async () => {
		const ok = await readAll(custom({ authentication: 'password', username: 'sato', password: 'sato-pass' }));
		expect(ok.error).toBeUndefined();
		expect(ok.outputs[0]).toHaveLength(1);
		expect(kintone.emulator.server.requests[0].headers['x-cybozu-authorization']).toBe(base64('sato:sato-pass'));
		expect(kintone.emulator.server.requests[0].headers['x-cybozu-api-token']).toBeUndefined();

		const wrong = await readAll(custom({ authentication: 'password', username: 'sato', password: 'wrong-pass' }));
		expect(wrong.error?.message).toContain('[CB_WA01]');
		expect(wrong.error?.description).toBe('kintone did not accept the login name and password in the credential.');
		const everything = JSON.stringify([wrong.error, wrong.run.data.resultData]);
		expect(everything).not.toContain('wrong-pass');
		expect(everything).not.toContain(base64('sato:wrong-pass'));
	});

	it('adds Basic authentication for domains that require it', async () => {
		const guarded = await startKintoneEmulator({ basicAuth: { user: 'gate', password: 'gate-pass' } });
		try {
			const app = createSampleApp(guarded);
			guarded.seedRecords(app.app, [sampleRecord(1)]);
			const credential = {
				domain: 'custom',
				baseUrl: guarded.url,
				authentication: 'apiToken',
				apiToken: app.token,
				useBasicAuth: true,
				basicAuthUser: 'gate',
				basicAuthPassword: 'gate-pass',
			};

			const ok = await runKintone(guarded, app, { operation: 'getAll' }, [{}], { credential });
			expect(ok.error).toBeUndefined();
			expect(ok.outputs[0]).toHaveLength(1);
			expect(guarded.server.requests[0].headers.authorization).toBe(`Basic ${base64('gate:gate-pass')}`);

			const without = await runKintone(guarded, app, { operation: 'getAll' }, [{}], {
				credential: { ...credential, useBasicAuth: false },
			});
			expect(without.error?.message).toContain('HTTP 401');
		} finally {
			await guarded.close();
		}
	});

	it('only sends credentials over https, except to this machine', async () => {
		const insecure = await readAll({ domain: 'custom', baseUrl: 'http://kintone.example.com', apiToken: 'secret' });
		expect(insecure.error?.message).toBe(
			'kintone must be reached over https (http is only allowed for 127.0.0.1, localhost and [::1]); got http://kintone.example.com',
		);

		const pasted = await readAll({ domain: 'cybozu.com', subdomain: 'example.cybozu.com', apiToken: 'secret' });
		expect(pasted.error?.message).toContain('enter only the first part of your address, e.g. "example"');

		// The guard is in the credential itself, so no request of any node or test leaks it.
		await expect(
			new KintoneApi().authenticate(
				{ domain: 'custom', baseUrl: 'http://kintone.example.com', apiToken: 'secret' },
				{ url: '/k/v1/apps.json', baseURL: 'http://kintone.example.com' },
			),
		).rejects.toThrow('kintone must be reached over https');
		expect(kintone.emulator.server.requests).toHaveLength(0);
	});

	describe('credential test', () => {
		/** Runs the node's credential test as n8n's CredentialsTester does: found through `testedBy`, with n8n-core's own context. */
		async function testCredential(data: ICredentialDataDecryptedObject) {
			const node = new Kintone();
			const testedBy = node.description.credentials?.find((entry) => entry.name === 'kintoneApi')?.testedBy as string;
			const context = new CredentialTestContext(testAdditionalData(createCredentials({ nodeTypes: [] })));
			return await node.methods.credentialTest[testedBy as 'kintoneApiTest'].call(context, { id: 'c', name: 'Kintone', type: 'kintoneApi', data });
		}

		it('is the node\'s test function, which n8n only uses when the credential has no declarative test', () => {
			expect(new Kintone().description.credentials).toEqual([{ name: 'kintoneApi', required: true, testedBy: 'kintoneApiTest' }]);
			expect((new KintoneApi() as { test?: unknown }).test).toBeUndefined();
		});

		it('succeeds with a working token or login, signed like the node\'s requests', async () => {
			expect(await testCredential(custom({ authentication: 'apiToken', apiToken: kintone.sample.token }))).toEqual({
				status: 'OK',
				message: 'Connection successful',
			});
			expect(await testCredential(custom({ authentication: 'password', username: 'sato', password: 'sato-pass' }))).toMatchObject({ status: 'OK' });
			const [apps] = kintone.emulator.server.requests;
			expect(apps).toMatchObject({ method: 'GET', path: '/k/v1/apps.json' });
			expect(apps.headers['x-cybozu-api-token']).toBe(kintone.sample.token);
		});

		it('says kintone\'s code and message and the fix for a wrong token, never the token', async () => {
			const result = await testCredential(custom({ authentication: 'apiToken', apiToken: 'not-a-token' }));
			expect(result).toEqual({
				status: 'Error',
				message:
					'[GAIA_IA02] The specified API token does not match the API token generated via an app. — Check the API token in the credential: it must be generated in the app (kintone app settings > API Token) and have the permissions the operations need. For several apps, enter one token per app, comma-separated (up to 9).',
			});
			expect(result.message).not.toContain('not-a-token');
		});

		it('says so for a wrong password', async () => {
			const result = await testCredential(custom({ authentication: 'password', username: 'sato', password: 'wrong-pass' }));
			expect(result).toEqual({
				status: 'Error',
				message:
					'[CB_WA01] Failed to log in. The login name or password is incorrect. — kintone did not accept the login name and password in the credential.',
			});
			expect(result.message).not.toContain('wrong-pass');
		});

		it('says where it could not reach kintone, and what to check', async () => {
			const closed = http.createServer();
			await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
			const { port } = closed.address() as AddressInfo;
			await new Promise((resolve) => closed.close(resolve));

			const result = await testCredential({ domain: 'custom', baseUrl: `http://127.0.0.1:${port}`, apiToken: 'secret' });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				new RegExp(`^Could not reach kintone at http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): check the domain and subdomain \\(or the Base URL\\) in the credential, and that n8n can reach it$`),
			);
		});

		it('says when the address answers but is not kintone (an unknown subdomain)', async () => {
			const notKintone = http.createServer((_request, response) => response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
			await new Promise<void>((resolve) => notKintone.listen(0, '127.0.0.1', resolve));
			try {
				const { port } = notKintone.address() as AddressInfo;
				const result = await testCredential({ domain: 'custom', baseUrl: `http://127.0.0.1:${port}`, apiToken: 'secret' });
				expect(result).toEqual({
					status: 'Error',
					message:
						'kintone answered HTTP 404: <h1>Not Found</h1> — not a kintone answer: check the domain and subdomain (or the Base URL) in the credential',
				});
			} finally {
				await new Promise((resolve) => notKintone.close(resolve));
			}
		});

		it('follows no redirect: the token never goes where a redirect points, and the test says so', async () => {
			const { redirecting, stolen, close } = await redirectingServers();
			try {
				const result = await testCredential({ domain: 'custom', baseUrl: redirecting, apiToken: 'secret' });
				expect(result.status).toBe('Error');
				expect(result.message).toMatch(/redirects to http:\/\/localhost:\d+\/steal, not a kintone answer/);
				expect(stolen).toEqual([]);
			} finally {
				await close();
			}
		});

		it('refuses a subdomain that is not one, or http to another machine, before sending anything', async () => {
			expect(await testCredential({ domain: 'cybozu.com', subdomain: 'evil.example/x?', apiToken: 'secret' })).toEqual({
				status: 'Error',
				message: '"evil.example/x?" is not a kintone subdomain: enter only the first part of your address, e.g. "example" for https://example.cybozu.com',
			});
			expect((await testCredential({ domain: 'custom', baseUrl: 'http://kintone.example.com', apiToken: 'secret' })).message).toContain(
				'kintone must be reached over https',
			);
			expect(kintone.emulator.server.requests).toHaveLength(0);
		});
	});

	it('the node follows no redirect either: its requests never carry the token where a redirect points', async () => {
		const { redirecting, stolen, close } = await redirectingServers();
		try {
			const credential = { domain: 'custom', baseUrl: redirecting, authentication: 'apiToken', apiToken: 'secret' };
			const result = await runKintone(kintone.emulator, kintone.sample, { operation: 'getAll', returnAll: true }, [{}], { credential });
			expect(result.status).toBe('error');
			expect(stolen).toEqual([]);
		} finally {
			await close();
		}
	});

	it('never sends the token to a host other than the credential\'s checked kintone domain', async () => {
		const credentialType = new KintoneApi();
		for (const subdomain of ['evil.example/x?', 'evil.example#', 'a@evil.example']) {
			const data = { domain: 'cybozu.com', subdomain, authentication: 'apiToken', apiToken: 'secret' };
			await expect(credentialType.authenticate(data, { url: '/k/v1/apps.json', baseURL: `https://${subdomain}.cybozu.com` })).rejects.toThrow(
				'is not a kintone subdomain',
			);
		}
		// A request to another host than the credential's, whatever built it.
		await expect(
			credentialType.authenticate(
				{ domain: 'cybozu.com', subdomain: 'acme', authentication: 'apiToken', apiToken: 'secret' },
				{ url: 'https://evil.example/k/v1/apps.json' },
			),
		).rejects.toThrow("not to the credential's kintone domain https://acme.cybozu.com");
	});

	it('signs the HTTP Request node\'s requests too ("Custom API Call"), which carry `uri` instead of `url`, on the domain only', async () => {
		const credentialType = new KintoneApi();
		const data = { domain: 'cybozu.com', subdomain: 'acme', authentication: 'apiToken', apiToken: 'secret' };
		const legacy = (uri: string) => ({ uri, method: 'GET' }) as unknown as IHttpRequestOptions;
		const signed = await credentialType.authenticate(data, legacy('https://acme.cybozu.com/k/v1/record.json'));
		expect(signed.headers).toEqual({ 'X-Cybozu-API-Token': 'secret' });
		await expect(credentialType.authenticate(data, legacy('https://evil.example/k/v1/record.json'))).rejects.toThrow(
			"not to the credential's kintone domain https://acme.cybozu.com",
		);
	});
});

/** A server that redirects every request to another host, and what that host received. */
async function redirectingServers() {
	const stolen: Array<string | string[] | undefined> = [];
	const thief = http.createServer((request, response) => {
		stolen.push(request.headers['x-cybozu-api-token']);
		response.writeHead(200, { 'content-type': 'application/json' }).end('{"apps":[]}');
	});
	await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
	const thiefPort = (thief.address() as AddressInfo).port;
	const redirect = http.createServer((_request, response) => response.writeHead(302, { location: `http://localhost:${thiefPort}/steal` }).end());
	await new Promise<void>((resolve) => redirect.listen(0, '127.0.0.1', resolve));
	return {
		redirecting: `http://127.0.0.1:${(redirect.address() as AddressInfo).port}`,
		stolen,
		close: async () => {
			await new Promise((resolve) => redirect.close(resolve));
			await new Promise((resolve) => thief.close(resolve));
		},
	};
}
