import type { ICredentialTestFunctions, IDataObject } from 'n8n-workflow';

import { FeishuApaas } from '../../nodes/FeishuApaas/FeishuApaas.node';
import { createCredentials } from '../harness/workflow';
import { CREDENTIAL, environment } from './setup';

/**
 * n8n itself sends the client secret, codes and refresh tokens to the credential's token URL (when
 * connecting, and on refresh), and the Feishu aPaaS credential test sends the app secret: with a
 * custom base URL those URLs must never point at plain http on another machine.
 */
describe('Feishu credentials: a custom base URL that is not https or loopback is never used', () => {
	const insecure = ['http://open.example.com', 'http://127.0.0.1.example.com', 'http://localhost@evil.example', 'http://[::1].evil.example', 'ftp://127.0.0.1'];

	async function resolvedDataTable(baseUrl: string): Promise<IDataObject> {
		const env = environment({} as never, { platform: 'custom', baseUrl, clientId: 'id', clientSecret: 'secret' });
		return await createCredentials(env).getDecrypted({} as never, { id: '1', name: 'test' }, CREDENTIAL, 'internal');
	}

	it('data table OAuth2: the authorize and token URLs', async () => {
		for (const baseUrl of insecure) {
			const data = await resolvedDataTable(baseUrl);
			for (const url of [data.authUrl, data.accessTokenUrl]) {
				expect(new URL(String(url)).protocol).toBe('https:');
				expect(String(url)).not.toContain('example');
			}
		}
		for (const baseUrl of ['https://open.example.com/', 'http://127.0.0.1:8080', 'http://localhost', 'http://[::1]:9000/']) {
			const data = await resolvedDataTable(baseUrl);
			expect(data.accessTokenUrl).toBe(`${baseUrl.replace(/\/$/, '')}/open-apis/authen/v2/oauth/token`);
		}
	});

	it('aPaaS: the credential test sends nothing to such a base URL', async () => {
		const sent: unknown[] = [];
		const context = { helpers: { request: async (options: unknown) => sent.push(options) } } as unknown as ICredentialTestFunctions;
		for (const baseUrl of insecure) {
			const result = await new FeishuApaas().methods.credentialTest.feishuApaasApiTest.call(context, {
				id: '1',
				name: 'aPaaS',
				type: 'feishuApaasApi',
				data: { platform: 'custom', baseUrl, appId: 'cli_1', appSecret: 'secret' },
			});
			expect(result.status).toBe('Error');
		}
		expect(sent).toEqual([]);
	});
});
