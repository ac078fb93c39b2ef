import axios from 'axios';
import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { KintoneApi } from '../../credentials/KintoneApi.credentials';
import { Kintone } from '../../nodes/Kintone/Kintone.node';
import { createSampleApp, startKintoneEmulator } from '../emulators/kintone';
import { TestNodeTypes } from '../harness/types';
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

	describe('credential test request', () => {
		const credentialType = new KintoneApi();
		const node: INode = { id: 'n', name: 'Kintone', type: 'kintone', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: new TestNodeTypes([new Kintone()]) });

		/** Resolves the test request with `$credentials` and sends it with the credential's authentication, as n8n does. */
		async function runCredentialTest(data: ICredentialDataDecryptedObject) {
			const { baseURL, url, qs } = credentialType.test.request;
			const resolved = workflow.expression.getSimpleParameterValue(node, baseURL, 'internal', { $credentials: data }) as string;
			const options = await credentialType.authenticate(data, { url: url!, baseURL: resolved, qs });
			return await axios.get(`${resolved}${url}`, {
				params: qs,
				headers: options.headers as Record<string, string>,
				validateStatus: () => true,
			});
		}

		it('succeeds with a working token and fails with a wrong one', async () => {
			const good = await runCredentialTest(custom({ authentication: 'apiToken', apiToken: kintone.sample.token }));
			expect(good.status).toBe(200);
			expect(good.data.apps).toHaveLength(1);

			const bad = await runCredentialTest(custom({ authentication: 'apiToken', apiToken: 'not-a-token' }));
			expect(bad.status).toBe(400);
			expect(bad.data.code).toBe('GAIA_IA02');
		});

		it('never sends the token to a host other than the credential\'s checked kintone domain', async () => {
			// A subdomain that carries a host of its own: the test URL would be https://evil.example/x?.cybozu.com/...
			for (const subdomain of ['evil.example/x?', 'evil.example#', 'a@evil.example']) {
				const data = { domain: 'cybozu.com', subdomain, authentication: 'apiToken', apiToken: 'secret' };
				const { baseURL, url } = credentialType.test.request;
				const resolved = workflow.expression.getSimpleParameterValue(node, baseURL, 'internal', { $credentials: data }) as string;
				await expect(credentialType.authenticate(data, { url: url!, baseURL: resolved })).rejects.toThrow(
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

		it('builds https://{subdomain}.{domain} for the kintone regions', () => {
			const baseUrl = (data: ICredentialDataDecryptedObject) =>
				workflow.expression.getSimpleParameterValue(node, credentialType.test.request.baseURL, 'internal', {
					$credentials: data,
				});
			expect(baseUrl({ domain: 'kintone.com', subdomain: ' acme ' })).toBe('https://acme.kintone.com');
			expect(baseUrl({ domain: 'cybozu.cn', subdomain: 'acme' })).toBe('https://acme.cybozu.cn');
			expect(baseUrl({ domain: 'custom', baseUrl: 'https://acme.s.cybozu.com/' })).toBe('https://acme.s.cybozu.com');
		});
	});
});
