import type {
	ICredentialDataDecryptedObject,
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { assertKintoneDomain, kintoneAuthHeaders } from '../transport/auth';
import { errorOf, HINTS } from '../transport/errors';
import { kintoneBaseUrl } from '../transport/url';

/** Long enough for a slow domain, short enough that the credential dialog does not hang. */
const TEST_TIMEOUT_MS = 20_000;

const WRONG_ADDRESS = 'check the domain and subdomain (or the Base URL) in the credential';

/**
 * The Kintone credential's test (`testedBy`): lists one app, signed like every request of the node.
 * n8n's declarative test would only say "Bad Request"; this says kintone's code and message and
 * what to change. Only `helpers.request` is available here, not the node's client.
 */
export async function kintoneApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data: ICredentialDataDecryptedObject = credential.data ?? {};
	let url: string;
	let headers: Record<string, string>;
	try {
		url = `${kintoneBaseUrl(data)}/k/v1/apps.json`;
		assertKintoneDomain(data, url);
		headers = kintoneAuthHeaders(data);
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	let response: { statusCode: number; body: unknown; headers: Record<string, string> };
	try {
		// A credential test gets no httpRequest: n8n's CredentialTestContext offers only request.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		response = await this.helpers.request({
			method: 'GET',
			uri: url,
			qs: { limit: 1 },
			headers,
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: TEST_TIMEOUT_MS,
			// A redirect would carry the token to wherever it points (the domain check saw only this URL).
			followRedirect: false,
			followAllRedirects: false,
			maxRedirects: 0,
		});
	} catch (error) {
		return { status: 'Error', message: `Could not reach kintone at ${new URL(url).origin} (${(error as Error).message}): ${WRONG_ADDRESS}, and that n8n can reach it` };
	}
	if (response.statusCode >= 200 && response.statusCode < 300) return { status: 'OK', message: 'Connection successful' };
	if (response.statusCode >= 300 && response.statusCode < 400) {
		const location = String(response.headers?.location ?? 'another address');
		return { status: 'Error', message: `${new URL(url).origin} redirects to ${location}, not a kintone answer: ${WRONG_ADDRESS}` };
	}
	const { code, message } = errorOf(response);
	const fix = code ? HINTS[code] : undefined;
	return {
		status: 'Error',
		message: code ? `[${code}] ${message}${fix ? ` — ${fix}` : ''}` : `${message} — not a kintone answer: ${WRONG_ADDRESS}`,
	};
}
