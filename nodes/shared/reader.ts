import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError } from './errors';
import type { ServiceClient } from './client';

/**
 * Get Many: one read per input item, each record an output item paired with it. A read that fails
 * stops the run, or with Settings > On Error > "Continue (using error output)" becomes one error
 * item for its input item.
 */
export async function readEachItem(
	ctx: IExecuteFunctions,
	read: (itemIndex: number) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const records = await read(itemIndex);
			for (const json of records) output.push({ json, pairedItem: { item: itemIndex } });
		} catch (error) {
			const failure = asNodeError(ctx, error, itemIndex);
			// Errors raised deep in a read (a malformed answer) name the item here.
			failure.context.itemIndex ??= itemIndex;
			if (!ctx.continueOnFail()) throw failure;
			const details: IDataObject = { itemIndex };
			if (failure instanceof NodeApiError && failure.httpCode) details.httpCode = failure.httpCode;
			output.push({
				json: { error: failure.message, message: failure.description ?? failure.message, details },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return output;
}

/** One page of a paged read. */
export interface Page<T> {
	records: T[];
	/** The token of the next page, for services that page by token. */
	next?: string;
	/** Whether more pages follow, for services that page without a token (a cursor). */
	more?: boolean;
}

export interface PagedRead {
	/** Records wanted; Infinity for all. */
	limit: number;
	itemIndex?: number;
}

/**
 * Reads page after page until `limit` records or the last page. A service that hands back a page
 * token it gave before would have the read go round for ever (n8n's main thread busy, memory
 * growing): that stops with an error.
 */
export async function readPages<T>(
	client: ServiceClient,
	read: PagedRead,
	page: (token: string | undefined, wanted: number) => Promise<Page<T>>,
): Promise<T[]> {
	const records: T[] = [];
	const seen = new Set<string>();
	let token: string | undefined;
	while (records.length < read.limit) {
		const { records: got, next, more } = await page(token, read.limit - records.length);
		records.push(...(records.length + got.length > read.limit ? got.slice(0, read.limit - records.length) : got));
		if (records.length >= read.limit || !(next || more)) break;
		if (next && seen.has(next)) {
			throw new NodeOperationError(client.ctx.getNode(), `${client.profile.name} returned the same page token twice; stopped reading`, {
				itemIndex: read.itemIndex,
				description: 'The service sent a page it had already sent, so reading on would never end. Try again later; if it persists, narrow the read (filter, limit).',
			});
		}
		if (next) seen.add(next);
		token = next;
	}
	return records;
}
