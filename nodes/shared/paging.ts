import { NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from './request';

/**
 * The page tokens of one paged read. A service that hands back a token it gave before would have
 * the read go round for ever (n8n's main thread busy, memory growing): that stops with an error.
 */
export class PageTokens {
	private readonly seen = new Set<string>();

	constructor(
		private readonly ctx: RequestContext,
		private readonly service: string,
		private readonly itemIndex?: number,
	) {}

	/** The token to ask for next; undefined when there is no next page. */
	next(token: string | null | undefined): string | undefined {
		if (!token) return undefined;
		if (this.seen.has(token)) {
			throw new NodeOperationError(this.ctx.getNode(), `${this.service} returned the same page token twice; stopped reading`, {
				itemIndex: this.itemIndex,
				description: 'The service sent a page it had already sent, so reading on would never end. Try again later; if it persists, narrow the read (filter, limit).',
			});
		}
		this.seen.add(token);
		return token;
	}
}
