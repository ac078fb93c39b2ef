import type { IAdditionalCredentialOptions, ICredentialDataDecryptedObject } from 'n8n-workflow';

import { FEISHU_CODES, feishuRules } from '../../feishu/api';
import type { RequestContext, ServiceRules } from '../../shared/request';
import { withCredentialData } from '../../shared/request';
import type { FeishuApaasTokenState } from './tokenState';
import { CREDENTIAL_TYPE, tokenOwner } from './tokenState';

// How the node keeps the tenant access token fresh; the credential fetches it (see tokenState.ts).

// The official SDK renews three minutes before expiry too: a request in flight must not outlive its token.
const RENEW_MARGIN_MS = 3 * 60_000;

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
export const tenantTokenRules: ServiceRules = {
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
