import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { feishuApiBaseUrl } from '../../feishu/api';
import { HINTS } from '../transport';
import { TENANT_GRANT_PATH } from '../transport/tokenState';

/** The fix for a code the hint table does not know. */
const CHECK_PAIR =
	'Check the App ID and App Secret in the developer console (open.feishu.cn/app) > your app > Credentials & Basic Info, and the Platform.';

interface TokenAnswer {
	code?: unknown;
	msg?: unknown;
	tenant_access_token?: unknown;
}

/**
 * The credential's "Test": asks Feishu for a tenant access token with the App ID and App Secret.
 * Any non-zero code fails, with Feishu's code and message and what to do. n8n's declarative test
 * rules compare one value each, so they could only fail on the codes listed in advance.
 */
export async function feishuApaasApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const base = feishuApiBaseUrl(data.platform, data.baseUrl);
	if ('problem' in base) return { status: 'Error', message: base.problem };
	const secret = String(data.appSecret ?? '');
	let response: { statusCode?: number; body?: unknown };
	try {
		// ICredentialTestFunctions offers only the legacy request helper, not httpRequest.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		response = (await this.helpers.request({
			method: 'POST',
			uri: `${base.url}${TENANT_GRANT_PATH}`,
			body: { app_id: String(data.appId ?? '').trim(), app_secret: secret },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			// The credential dialog waits for this answer: an address that never answers must not hang it.
			timeout: 20_000,
		})) as typeof response;
	} catch (error) {
		// A message of its own: the thrown error carries the request, and with it the app secret.
		const reason = (error as { code?: unknown }).code;
		return { status: 'Error', message: `Could not reach ${base.url} (${typeof reason === 'string' ? reason : 'network error'}). Check the Platform and the Base URL.` };
	}
	const message = verdict(response, base.url);
	if (message === undefined) return { status: 'OK', message: 'Connection successful: Feishu issued a tenant access token' };
	return { status: 'Error', message: secret === '' ? message : message.split(secret).join('*****') };
}

/** Undefined when Feishu issued a token; otherwise what went wrong and what to do. */
function verdict(response: { statusCode?: number; body?: unknown }, baseUrl: string): string | undefined {
	const answer = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as TokenAnswer;
	if (typeof answer.code !== 'number') {
		return `${baseUrl} answered HTTP ${response.statusCode ?? '?'} without a Feishu code. Check the Platform and the Base URL.`;
	}
	const said = `[${answer.code}] ${typeof answer.msg === 'string' && answer.msg !== '' ? answer.msg : 'no message'}`;
	if (answer.code !== 0) return `Feishu refused the App ID and App Secret: ${said}. ${HINTS[String(answer.code)] ?? CHECK_PAIR}`;
	if (typeof answer.tenant_access_token !== 'string' || answer.tenant_access_token === '') {
		return `Feishu answered ${said} but issued no tenant access token. ${CHECK_PAIR}`;
	}
	return undefined;
}
