import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { RateLimiter } from '../rateLimit';
import type { RecordedRequest, Reply } from '../server';
import { EmulatorServer, Router } from '../server';
import type { FieldDefinition, ObjectState, RecordResult, StoredRecord } from './objects';
import { ObjectStore, isNumberField, objectMeta, systemValues } from './objects';
import type { Condition } from './query';
import { QueryError, compileFilter, decodePageToken, encodePageToken } from './query';
import { TenantTokens } from './tokens';

export type { FieldDefinition, StoredRecord } from './objects';

export interface FeishuApaasEmulatorOptions {
	port?: number;
	appId?: string;
	appSecret?: string;
	/** Life of a tenant access token; 7,200 s like the service. */
	tokenTtlSeconds?: number;
	/** A new token is issued once less than this remains; 1,800 s (30 min) like the service. */
	reissueUnderSeconds?: number;
	/** Per API and app; 50 per second and 1,000 per minute like the object record APIs. */
	rateLimits?: Array<{ limit: number; intervalMs: number }>;
	/** Refused calls count against the window too (see RateLimiter). */
	strictRateLimits?: boolean;
	/** Delay before every API answer. */
	latencyMs?: number;
	/** HTTP status carrying the token errors 99991661/99991663/99991668 (400 as observed). */
	tokenErrorStatus?: number;
}

/** What the emulator answered, in request order, for assertions on the request log. */
export interface Answer {
	seq: number;
	method: string;
	path: string;
	status: number;
	code?: number;
}

export const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const APP_BASE = '/open-apis/apaas/v1/applications/:namespace/objects';
const MAX_RECORDS = 500;

/** Query results kept for their next pages (see batchQuery); older ones are dropped, and their tokens start over. */
const MAX_SNAPSHOTS = 20;

const CODES = {
	tokenMissing: 99991661,
	tenantTokenInvalid: 99991663,
	userTokenNotSupported: 99991668,
	tokenMalformed: 99991671,
	rateLimited: 99991400,
	paramInvalid: 2320001,
	appSecretInvalid: 10014,
	appIdInvalid: 10003,
} as const;

function envelope(data: unknown): Reply {
	return { status: 200, body: { code: 0, msg: 'success', data } };
}

function refuse(status: number, code: number, msg: string, headers?: Record<string, string>): Reply {
	return { status, body: { code, msg, error: { log_id: `emulator-${Date.now()}` } }, headers };
}

class BadRequest extends Error {}

/** Parses `records`, the JSON string every batch write carries. */
function parseRecords(body: unknown): Array<Record<string, unknown>> {
	const text = (body as { records?: unknown } | undefined)?.records;
	if (typeof text !== 'string') throw new BadRequest('records must be a JSON string');
	let records: unknown;
	try {
		records = JSON.parse(text);
	} catch {
		throw new BadRequest('records is not valid JSON');
	}
	if (!Array.isArray(records) || records.some((record) => !record || typeof record !== 'object' || Array.isArray(record))) {
		throw new BadRequest('records must be a list of objects');
	}
	if (records.length === 0 || records.length > MAX_RECORDS) {
		throw new BadRequest(`records must hold 1 to ${MAX_RECORDS} records, got ${records.length}`);
	}
	return records as Array<Record<string, unknown>>;
}

/**
 * A loopback Feishu Open Platform serving the aPaaS application object APIs: tenant tokens, bearer
 * checks, rate limits with the `x-ogw-ratelimit-*` headers, batch create/update/delete with
 * per-record results, batch_query paging and objects/search metadata. Every record keeps the
 * system fields `_createdAt` and `_updatedAt` (a write moves `_updatedAt`), which queries return
 * and filter on like any field.
 */
export class FeishuApaasEmulator {
	readonly answers: Answer[] = [];

	private readonly tokens: TenantTokens;

	private readonly store = new ObjectStore();

	/** The results of paged queries, by the snapshot their page tokens name. */
	private readonly snapshots = new Map<string, { ids: string[] }>();

	private limiter: RateLimiter;

	private expireBeforeRequest?: number;

	private tokenRefusal?: { status: number; code: number; msg: string };

	private apiRequests = 0;

	private constructor(
		readonly server: EmulatorServer,
		private readonly options: Required<Omit<FeishuApaasEmulatorOptions, 'port'>>,
	) {
		this.tokens = new TenantTokens(options.tokenTtlSeconds, options.reissueUnderSeconds);
		this.limiter = new RateLimiter(options.rateLimits, options.strictRateLimits);
	}

	static async start(options: FeishuApaasEmulatorOptions = {}): Promise<FeishuApaasEmulator> {
		const tokenTtlSeconds = options.tokenTtlSeconds ?? 7200;
		const settings = {
			appId: options.appId ?? 'cli_emulator0000001',
			appSecret: options.appSecret ?? 'emulator-app-secret-0001',
			tokenTtlSeconds,
			reissueUnderSeconds: options.reissueUnderSeconds ?? Math.min(1800, tokenTtlSeconds / 4),
			rateLimits: options.rateLimits ?? [
				{ limit: 50, intervalMs: 1000 },
				{ limit: 1000, intervalMs: 60_000 },
			],
			latencyMs: options.latencyMs ?? 0,
			strictRateLimits: options.strictRateLimits ?? false,
			tokenErrorStatus: options.tokenErrorStatus ?? 400,
		};
		// The server needs the handler before the emulator that owns both exists.
		const holder: { emulator?: FeishuApaasEmulator } = {};
		const server = await EmulatorServer.start((request) => holder.emulator!.handle(request), { port: options.port });
		holder.emulator = new FeishuApaasEmulator(server, settings);
		return holder.emulator;
	}

	get url(): string {
		return this.server.url;
	}

	get appId(): string {
		return this.options.appId;
	}

	get appSecret(): string {
		return this.options.appSecret;
	}

	/** Distinct tenant tokens issued since the last reset. */
	get tokensIssued(): number {
		return this.tokens.issued;
	}

	/** Answers 429 since the last reset. */
	get rateLimited(): number {
		return this.answers.filter((answer) => answer.status === 429).length;
	}

	defineObject(
		namespace: string,
		objectApiName: string,
		fields: FieldDefinition[],
		options: { metadata?: boolean; label?: string } = {},
	): void {
		this.store.define(namespace, objectApiName, fields, options);
	}

	/** Adds records directly (no request); returns their new IDs in order. */
	seedRecords(namespace: string, objectApiName: string, records: Array<Record<string, unknown>>): string[] {
		const object = this.requireObject(namespace, objectApiName);
		return records.map((values) => this.store.seed(object, values));
	}

	/** The object's records by ID: the emulator's state, for assertions. */
	records(namespace: string, objectApiName: string): Map<string, StoredRecord> {
		return this.requireObject(namespace, objectApiName).records;
	}

	/**
	 * Token requests with the right App ID and App Secret get this refusal instead of a token, e.g.
	 * 10014 for an app that is disabled, or 99991400 (HTTP 429) when rate limited; none: tokens again.
	 */
	refuseTokens(refusal?: { status: number; code: number; msg: string }): void {
		this.tokenRefusal = refusal;
	}

	/** Every token issued so far expires now. */
	expireTokens(): void {
		this.tokens.expireAll();
	}

	/** Expires every token right before the Nth API request from now (token requests not counted). */
	expireTokensBeforeRequest(nth: number): void {
		this.expireBeforeRequest = this.apiRequests + nth;
	}

	/** Lets `seconds` of every token's life pass. */
	ageTokens(seconds: number): void {
		this.tokens.age(seconds);
	}

	setRateLimits(windows: Array<{ limit: number; intervalMs: number }>, strict = this.options.strictRateLimits): void {
		this.limiter = new RateLimiter(windows, strict);
	}

	/** Forgets objects, records, tokens, counters, recorded requests and faults. */
	reset(): void {
		this.server.reset();
		this.answers.length = 0;
		this.store.reset();
		this.snapshots.clear();
		this.tokens.reset();
		this.limiter = new RateLimiter(this.options.rateLimits, this.options.strictRateLimits);
		this.expireBeforeRequest = undefined;
		this.tokenRefusal = undefined;
		this.apiRequests = 0;
	}

	async close(): Promise<void> {
		await this.server.close();
	}

	private requireObject(namespace: string, objectApiName: string): ObjectState {
		const object = this.store.get(namespace, objectApiName);
		if (!object) throw new Error(`Define object ${namespace}/${objectApiName} first`);
		return object;
	}

	private readonly router = new Router()
		.on('POST', TOKEN_PATH, (request) => this.issueToken(request))
		.on('POST', `${APP_BASE}/search`, (request) => this.api(request, 'search', () => this.search(request)))
		.on('POST', `${APP_BASE}/:object/records/batch_create`, (request) =>
			this.api(request, 'batch_create', (object) => this.batchCreate(request, object!)),
		)
		.on('PATCH', `${APP_BASE}/:object/records/batch_update`, (request) =>
			this.api(request, 'batch_update', (object) => this.batchUpdate(request, object!)),
		)
		.on('DELETE', `${APP_BASE}/:object/records/batch_delete`, (request) =>
			this.api(request, 'batch_delete', (object) => this.batchDelete(request, object!)),
		)
		.on('POST', `${APP_BASE}/:object/records/batch_query`, (request) =>
			this.api(request, 'batch_query', (object) => this.batchQuery(request, object!)),
		);

	private readonly routed = this.router.handler(() => refuse(404, 404, 'not found'));

	private async handle(request: RecordedRequest): Promise<Reply> {
		const reply = await this.routed(request);
		const code = (reply.body as { code?: unknown } | undefined)?.code;
		this.answers.push({
			seq: request.seq,
			method: request.method,
			path: request.path,
			status: reply.status,
			code: typeof code === 'number' ? code : undefined,
		});
		return reply;
	}

	private issueToken(request: RecordedRequest): Reply {
		const body = (request.body ?? {}) as { app_id?: unknown; app_secret?: unknown };
		if (body.app_id !== this.options.appId) return refuse(400, CODES.appIdInvalid, 'app_id is invalid');
		if (body.app_secret !== this.options.appSecret) return refuse(400, CODES.appSecretInvalid, 'app secret invalid');
		if (this.tokenRefusal) return refuse(this.tokenRefusal.status, this.tokenRefusal.code, this.tokenRefusal.msg);
		const { token, expire } = this.tokens.issue(this.options.appId);
		return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire } };
	}

	/** Bearer check, rate limit, then the API itself; `object` is resolved for object routes. */
	private async api(
		request: RecordedRequest,
		apiName: string,
		handle: (object: ObjectState | undefined) => Reply,
	): Promise<Reply> {
		this.apiRequests++;
		if (this.expireBeforeRequest === this.apiRequests) this.tokens.expireAll();
		if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);

		const denied = this.authenticate(request);
		if (typeof denied !== 'string') return denied;
		const limited = this.limiter.take(`${denied}|${apiName}`);
		if (limited) {
			return refuse(429, CODES.rateLimited, 'request trigger frequency limit', {
				'x-ogw-ratelimit-limit': String(limited.limit),
				'x-ogw-ratelimit-reset': String(limited.resetSeconds),
			});
		}

		const { namespace, object: objectApiName } = request.params;
		if (!this.store.hasNamespace(namespace)) return refuse(400, CODES.paramInvalid, `namespace not found: ${namespace}`);
		let object: ObjectState | undefined;
		if (objectApiName !== undefined) {
			object = this.store.get(namespace, objectApiName);
			if (!object) return refuse(400, CODES.paramInvalid, `object not found: ${objectApiName}`);
		}
		if (request.rawBody !== '' && request.body === undefined) {
			return refuse(400, CODES.paramInvalid, 'param is invalid: body is not JSON');
		}
		try {
			return handle(object);
		} catch (error) {
			if (error instanceof BadRequest || error instanceof QueryError) {
				return refuse(400, CODES.paramInvalid, `param is invalid: ${error.message}`);
			}
			throw error;
		}
	}

	/** The app ID of a valid tenant token, or the refusal. */
	private authenticate(request: RecordedRequest): string | Reply {
		const status = this.options.tokenErrorStatus;
		const match = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''));
		if (!match) {
			return refuse(status, CODES.tokenMissing, 'Missing access token for authorization. Please make a request with token attached.');
		}
		const token = match[1];
		if (token.startsWith('u-')) {
			return refuse(status, CODES.userTokenNotSupported, 'Invalid access token for authorization: this API takes a tenant_access_token');
		}
		if (!token.startsWith('t-')) {
			return refuse(status, CODES.tokenMalformed, 'Invalid access token for authorization: the token must start with t- or u-');
		}
		const check = this.tokens.check(token);
		if (!check.ok) {
			return refuse(status, CODES.tenantTokenInvalid, `Invalid access token for authorization (${check.reason}). Please make a request with token attached.`);
		}
		return check.appId;
	}

	private batchCreate(request: RecordedRequest, object: ObjectState): Reply {
		const records = parseRecords(request.body);
		return envelope({ items: records.map((values) => this.store.create(object, values)) });
	}

	private batchUpdate(request: RecordedRequest, object: ObjectState): Reply {
		const records = parseRecords(request.body);
		if (records.some((record) => typeof record._id !== 'string' && typeof record._id !== 'number')) {
			throw new BadRequest('every record needs its _id');
		}
		const items: RecordResult[] = records.map(({ _id, ...values }) => this.store.update(object, String(_id), values));
		return envelope({ items });
	}

	private batchDelete(request: RecordedRequest, object: ObjectState): Reply {
		const ids = (request.body as { ids?: unknown } | undefined)?.ids;
		if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_RECORDS || ids.some((id) => typeof id !== 'string')) {
			throw new BadRequest(`ids must be a list of 1 to ${MAX_RECORDS} record IDs`);
		}
		return envelope({ items: (ids as string[]).map((id) => this.store.delete(object, id)) });
	}

	private batchQuery(request: RecordedRequest, object: ObjectState): Reply {
		const body = (request.body ?? {}) as {
			select?: unknown;
			filter?: { conditions?: Condition[]; logic_expression?: string };
			order_by?: Array<{ field?: string; direction?: string }>;
			page_token?: string;
			use_page_token?: boolean;
			page_size?: unknown;
			offset?: unknown;
			need_total_count?: boolean;
		};
		const select = body.select;
		if (!Array.isArray(select) || select.length === 0 || select.length > 256 || select.some((name) => typeof name !== 'string')) {
			throw new BadRequest('select must list 1 to 256 field API names');
		}
		const hasField = (name: string) => object.fields.has(name.split('.')[0]);
		const unknown = (select as string[]).filter((name) => !hasField(name));
		if (unknown.length) throw new BadRequest(`field not found: ${unknown.join(', ')}`);
		const pageSize = body.page_size === undefined ? MAX_RECORDS : Number(body.page_size);
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_RECORDS) {
			throw new BadRequest(`page_size must be 1 to ${MAX_RECORDS}`);
		}
		const token = body.use_page_token && body.page_token ? decodePageToken(body.page_token) : undefined;
		// The next page of a query comes from the result of its first page, as a database cursor would
		// give it (records changed since are shown as they are now, records deleted since left out);
		// finding and ordering all records again for every page made reading 100,000 records take minutes.
		const snapshot = token?.snapshot ? this.snapshots.get(token.snapshot) : undefined;
		const rows = snapshot ? snapshot.ids.flatMap((id) => object.records.get(id) ?? []) : this.queryRows(body, object, hasField);
		const offset = body.use_page_token ? (token?.offset ?? 0) : Number(body.offset ?? 0);
		if (!Number.isInteger(offset) || offset < 0) throw new BadRequest('offset must be a whole number');
		const page = rows.slice(offset, offset + pageSize);
		const hasMore = offset + page.length < rows.length;
		const items = page.map((record) => selected(record, select as string[]));
		const data: Record<string, unknown> = { items: JSON.stringify(items), has_more: hasMore };
		if (body.use_page_token && hasMore) data.next_page_token = encodePageToken({ offset: offset + page.length, snapshot: this.snapshotOf(rows, token?.snapshot) });
		if (!hasMore && token?.snapshot) this.snapshots.delete(token.snapshot);
		if (body.need_total_count) data.total = rows.length;
		return envelope(data);
	}

	/** The records a batch_query selects, in its order. */
	private queryRows(
		body: { filter?: { conditions?: Condition[]; logic_expression?: string }; order_by?: Array<{ field?: string; direction?: string }> },
		object: ObjectState,
		hasField: (name: string) => boolean,
	): StoredRecord[] {
		const matches = compileFilter(body.filter, hasField, (name) => isNumberField(object.fields.get(name)));
		const valuesOf = (record: StoredRecord) => ({ ...record.values, ...systemValues(record) });
		const rows = body.filter?.conditions?.length ? [...object.records.values()].filter((record) => matches(valuesOf(record))) : [...object.records.values()];
		for (const { field, direction } of [...(body.order_by ?? [])].reverse()) {
			if (!field || !hasField(field)) throw new BadRequest(`cannot order by ${field}`);
			const sign = direction === 'DESC' ? -1 : 1;
			const valueOf = (record: StoredRecord) => (field === '_id' ? BigInt(record._id) : valuesOf(record)[field]);
			rows.sort((a, b) => {
				const x = valueOf(a);
				const y = valueOf(b);
				if (x === y) return 0;
				if (x === undefined || x === null) return -sign;
				if (y === undefined || y === null) return sign;
				return (x < y ? -1 : 1) * sign;
			});
		}
		return rows;
	}

	/** The snapshot the next page token names: the current one, or a new one of these rows (the last few are kept). */
	private snapshotOf(rows: StoredRecord[], current: string | undefined): string {
		if (current && this.snapshots.has(current)) return current;
		const id = randomUUID();
		this.snapshots.set(id, { ids: rows.map((record) => record._id) });
		while (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
		return id;
	}

	private search(request: RecordedRequest): Reply {
		const body = (request.body ?? {}) as {
			q?: string;
			search_objects?: Array<{ api_name?: string; select?: string[] }>;
			page_size?: unknown;
			metadata?: string;
		};
		const pageSize = body.page_size === undefined ? 50 : Number(body.page_size);
		if (body.page_size !== undefined && typeof body.page_size !== 'string') throw new BadRequest('page_size is a string');
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2000) throw new BadRequest('page_size must be 1 to 2000');
		if (body.metadata !== undefined && body.metadata !== 'Label' && body.metadata !== 'SearchLayout') {
			throw new BadRequest('metadata must be Label or SearchLayout');
		}
		const { namespace } = request.params;
		// search_objects ("搜索对象范围", the search scope) is optional
		// (open.feishu.cn/document/apaas-v1/application-object-record/search): without it, every
		// object of the application is searched and described.
		const scope = body.search_objects?.length
			? body.search_objects
			: this.store.list(namespace).map((object) => ({ api_name: object.apiName }));
		const wanted = scope
			.map((entry) => ({ entry, object: this.store.get(namespace, entry.api_name ?? '') }))
			.filter((found): found is { entry: { api_name?: string; select?: string[] }; object: ObjectState } => !!found.object);
		const q = body.q ?? '';
		const hits = wanted.flatMap(({ entry, object }) =>
			[...object.records.values()]
				.filter((record) => q === '' || Object.values(record.values).some((value) => String(value).includes(q)))
				.map((record) => selected(record, entry.select ?? [])),
		);
		const data: Record<string, unknown> = {
			records: JSON.stringify(hits.slice(0, pageSize)),
			has_more: hits.length > pageSize,
		};
		if (body.metadata) data.objects = wanted.filter(({ object }) => object.metadata).map(({ object }) => objectMeta(object));
		return envelope(data);
	}
}

/** A record as queries return it: `_id` and each selected field, null when unset. */
function selected(record: StoredRecord, select: string[]): Record<string, unknown> {
	const values = { ...record.values, ...systemValues(record) };
	const out: Record<string, unknown> = { _id: record._id };
	for (const name of select) if (name !== '_id') out[name] = values[name] ?? null;
	return out;
}

export async function startFeishuApaasEmulator(options: FeishuApaasEmulatorOptions = {}): Promise<FeishuApaasEmulator> {
	return await FeishuApaasEmulator.start(options);
}
