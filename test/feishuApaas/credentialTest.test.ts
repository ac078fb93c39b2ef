import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ICredentialTestFunctions, IDataObject, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { CredentialTestContext } from 'n8n-core';

import { FeishuApaasApi } from '../../credentials/FeishuApaasApi.credentials';
import { FeishuApaas } from '../../nodes/FeishuApaas/FeishuApaas.node';
import { TOKEN_PATH } from '../emulators/feishuApaas';
import { credentialData, requestsTo, useFeishuApaasEmulator } from './setup';

/** The credential's "Test" button: n8n calls the node's test function with a CredentialTestContext. */
describe('Feishu aPaaS credential test (the node\'s credentialTest, as n8n runs it)', () => {
	const apaas = useFeishuApaasEmulator();
	const node = new FeishuApaas();

	async function test(data: IDataObject = {}) {
		// n8n's own context: only the legacy request helper, no httpRequest.
		const context = new CredentialTestContext({} as IWorkflowExecuteAdditionalData) as unknown as ICredentialTestFunctions;
		return await node.methods.credentialTest.feishuApaasApiTest.call(context, {
			id: '1',
			name: 'Feishu aPaaS App API',
			type: 'feishuApaasApi',
			data: credentialData(apaas.emulator, data),
		});
	}

	it('is the one n8n runs: the credential has no declarative test (which n8n would prefer) and the node names this function', () => {
		expect(new FeishuApaasApi()).not.toHaveProperty('test');
		const entry = node.description.credentials?.find((credential) => credential.name === 'feishuApaasApi');
		expect(entry?.testedBy).toBe('feishuApaasApiTest');
		expect(node.methods.credentialTest).toHaveProperty('feishuApaasApiTest');
	});

	it('the right App ID and App Secret: OK, after one token request carrying them', async () => {
		await expect(test()).resolves.toEqual({ status: 'OK', message: 'Connection successful: Feishu issued a tenant access token' });
		const [request] = requestsTo(apaas.emulator, TOKEN_PATH);
		expect(request.body).toEqual({ app_id: apaas.emulator.appId, app_secret: apaas.emulator.appSecret });
	});

	it('a wrong App Secret (10014): Feishu\'s code and message and the fix, without the secret', async () => {
		const secret = 'wrong-secret-5be1f07c';
		const result = await test({ appSecret: secret });
		expect(result).toEqual({
			status: 'Error',
			message:
				'Feishu refused the App ID and App Secret: [10014] app secret invalid. The App Secret does not match the App ID, or the app is disabled: copy the App Secret again from the developer console (open.feishu.cn/app) > your app > Credentials & Basic Info and check that the app is enabled.',
		});
		expect(JSON.stringify(result)).not.toContain(secret);
	});

	it('an App ID Feishu does not know (10003): its code, message and where the App ID is', async () => {
		await expect(test({ appId: 'cli_unknown0000' })).resolves.toEqual({
			status: 'Error',
			message:
				'Feishu refused the App ID and App Secret: [10003] app_id is invalid. Feishu does not know this App ID: copy it from the developer console (open.feishu.cn/app) > your app > Credentials & Basic Info.',
		});
	});

	it('any other non-zero code fails too (the declarative rules let these pass): rate limited, and a code without a hint', async () => {
		apaas.emulator.refuseTokens({ status: 429, code: 99991400, msg: 'request trigger frequency limit' });
		await expect(test()).resolves.toEqual({
			status: 'Error',
			message:
				"Feishu refused the App ID and App Secret: [99991400] request trigger frequency limit. Feishu is limiting this app's requests: wait a minute and try again.",
		});
		apaas.emulator.refuseTokens({ status: 200, code: 10013, msg: 'get tenant access token fail' });
		await expect(test()).resolves.toEqual({
			status: 'Error',
			message:
				'Feishu refused the App ID and App Secret: [10013] get tenant access token fail. Check the App ID and App Secret in the developer console (open.feishu.cn/app) > your app > Credentials & Basic Info, and the Platform.',
		});
		expect(apaas.emulator.tokensIssued).toBe(0);
	});

	it('a host that does not answer: says so, names the base URL, never the secret', async () => {
		const result = await test({ baseUrl: 'http://127.0.0.1:1' });
		expect(result).toEqual({
			status: 'Error',
			message: 'Could not reach http://127.0.0.1:1 (ECONNREFUSED). Check the Platform and the Base URL.',
		});
		expect(JSON.stringify(result)).not.toContain(apaas.emulator.appSecret);
	});

	it('a host that is not a Feishu API (a web page): the HTTP status, no code to show', async () => {
		const page = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>portal</html>'));
		await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
		const baseUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
		try {
			await expect(test({ baseUrl })).resolves.toEqual({
				status: 'Error',
				message: `${baseUrl} answered HTTP 200 without a Feishu code. Check the Platform and the Base URL.`,
			});
		} finally {
			await new Promise((resolve) => page.close(resolve));
		}
	});

	it('a custom base URL over plain http to another host is refused before anything is sent', async () => {
		await expect(test({ baseUrl: 'http://open.example.com' })).resolves.toEqual({
			status: 'Error',
			message: "The credential's Base URL must use https (http only for 127.0.0.1, localhost or [::1])",
		});
		expect(apaas.emulator.server.requests).toHaveLength(0);
	});
});
