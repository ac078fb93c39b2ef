import type { IDataObject, INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { FeishuApaasApi } from '../../credentials/FeishuApaasApi.credentials';
import { FeishuDataTable } from '../../nodes/FeishuDataTable/FeishuDataTable.node';
import { TestNodeTypes } from '../harness/types';
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

	it('aPaaS: the credential test request', () => {
		const node: INode = { id: 'n', name: 'n', type: 'feishuDataTable', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: new TestNodeTypes([new FeishuDataTable()]) });
		const baseUrl = (data: IDataObject) =>
			String(workflow.expression.getSimpleParameterValue(node, new FeishuApaasApi().test.request.baseURL!, 'internal', { $credentials: data }));
		for (const custom of insecure) {
			expect(new URL(baseUrl({ platform: 'custom', baseUrl: custom })).protocol).toBe('https:');
			expect(baseUrl({ platform: 'custom', baseUrl: custom })).not.toContain('example');
		}
		expect(baseUrl({ platform: 'custom', baseUrl: 'http://127.0.0.1:8080/' })).toBe('http://127.0.0.1:8080');
		expect(baseUrl({ platform: 'lark' })).toBe('https://open.larksuite.com');
	});
});
