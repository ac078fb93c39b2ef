import type { IDataObject } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import { readPages } from '../../../shared/reader';
import type { KintoneCall, KintoneTarget } from '../../transport';
import { kintoneRequest } from '../../transport';

/** kintone returns at most 500 records per page; the cursor API reads past offset 10,000. */
export const PAGE_SIZE = 500;

/** A text literal of a kintone query: double quotes, with `"` and `\\` escaped. */
export function queryText(value: string): string {
	return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A key as kintone compares it, when the field's type is not at hand (compare.ts keyText when it
 * is): text that is a number is compared as a number, `"1.50"` as `1.5`.
 */
export function looseKeyText(value: unknown): string {
	const text = String(value ?? '').trim();
	return text !== '' && Number.isFinite(Number(text)) ? String(Number(text)) : text;
}

/** A record as kintone returns it: `{code: {type, value}}`. */
export type KintoneRecord = Record<string, { type?: string; value?: unknown }>;

export interface ReadRequest {
	query: string;
	fields: string[];
	/** Records wanted; Infinity for all. */
	max: number;
	itemIndex?: number;
}

/** Reads records of the app: one page, or any number through a cursor. */
export class RecordReader {
	constructor(
		private readonly client: ServiceClient,
		private readonly target: KintoneTarget,
	) {}

	private async call<T>(call: KintoneCall, doing: string, itemIndex?: number, idempotent = true): Promise<T> {
		return await this.client.read<T>(kintoneRequest(this.client, this.target, call), doing, itemIndex, idempotent);
	}

	/** Up to 500 records in one GET. */
	async page(request: ReadRequest): Promise<KintoneRecord[]> {
		const qs: IDataObject = { app: this.target.app, query: `${request.query} limit ${request.max}`.trim(), fields: request.fields };
		const body = await this.call<{ records?: KintoneRecord[] }>(
			{ method: 'GET', endpoint: 'records', qs },
			`Could not read records of app ${this.target.app}`,
			request.itemIndex,
		);
		return body.records ?? [];
	}

	/** The records whose `field` holds one of `keys` (at most 500), with `fields`: `field in ("a", "b")`. */
	async withKeys(field: string, keys: string[], fields: string[]): Promise<KintoneRecord[]> {
		return await this.page({ query: `${field} in (${keys.map(queryText).join(', ')})`, fields, max: keys.length });
	}

	/**
	 * Every record a query (conditions only) selects, with `fields`. When the matching record IDs are
	 * dense enough, pages of 500 IDs (`$id >= a and $id < a + 500`) are read `concurrency` at a time;
	 * otherwise through a cursor, one page after the other. One read first finds the highest ID and
	 * how many records match.
	 */
	async all(query: string, fields: string[], concurrency: number): Promise<KintoneRecord[]> {
		const conditions = query.trim() === '' ? '' : `(${query})`;
		const where = (range: string) => [conditions, range].filter(Boolean).join(' and ');
		const { records: [last], totalCount } = await this.call<{ records?: KintoneRecord[]; totalCount?: string | null }>(
			{ method: 'GET', endpoint: 'records', qs: { app: this.target.app, query: `${conditions} order by $id desc limit 1`.trim(), fields: ['$id'], totalCount: true } },
			`Could not read records of app ${this.target.app}`,
		).then((body) => ({ records: body.records ?? [], totalCount: Number(body.totalCount ?? 0) }));
		if (!last) return [];
		const ranges = Math.ceil(Number(last.$id?.value) / PAGE_SIZE);
		// Sparse IDs (many deleted records, a narrow query) would take many reads of few records.
		if (ranges > 2 * Math.ceil(totalCount / PAGE_SIZE)) {
			return await this.throughCursor({ query: `${query} order by $id asc`.trim(), fields, max: Infinity });
		}
		const pages: KintoneRecord[][] = new Array(ranges);
		let next = 0;
		const worker = async () => {
			while (next < ranges) {
				const index = next++;
				const from = index * PAGE_SIZE + 1;
				pages[index] = await this.page({ query: `${where(`$id >= ${from} and $id < ${from + PAGE_SIZE}`)} order by $id asc`, fields, max: PAGE_SIZE });
			}
		};
		await Promise.all(Array.from({ length: Math.min(concurrency, ranges) }, worker));
		return pages.flat();
	}

	/**
	 * Any number of records through a cursor, 500 per page. kintone deletes a cursor that was read to
	 * the end; one left earlier (limit reached, or an error) is deleted here, as kintone allows only
	 * 10 open cursors per domain.
	 */
	async throughCursor(request: ReadRequest): Promise<KintoneRecord[]> {
		const { app } = this.target;
		const { id } = await this.call<{ id: string }>(
			{
				method: 'POST',
				endpoint: 'records/cursor',
				body: { app, query: request.query, size: Math.min(PAGE_SIZE, request.max), ...(request.fields.length ? { fields: request.fields } : {}) },
			},
			`Could not start reading records of app ${app}`,
			request.itemIndex,
			// A replay could open a second cursor that nobody deletes.
			false,
		);
		let finished = false;
		let read = 0;
		try {
			return await readPages(this.client, { limit: request.max, itemIndex: request.itemIndex }, async () => {
				const page = await this.call<{ records?: KintoneRecord[]; next?: boolean }>(
					{ method: 'GET', endpoint: 'records/cursor', qs: { id } },
					`Could not read records of app ${app} (after ${read})`,
					request.itemIndex,
					// Each read moves the cursor on: a replay would skip a page.
					false,
				);
				read += page.records?.length ?? 0;
				finished = !page.next;
				return { records: page.records ?? [], more: page.next === true };
			});
		} finally {
			if (!finished) await this.deleteCursor(id);
		}
	}

	private async deleteCursor(id: string): Promise<void> {
		try {
			await this.call({ method: 'DELETE', endpoint: 'records/cursor', body: { id } }, 'Could not delete the cursor');
		} catch (error) {
			// The read's own result or error matters more; kintone drops idle cursors after 10 minutes.
			this.client.ctx.logger.warn(`kintone cursor ${id} could not be deleted: ${(error as Error).message}`);
		}
	}
}

