import type { IDataObject } from 'n8n-workflow';

import { parseItems } from '../../../feishu/api';
import type { ServiceClient } from '../../../shared/client';
import { readPages } from '../../../shared/reader';
import type { TableTarget } from '../../transport';
import { MAX_ROWS_PER_REQUEST, MAX_URL_LENGTH, queryOf, tablePath } from '../../transport';
import { keyTerm, termsFilter } from '../../transport/filter';

/** One query of `GET .../records`. */
export interface RowQuery {
	filter?: string;
	/** The columns each row has, comma separated; all when empty. */
	select?: string;
	order?: string;
	/** Rows per page, 1 to 500. */
	pageSize: number;
	/** Rows wanted; Infinity for all. */
	limit: number;
	itemIndex?: number;
}

/** A `,` between two keys of a filter, as the URL carries it (%2C). */
const SEPARATOR_LENGTH = 3;

const encodedLength = (text: string) => encodeURIComponent(text).length;

/** Reads rows of the table: the pages of one query, or the rows of many keys. */
export class RowReader {
	private readonly path: string;

	constructor(
		private readonly client: ServiceClient,
		private readonly target: TableTarget,
	) {
		this.path = tablePath(client.ctx, target.workspaceId, target.table, 'records');
	}

	/** The rows of a query, page after page (page_token), until `limit` rows or the last page. */
	async rows(query: RowQuery): Promise<IDataObject[]> {
		return await readPages(this.client, { limit: query.limit, itemIndex: query.itemIndex }, async (pageToken, wanted) => {
			const data = await this.client.read<{ items?: unknown; has_more?: boolean; page_token?: string }>(
				{
					method: 'GET',
					path: this.path,
					qs: queryOf({
						page_size: Math.min(query.pageSize, wanted),
						filter: query.filter,
						select: query.select,
						order: query.order,
						page_token: pageToken,
					}),
				},
				`Could not read rows of table "${this.target.table}"`,
				query.itemIndex,
			);
			return { records: parseItems(this.client.ctx.getNode(), data.items, 'rows'), next: data.has_more ? data.page_token : undefined };
		});
	}

	/**
	 * The rows that have one of the keys (the values of `columns`, in order), with the `select`ed
	 * columns: `col=in.(…)`, or `or=(and(…),…)` for a key of several columns, with as many keys per
	 * request as a page holds (500) and the URL has room for (MAX_URL_LENGTH).
	 */
	async withKeys(columns: string[], keys: unknown[][], select: string[]): Promise<IDataObject[]> {
		const rows: IDataObject[] = [];
		const selected = select.join(',');
		for (const terms of this.keyChunks(columns, keys, selected)) {
			rows.push(...(await this.rows({ filter: termsFilter(columns, terms), select: selected, pageSize: MAX_ROWS_PER_REQUEST, limit: Infinity })));
		}
		return rows;
	}

	/** Keys' filter terms cut into requests of at most 500 keys, each URL within MAX_URL_LENGTH. */
	private keyChunks(columns: string[], keys: unknown[][], select: string): string[][] {
		const query = `?page_size=${MAX_ROWS_PER_REQUEST}&select=${encodeURIComponent(select)}&filter=`;
		const room = MAX_URL_LENGTH - `${this.client.baseUrl}${this.path}${query}`.length - encodedLength(termsFilter(columns, []));
		const chunks: string[][] = [];
		let chunk: string[] = [];
		let length = 0;
		for (const key of keys) {
			const term = keyTerm(columns, key);
			const size = encodedLength(term) + SEPARATOR_LENGTH;
			if (chunk.length === MAX_ROWS_PER_REQUEST || (chunk.length > 0 && length + size > room)) {
				chunks.push(chunk);
				[chunk, length] = [[], 0];
			}
			chunk.push(term);
			length += size;
		}
		if (chunk.length > 0) chunks.push(chunk);
		return chunks;
	}
}

/**
 * Whether a key can be looked up at all: its filter term alone must leave room in the URL for the
 * rest of the request. A longer key fails its item, naming the column (see MAX_URL_LENGTH).
 */
export function keyFitsInUrl(columns: string[], key: unknown[]): boolean {
	return encodedLength(keyTerm(columns, key)) <= MAX_URL_LENGTH / 2;
}
