/**
 * Feishu data platform workspace tables ("数据平台 / 数据表", PostgREST-backed), emulated on a real
 * PostgreSQL (PGlite, in process). Serves, on one loopback base URL:
 *
 * - `GET  /open-apis/authen/v1/authorize` — the OAuth consent page; approves at once with a 302 to
 *   `redirect_uri?code=…&state=…` (PKCE S256/plain honoured). Codes are single-use, valid 5 minutes.
 * - `POST /open-apis/authen/v2/oauth/token` — `authorization_code` and `refresh_token` grants, JSON or
 *   form body, client credentials in the body or Basic auth (not both: 20070). Success:
 *   `{code:0, access_token:"u-…", expires_in, refresh_token, refresh_token_expires_in, token_type:"Bearer", scope}`
 *   (a refresh token only when `offline_access` was granted). Refresh tokens are single-use: reuse gives
 *   HTTP 400 `{code:20073, error:"invalid_grant", error_description}`; the old access token keeps working
 *   for 1 minute after a refresh. Other errors: 20001 missing param, 20002 bad client, 20003/20065/20004
 *   code invalid/used/expired, 20026/20037 refresh token invalid/expired, 20036 grant type, 20049 PKCE,
 *   20071 redirect_uri mismatch — all HTTP 400.
 * - `GET  /open-apis/authen/v1/user_info` — the signed-in user (a cheap credential test).
 * - Under `/open-apis/apaas/v1/workspaces/:workspace_id`: `GET /tables`, `GET /tables/:table_name`,
 *   `GET|POST|PATCH|DELETE /tables/:table_name/records`, `PATCH /tables/:table_name/records_batch_update`,
 *   `POST /sql_commands` (`{sql}` → `{result: "<JSON string>"}` of a SELECT's rows, "" for other
 *   statements; run with the workspace's schema in the search path). It needs the scope
 *   app_engine:workspace.sql_commands:write in the token (`issueUserToken(scope)` or the authorize
 *   request's `scope`); without it HTTP 400 `{code:99991679}` as for any scope the user did not grant.
 *   A table or workspace that does not exist: HTTP 400 `{code:2320001, msg:"table … does not exist …"}`.
 *
 * API answers: `{code:0, msg:"success", data}`; request/data errors HTTP 400 `{code:2320001, msg}` with
 * a message naming the problem (unknown column, bad filter, constraint violated…); a failed write
 * changes nothing (each request runs in one transaction).
 *
 * Auth (user access tokens only): no/ill-formed `Authorization` → 99991661; a `t-` tenant token →
 * 99991663; unknown token → 99991668; expired user token → 99991677 "Authentication token expired.".
 * These answer with HTTP `authErrorStatus` (default 400 — the real status is undocumented, so clients
 * must read the body code whatever the status).
 *
 * Rate limit: `rateLimitPerSecond` (default 10) per API per app; over it, HTTP 429 with
 * `x-ogw-ratelimit-limit`, `x-ogw-ratelimit-reset` (seconds) and `{code:99991400, msg:"request trigger frequency limit"}`.
 *
 * Records semantics (PostgREST, https://docs.postgrest.org/en/v13/references/api/tables_views.html):
 * - Tables have `_id uuid` (primary key, default gen_random_uuid()) and `_created_at timestamptz`
 *   besides their own columns. GET /tables/:table_name lists all columns, system ones included.
 * - POST records body `{"records":"<JSON string array>"}` (≤500). `Prefer` header (comma separated):
 *   absent → INSERT (a duplicate key fails the whole request); `resolution=merge-duplicates` → INSERT …
 *   ON CONFLICT (target) DO UPDATE SET every inserted column; `resolution=ignore-conflicts` → DO NOTHING;
 *   `missing=default` → keys absent from a row take the column default (otherwise NULL). With
 *   merge-duplicates, a defaulted column also overwrites the existing row's value (PostgreSQL EXCLUDED).
 *   Conflict target: `on_conflict` (comma list; must equal the primary key, a unique column or a
 *   composite unique constraint) or the primary key. Two rows of one request hitting the same key
 *   with merge-duplicates fail the request ("cannot affect row a second time").
 *   Column list: the `columns` query parameter when given (other keys are ignored), else the rows'
 *   keys — and then every row must have the SAME keys, or 400 "All object keys must match" (PostgREST
 *   PGRST102). Send `columns` to write rows with differing keys.
 *   `record_ids`: the `_id` of each row inserted or updated, in record order. Rows skipped by
 *   ignore-conflicts have no id in the list (PostgREST's RETURNING has no row for them), so the list
 *   is shorter than `records` when rows were skipped.
 * - PATCH records?filter=… body `{"record":"<JSON string object>"}` → `record_ids` of the updated rows.
 * - PATCH records_batch_update body `{"records":"<JSON string array>"}` (≤500): each row has `_id`; all
 *   rows must set the same columns, else 400. `record_ids`: the `_id`s that existed, in record order
 *   (an unknown `_id` updates nothing and is left out).
 * - DELETE records?filter=… → `data: {}`. PATCH and DELETE require a non-empty filter.
 * - GET records: `page_size` 1–500 (default 10), `page_token`, `select` (`a,b`), `order`
 *   (`a.desc,b.asc.nullsfirst`; default `_created_at`; `_id` breaks ties), `filter` (see ./filter.ts);
 *   `data: {items: "<JSON string array>", total, has_more, page_token}`.
 * - Values are read like PostgREST's json_populate_recordset: JSON arrays for array columns, any JSON
 *   for json/jsonb columns, strings/numbers/booleans cast to the column type (bad values → 400).
 */
import type { PGlite } from '@electric-sql/pglite';

import { RateLimiter } from '../rateLimit';
import type { RecordedRequest, Reply } from '../server';
import { EmulatorServer, Router } from '../server';
import { createDatabase } from './database';
import { EMULATOR_USER, OAuthState } from './oauth';
import { ParamError } from './sql';
import type { TableMeta } from './store';
import { DataStore, parseJsonField, parsePrefer, parseRecordsField } from './store';
import type { FeishuDataTableEmulatorOptions, IssuedUserToken, TableSpec } from './types';

export type { ColumnSpec, FeishuDataTableEmulatorOptions, IssuedUserToken, TableSpec } from './types';

export interface FeishuDataTableEmulator {
	/** Base URL: API at `${url}/open-apis/...`, OAuth authorize at `${url}/open-apis/authen/v1/authorize`. */
	readonly url: string;
	readonly server: EmulatorServer;
	/** The PostgreSQL database (one schema per workspace, named after the workspace id). */
	readonly db: PGlite;
	readonly clientId: string;
	readonly clientSecret: string;
	/** How many requests reached the token endpoint (both grant types) since start/reset. */
	readonly tokenRequests: number;
	/** Requests per second per API; can be changed at any time (e.g. raised for tests that make many calls). */
	rateLimitPerSecond: number;
	/**
	 * Whether `record_ids` of an ignore-conflicts upsert lists the existing row's id for a skipped row
	 * too (every row, in record order), instead of only the rows inserted. Feishu's page does not
	 * say which; the node must be right with either.
	 */
	listIgnoredRows: boolean;
	createWorkspace(workspaceId: string): Promise<void>;
	createTable(workspaceId: string, table: TableSpec): Promise<void>;
	/** Seeds rows with a plain INSERT (keys may differ between rows; absent keys take defaults); returns their `_id`s. */
	insertRows(workspaceId: string, table: string, rows: Array<Record<string, unknown>>): Promise<string[]>;
	/** All rows of a table as the API returns them (JSON values), ordered by `orderBy` or `_created_at, _id`. */
	rows(workspaceId: string, table: string, orderBy?: string[]): Promise<Array<Record<string, unknown>>>;
	/**
	 * Each row's version by `_id` (PostgreSQL's xmin), which any write of the row changes, even one
	 * setting the values it had: tests prove with it that a row was not written. The API has no
	 * such column (Feishu documents `_id` and `_created_at` only), so only tests see it.
	 */
	rowVersions(workspaceId: string, table: string): Promise<Map<string, string>>;
	/** A valid user token pair without going through the browser flow. */
	issueUserToken(scope?: string): IssuedUserToken;
	/** Every access token issued so far expires now (refresh tokens stay valid). */
	expireAccessTokens(): void;
	/** Drops all workspaces, tokens, codes and recorded requests; restores the starting rate limit. */
	reset(): Promise<void>;
	close(): Promise<void>;
}

const API_PREFIX = '/open-apis/apaas/v1/workspaces/:workspace_id';
const MAX_PAGE_SIZE = 500;

export async function startFeishuDataTableEmulator(
	options: FeishuDataTableEmulatorOptions = {},
): Promise<FeishuDataTableEmulator> {
	const clientId = options.clientId ?? 'cli_test_app';
	const clientSecret = options.clientSecret ?? 'test-app-secret';
	const authErrorStatus = options.authErrorStatus ?? 400;
	const db = await createDatabase();
	const store = new DataStore(db);
	const oauth = new OAuthState({
		clientId,
		clientSecret,
		accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 7200,
		refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 604_800,
	});
	const startingRateLimit = options.rateLimitPerSecond ?? 10;
	let rateLimitPerSecond = startingRateLimit;
	let listIgnoredRows = false;
	const newLimiter = () => new RateLimiter([{ limit: rateLimitPerSecond, intervalMs: 1000 }], options.strictRateLimits);
	let limiter = newLimiter();

	/** Wraps an API handler: latency, user-token check, per-API rate limit, envelope, 400 on ParamError. */
	const api =
		(name: string, handle: (request: RecordedRequest) => Promise<unknown> | unknown) =>
		async (request: RecordedRequest): Promise<Reply> => {
			if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
			const rejection = oauth.check(request.headers.authorization);
			if (rejection) return { status: authErrorStatus, body: rejection };
			const limited = limiter.take(`${clientId} ${name}`);
			if (limited) {
				return {
					status: 429,
					headers: { 'x-ogw-ratelimit-limit': String(limited.limit), 'x-ogw-ratelimit-reset': String(limited.resetSeconds) },
					body: { code: 99991400, msg: 'request trigger frequency limit' },
				};
			}
			try {
				return { status: 200, body: { code: 0, msg: 'success', data: await handle(request) } };
			} catch (error) {
				if (error instanceof ParamError) return { status: 400, body: { code: 2320001, msg: error.message } };
				if (error instanceof ScopeNotGranted) return { status: 400, body: error.answer };
				throw error;
			}
		};

	const workspace = (request: RecordedRequest) => request.params.workspace_id;
	const table = (request: RecordedRequest) => request.params.table_name;

	const router = new Router()
		.on('GET', '/open-apis/authen/v1/authorize', (request) => oauth.authorize(request))
		.on('POST', '/open-apis/authen/v2/oauth/token', (request) => oauth.token(request))
		.on('GET', '/open-apis/authen/v1/user_info', api('user_info', () => EMULATOR_USER))
		.on(
			'GET',
			`${API_PREFIX}/tables`,
			api('tables.list', (request) => {
				const { pageSize, offset } = paging(request);
				const tables = store.listTables(workspace(request));
				const hasMore = offset + pageSize < tables.length;
				return {
					items: tables.slice(offset, offset + pageSize).map(describeTable),
					has_more: hasMore,
					page_token: hasMore ? pageToken(offset + pageSize) : '',
				};
			}),
		)
		.on(
			'GET',
			`${API_PREFIX}/tables/:table_name`,
			api('tables.get', (request) => describeTable(store.table(workspace(request), table(request)))),
		)
		.on(
			'GET',
			`${API_PREFIX}/tables/:table_name/records`,
			api('records.get', async (request) => {
				const { pageSize, offset } = paging(request);
				const page = await store.query(workspace(request), table(request), {
					pageSize,
					offset,
					select: request.query.get('select') ?? undefined,
					filter: request.query.get('filter') ?? undefined,
					order: request.query.get('order') ?? undefined,
				});
				return {
					items: page.items,
					total: page.total,
					has_more: page.hasMore,
					page_token: page.hasMore ? pageToken(offset + pageSize) : '',
				};
			}),
		)
		.on(
			'POST',
			`${API_PREFIX}/tables/:table_name/records`,
			api('records.post', async (request) => {
				const rows = parseRecordsField(bodyField(request, 'records'), 'records');
				const recordIds = await store.insert(workspace(request), table(request), rows, {
					preferences: parsePrefer(request.headers.prefer),
					columns: request.query.get('columns') ?? undefined,
					onConflict: request.query.get('on_conflict') || undefined,
					listIgnoredRows,
				});
				return { record_ids: recordIds };
			}),
		)
		.on(
			'PATCH',
			`${API_PREFIX}/tables/:table_name/records`,
			api('records.patch', async (request) => {
				const record = parseJsonField(bodyField(request, 'record'), 'record');
				if (record === null || typeof record !== 'object' || Array.isArray(record)) {
					throw new ParamError('record must be a JSON object');
				}
				const recordIds = await store.updateByFilter(
					workspace(request),
					table(request),
					requiredFilter(request),
					record as Record<string, unknown>,
				);
				return { record_ids: recordIds };
			}),
		)
		.on(
			'PATCH',
			`${API_PREFIX}/tables/:table_name/records_batch_update`,
			api('records.batch_update', async (request) => {
				const rows = parseRecordsField(bodyField(request, 'records'), 'records');
				return { record_ids: await store.batchUpdate(workspace(request), table(request), rows) };
			}),
		)
		.on(
			'POST',
			`${API_PREFIX}/sql_commands`,
			api('sql_commands', async (request) => {
				if (!oauth.grants(request.headers.authorization, SQL_SCOPE)) throw new ScopeNotGranted(SQL_SCOPE);
				const sql = bodyField(request, 'sql');
				if (typeof sql !== 'string' || sql.trim() === '') throw new ParamError('sql is required');
				return { result: await store.sql(workspace(request), sql) };
			}),
		)
		.on(
			'DELETE',
			`${API_PREFIX}/tables/:table_name/records`,
			api('records.delete', async (request) => {
				await store.deleteByFilter(workspace(request), table(request), requiredFilter(request));
				return {};
			}),
		);

	const server = await EmulatorServer.start(
		router.handler(() => ({ status: 404, body: '404 page not found' })),
		{ port: options.port },
	);

	return {
		get url() {
			return server.url;
		},
		server,
		db,
		clientId,
		clientSecret,
		get tokenRequests() {
			return oauth.tokenRequests;
		},
		get listIgnoredRows() {
			return listIgnoredRows;
		},
		set listIgnoredRows(listed: boolean) {
			listIgnoredRows = listed;
		},
		get rateLimitPerSecond() {
			return rateLimitPerSecond;
		},
		set rateLimitPerSecond(perSecond: number) {
			rateLimitPerSecond = perSecond;
			limiter = newLimiter();
		},
		createWorkspace: async (workspaceId) => await store.createWorkspace(workspaceId),
		createTable: async (workspaceId, spec) => await store.createTable(workspaceId, spec),
		insertRows: async (workspaceId, tableName, rows) => {
			const ids: string[] = [];
			// One INSERT per run of rows with the same keys (PostgREST requires equal keys), ≤500 rows each.
			let start = 0;
			while (start < rows.length) {
				const keys = Object.keys(rows[start]).sort().join(',');
				let end = start + 1;
				while (end < rows.length && end - start < 500 && Object.keys(rows[end]).sort().join(',') === keys) end++;
				const run = rows.slice(start, end);
				ids.push(...(await store.insert(workspaceId, tableName, run, { preferences: { missingDefault: true } })));
				start = end;
			}
			return ids;
		},
		rows: async (workspaceId, tableName, orderBy) => await store.rows(workspaceId, tableName, orderBy),
		rowVersions: async (workspaceId, tableName) => await store.rowVersions(workspaceId, tableName),
		issueUserToken: (scope) => oauth.issue(scope),
		expireAccessTokens: () => oauth.expireAccessTokens(),
		reset: async () => {
			await store.reset();
			oauth.reset();
			rateLimitPerSecond = startingRateLimit;
			listIgnoredRows = false;
			limiter = newLimiter();
			server.reset();
		},
		close: async () => {
			await server.close();
			await db.close();
		},
	};
}

const SQL_SCOPE = 'app_engine:workspace.sql_commands:write';

/** A user token without a scope the API needs: the platform's 99991679 with the missing scope. */
class ScopeNotGranted extends Error {
	readonly answer: Record<string, unknown>;

	constructor(scope: string) {
		super(`scope ${scope} not granted`);
		this.answer = {
			code: 99991679,
			msg: 'Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again.',
			error: { permission_violations: [{ type: 'action_scope_required', subject: scope }] },
		};
	}
}

/** A table as the API describes it (internal SQL details left out). */
function describeTable(table: TableMeta) {
	return {
		name: table.name,
		description: table.description,
		columns: table.columns.map((column) => ({
			name: column.name,
			description: column.description,
			data_type: column.data_type,
			is_primary_key: column.is_primary_key,
			is_unique: column.is_unique,
			is_auto_increment: column.is_auto_increment,
			is_array: column.is_array,
			is_allow_null: column.is_allow_null,
			default_value: column.default_value,
		})),
	};
}

function bodyField(request: RecordedRequest, field: string): unknown {
	const body = request.body;
	if (body === null || typeof body !== 'object') throw new ParamError('request body must be a JSON object');
	return (body as Record<string, unknown>)[field];
}

function requiredFilter(request: RecordedRequest): string {
	const filter = request.query.get('filter');
	if (!filter) throw new ParamError('filter is required (a PostgREST filter expression such as age=gt.10)');
	return filter;
}

/** page_size (1–500, default 10) and the offset a page_token stands for. */
function paging(request: RecordedRequest): { pageSize: number; offset: number } {
	const sizeText = request.query.get('page_size');
	const pageSize = sizeText === null || sizeText === '' ? 10 : Number(sizeText);
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
		throw new ParamError(`page_size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
	}
	const token = request.query.get('page_token');
	if (!token) return { pageSize, offset: 0 };
	const match = /^offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
	if (!match) throw new ParamError('page_token is invalid');
	return { pageSize, offset: Number(match[1]) };
}

function pageToken(offset: number): string {
	return Buffer.from(`offset:${offset}`).toString('base64url');
}
