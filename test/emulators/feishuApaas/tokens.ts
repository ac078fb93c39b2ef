import { randomBytes } from 'node:crypto';

interface IssuedToken {
	token: string;
	appId: string;
	expiresAt: number;
}

export type TokenCheck = { ok: true; appId: string } | { ok: false; reason: 'unknown' | 'expired' };

/**
 * Tenant access tokens as the Open Platform issues them: a token lives `ttlSeconds`; asking again
 * returns the same token (with its remaining life) until less than `reissueUnderSeconds` remain,
 * then a new one, while the old one stays valid until it expires (two coexist).
 */
export class TenantTokens {
	private readonly tokens = new Map<string, IssuedToken>();

	private readonly latestByApp = new Map<string, IssuedToken>();

	/** How many distinct tokens were issued since the last reset. */
	issued = 0;

	constructor(
		private readonly ttlSeconds: number,
		private readonly reissueUnderSeconds: number,
	) {}

	issue(appId: string, now = Date.now()): { token: string; expire: number } {
		const current = this.latestByApp.get(appId);
		if (current && current.expiresAt - now >= this.reissueUnderSeconds * 1000) {
			return { token: current.token, expire: Math.floor((current.expiresAt - now) / 1000) };
		}
		const fresh: IssuedToken = {
			token: `t-${randomBytes(16).toString('hex')}`,
			appId,
			expiresAt: now + this.ttlSeconds * 1000,
		};
		this.tokens.set(fresh.token, fresh);
		this.latestByApp.set(appId, fresh);
		this.issued++;
		return { token: fresh.token, expire: this.ttlSeconds };
	}

	check(token: string, now = Date.now()): TokenCheck {
		const found = this.tokens.get(token);
		if (!found) return { ok: false, reason: 'unknown' };
		if (found.expiresAt <= now) return { ok: false, reason: 'expired' };
		return { ok: true, appId: found.appId };
	}

	/** Every token issued so far stops working now. */
	expireAll(now = Date.now()): void {
		for (const token of this.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
	}

	/** Lets `seconds` of every token's life pass at once (time travel for the reissue rule). */
	age(seconds: number): void {
		for (const token of this.tokens.values()) token.expiresAt -= seconds * 1000;
	}

	reset(): void {
		this.tokens.clear();
		this.latestByApp.clear();
		this.issued = 0;
	}
}
