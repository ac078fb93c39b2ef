import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestMethods,
	INode,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FeishuApaasTokenState } from '../../../credentials/FeishuApaasApi.credentials';
import { tokenOwner } from '../../../credentials/FeishuApaasApi.credentials';
import type { FeishuEnvelope } from '../../feishu/api';
import { FEISHU_CODES, feishuApiBaseUrl, feishuRules } from '../../feishu/api';
import type { HttpResponse, RequestContext, ServiceRules } from '../../shared/request';
import type { RetryBudget } from '../../shared/retry';
import { sendRequest, withCredentialData } from '../../shared/request';
import { DEFAULT_RETRY_BUDGET } from '../../shared/retry';
import { Throttle } from '../../shared/throttle';

export const CREDENTIAL_TYPE = 'feishuApaasApi';

/** The largest batch every aPaaS batch endpoint accepts, and the largest query page. */
export const MAX_BATCH = 500;

// The official SDK renews three minutes before expiry too: a request in flight must not outlive its token.
const RENEW_MARGIN_MS = 3 * 60_000;

// Documented for every object record API: 50 per second and 1,000 per minute per app.
export const RATE_WINDOWS = [
	{ limit: 50, intervalMs: 1_000 },
	{ limit: 1_000, intervalMs: 60_000 },
];

/** Where records live: an application namespace and an object, both API names. */
export interface ObjectTarget {
	namespace: string;
	objectApiName: string;
}

/** What one execution needs to talk to the service; built once, shared by all requests. */
export interface ApaasClient {
	baseUrl: string;
	throttle?: Throttle;
	timeoutMs: number;
	retry: RetryBudget;
}

const API_NAME = /^[A-Za-z0-9_]+$/;

/** Rejects anything but a plain API name, so that a value can never change the request target. */
export function validateApiName(node: INode, value: unknown, label: string): string {
	const text = typeof value === 'string' ? value.trim() : String(value ?? '');
	if (!API_NAME.test(text) || text.length > 256) {
		throw new NodeOperationError(node, `${label} "${text}" is not a valid API name`, {
			description: `Use the ${label.toLowerCase()}'s API name as shown in the aPaaS console: letters, digits and underscores, at most 256 characters (e.g. package_test__c).`,
		});
	}
	return text;
}

export function targetOf(node: INode, namespace: unknown, objectApiName: unknown): ObjectTarget {
	return {
		namespace: validateApiName(node, namespace, 'Namespace'),
		objectApiName: validateApiName(node, objectApiName, 'Object'),
	};
}

function applicationPath(namespace: string, suffix: string): string {
	return `/open-apis/apaas/v1/applications/${encodeURIComponent(namespace)}/${suffix}`;
}

export function recordsPath({ namespace, objectApiName }: ObjectTarget, action: string): string {
	return applicationPath(namespace, `objects/${encodeURIComponent(objectApiName)}/records/${action}`);
}

export function objectSearchPath(namespace: string): string {
	return applicationPath(namespace, 'objects/search');
}

export async function createClient(
	ctx: RequestContext,
	options: { throttle: boolean; timeoutMs: number; retry?: RetryBudget },
): Promise<ApaasClient> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const base = feishuApiBaseUrl(credentials.platform, credentials.baseUrl);
	if ('problem' in base) throw new NodeOperationError(ctx.getNode(), base.problem);
	return {
		baseUrl: base.url,
		throttle: options.throttle ? new Throttle(RATE_WINDOWS) : undefined,
		timeoutMs: options.timeoutMs,
		retry: options.retry ?? DEFAULT_RETRY_BUDGET,
	};
}

/** The credential data with the token blanked, which makes n8n fetch and store a new one. */
async function withoutToken(
	ctx: RequestContext,
	credentials?: ICredentialDataDecryptedObject,
): Promise<IAdditionalCredentialOptions> {
	const data = credentials ?? (await ctx.getCredentials(CREDENTIAL_TYPE));
	const blank: Pick<FeishuApaasTokenState, 'tenantAccessToken'> = { tenantAccessToken: '' };
	return withCredentialData(ctx, CREDENTIAL_TYPE, { ...data, ...blank });
}

/** A stored token that expires within the margin, or was issued for another app or host. */
function needsRenewal(credentials: ICredentialDataDecryptedObject): boolean {
	if (!credentials.tenantAccessToken) return false; // n8n fetches one anyway
	if (credentials.tokenIssuedFor !== tokenOwner(credentials)) return true;
	const expiresAt = Number(credentials.tokenExpiresAt);
	return !(expiresAt > 0) || Date.now() >= expiresAt - RENEW_MARGIN_MS;
}

/** Until when the token an execution last read stays clear of the renewal margin (keyed by the execution's context). */
const tokenGoodUntil = new WeakMap<RequestContext, number>();

/**
 * Feishu's answers as the shared engine needs them, plus the tenant token's life cycle: renewed
 * before it expires, and renewed once with the request replayed when the service calls it
 * missing (99991661) or invalid (99991663), whatever HTTP status carries the code.
 */
export const apaasRules: ServiceRules = {
	...feishuRules(CREDENTIAL_TYPE, [FEISHU_CODES.tokenMissing, FEISHU_CODES.tenantTokenInvalid]),
	refreshOptions: async (ctx) => ({ credentialOptions: await withoutToken(ctx) }),
	beforeSend: async (ctx) => {
		// Loading the credential costs n8n a database read and a decryption: once it showed a token
		// good until some time, it is not read again before then (a renewal only moves that time on).
		if (Date.now() < (tokenGoodUntil.get(ctx) ?? 0)) return undefined;
		const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
		if (needsRenewal(credentials)) return await withoutToken(ctx, credentials);
		if (credentials.tenantAccessToken) tokenGoodUntil.set(ctx, Number(credentials.tokenExpiresAt) - RENEW_MARGIN_MS);
		return undefined;
	},
};

export async function apaasRequest<T>(
	ctx: RequestContext,
	client: ApaasClient,
	method: IHttpRequestMethods,
	path: string,
	body: IDataObject,
	idempotent: boolean,
): Promise<HttpResponse<FeishuEnvelope<T> | undefined>> {
	return await sendRequest<FeishuEnvelope<T> | undefined>(
		ctx,
		apaasRules,
		{
			method,
			url: `${client.baseUrl}${path}`,
			headers: { 'Content-Type': 'application/json; charset=utf-8' },
			body,
			json: true,
			timeout: client.timeoutMs,
		},
		{ idempotent, throttle: client.throttle, retry: client.retry },
	);
}

/** True when the service answered the request as a whole with success. */
export function isSuccess<T>(response: HttpResponse<FeishuEnvelope<T> | undefined>): boolean {
	return response.statusCode < 300 && response.body?.code === 0;
}
