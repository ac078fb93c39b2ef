import type { FaultAction, Handler, RecordedRequest, Reply } from '../server';
import type { AppState, Caller, KintoneDomain } from './domain';
import type { Messages } from './errors';
import type { ReceivedBody } from './files';
import { KintoneError, languageOf, messages, validationError } from './errors';

const MAX_TOKENS = 9;
const MAX_BULK_REQUESTS = 20;

type Params = Record<string, unknown>;

/** What an endpoint needs: its parameters, the caller, and the guest space of the path. */
interface Call {
	method: string;
	endpoint: string;
	params: Params;
	caller: Caller;
	guestSpaceId?: number;
}

/**
 * The HTTP layer: concurrency limit and headers, Basic / password / API-token authentication,
 * `/k/v1/` and `/k/guest/{space}/v1/` paths, `X-HTTP-Method-Override`, bulkRequest, and kintone's
 * error bodies.
 */
export function routes(domain: KintoneDomain, latencyMs = 0, basicAuth?: { user: string; password: string }): Handler {
	return async (request) => {
		domain.inFlight++;
		domain.peakConcurrency = Math.max(domain.peakConcurrency, domain.inFlight);
		if (domain.peakAfterFirstRefusal !== undefined) {
			domain.peakAfterFirstRefusal = Math.max(domain.peakAfterFirstRefusal, domain.inFlight);
		}
		try {
			const limitHeaders = {
				'X-ConcurrencyLimit-Limit': String(domain.maxConcurrent),
				'X-ConcurrencyLimit-Running': String(domain.inFlight),
			};
			const t = messages(languageOf(header(request, 'accept-language')));
			if (domain.inFlight > domain.maxConcurrent) {
				domain.concurrencyRefusals++;
				domain.peakAfterFirstRefusal ??= 0;
				return withHeaders(
					errorReply(new KintoneError(429, 'GAIA_TO04', t.concurrency, undefined, { 'X-Cybozu-Error': 'GAIA_TO04' })),
					limitHeaders,
				);
			}
			if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
			try {
				return withHeaders(handle(domain, request, t, basicAuth), limitHeaders);
			} catch (error) {
				if (error instanceof KintoneError) return withHeaders(errorReply(error), limitHeaders);
				throw error;
			}
		} finally {
			domain.inFlight--;
		}
	};
}

/** A fault answering like kintone's concurrency limit (429 GAIA_TO04), for `emulator.server.inject`. */
export function tooManyRequests(limit = 100): FaultAction {
	const error = new KintoneError(429, 'GAIA_TO04', messages('en').concurrency, undefined, {
		'X-Cybozu-Error': 'GAIA_TO04',
		'X-ConcurrencyLimit-Limit': String(limit),
		'X-ConcurrencyLimit-Running': String(limit + 1),
	});
	return { kind: 'respond', reply: errorReply(error) };
}

function handle(
	domain: KintoneDomain,
	request: RecordedRequest,
	t: Messages,
	basicAuth: { user: string; password: string } | undefined,
): Reply {
	const path = /^\/k(?:\/guest\/(\d+))?\/v1\/(?:preview\/)?(.+)\.json$/.exec(request.path);
	if (!path) return { status: 404, body: new KintoneError(404, 'CB_NO01', t.notFoundApi).toBody() };
	if (basicAuth && header(request, 'authorization') !== basicHeader(basicAuth.user, basicAuth.password)) {
		return {
			status: 401,
			body: '401 Unauthorized',
			headers: { 'WWW-Authenticate': 'Basic realm="Please login"' },
		};
	}
	const caller = authenticate(domain, request, t);
	const override = header(request, 'x-http-method-override')?.toUpperCase();
	const method = request.method === 'POST' && override === 'GET' ? 'GET' : request.method;
	const call: Call = {
		method,
		endpoint: path[2],
		params: paramsOf(request, method, t),
		caller,
		guestSpaceId: path[1] === undefined ? undefined : Number(path[1]),
	};
	if (call.endpoint === 'bulkRequest' && method === 'POST') return bulkRequest(domain, call);
	if (call.endpoint === 'file' && method === 'POST') return upload(domain, request.streamed as ReceivedBody | undefined, t);
	if (call.endpoint === 'file' && method === 'GET') return download(domain, call);
	return { status: 200, body: dispatch(domain, call) };
}

function dispatch(domain: KintoneDomain, call: Call): unknown {
	const { params, caller, guestSpaceId } = call;
	const app = (name = 'app'): AppState => domain.appFor(params[name], guestSpaceId, caller, name);
	switch (`${call.method} ${call.endpoint}`) {
		case 'GET records':
			return domain.getRecords(app(), { query: params.query, fields: list(params.fields), totalCount: params.totalCount }, caller);
		case 'POST records':
			return domain.addRecords(app(), params.records, caller);
		case 'PUT records':
			return domain.updateRecords(app(), params.records, params.upsert === true || params.upsert === 'true', caller);
		case 'DELETE records':
			return domain.deleteRecords(app(), list(params.ids) ?? params.ids, list(params.revisions), caller);
		case 'GET record':
			return domain.getRecord(app(), params.id, caller);
		case 'POST record':
			return domain.addRecord(app(), params.record, caller);
		case 'PUT record':
			return domain.updateRecord(app(), params, caller);
		case 'POST records/cursor':
			return domain.createCursor(app(), { query: params.query, fields: list(params.fields), size: params.size }, caller);
		case 'GET records/cursor':
			return domain.readCursor(params.id, guestSpaceId, caller);
		case 'DELETE records/cursor':
			return domain.deleteCursor(params.id, guestSpaceId, caller);
		case 'GET app/form/fields': {
			const form = app();
			return { properties: structuredClone(form.fields), revision: '1' };
		}
		case 'GET app':
			return domain.appInfo(app('id'));
		case 'GET app/status':
			return domain.processSettings(app());
		case 'PUT record/status':
			return domain.updateRecordStatus(app(), params, caller);
		case 'PUT records/status':
			return domain.updateRecordsStatus(app(), params.records, caller);
		case 'GET apps':
			return {
				apps: domain.listApps(
					{
						ids: list(params.ids),
						codes: list(params.codes),
						name: typeof params.name === 'string' ? params.name : undefined,
						spaceIds: list(params.spaceIds),
						limit: params.limit,
						offset: params.offset,
					},
					guestSpaceId,
					caller,
				),
			};
		default:
			throw new KintoneError(404, 'CB_NO01', caller.t.notFoundApi);
	}
}

/**
 * POST bulkRequest.json: up to 20 record requests run in order inside one transaction. Success
 * answers `{results: [...]}`; a failure rolls everything back and answers with the failing
 * request's status and `{results}` holding its error body at its index and `{}` everywhere else.
 */
function bulkRequest(domain: KintoneDomain, call: Call): Reply {
	const { t } = call.caller;
	const requests = call.params.requests;
	if (!Array.isArray(requests) || requests.length === 0) {
		throw validationError(t, { requests: { messages: [t.requiredParam] } });
	}
	if (requests.length > MAX_BULK_REQUESTS) throw validationError(t, { requests: { messages: [t.maxBulk] } });
	let failedAt = -1;
	try {
		const results = domain.transaction(() =>
			requests.map((entry: { method?: unknown; api?: unknown; payload?: unknown }, index) => {
				failedAt = index;
				return dispatch(domain, { ...call, ...bulkEntry(entry, index, call) });
			}),
		);
		return { status: 200, body: { results } };
	} catch (error) {
		if (!(error instanceof KintoneError)) throw error;
		const results = requests.map((_entry, index) => (index === failedAt ? error.toBody() : {}));
		return { status: error.status, body: { results }, headers: error.headers };
	}
}

function bulkEntry(
	entry: { method?: unknown; api?: unknown; payload?: unknown },
	index: number,
	call: Call,
): Pick<Call, 'method' | 'endpoint' | 'params'> {
	const { t } = call.caller;
	const api = typeof entry?.api === 'string' ? /^\/k(?:\/guest\/(\d+))?\/v1\/(.+)\.json$/.exec(entry.api) : null;
	const method = typeof entry?.method === 'string' ? entry.method.toUpperCase() : '';
	const endpoint = api?.[2] ?? '';
	const guest = api?.[1] === undefined ? undefined : Number(api[1]);
	const allowed =
		(['record', 'records'].includes(endpoint) && ['POST', 'PUT', 'DELETE'].includes(method)) ||
		(['record/status', 'records/status'].includes(endpoint) && method === 'PUT');
	if (!api || !allowed || guest !== call.guestSpaceId) {
		throw validationError(t, { [`requests[${index}].api`]: { messages: [t.bulkApi] } });
	}
	const payload = typeof entry.payload === 'object' && entry.payload !== null ? (entry.payload as Params) : {};
	return { method, endpoint, params: payload };
}

/**
 * POST file.json: the body was streamed to disk by `FileStore.receive` (one `file` part with a
 * file name); answers `{fileKey}`. Over `maxFileBytes`: 413 CB_IL02 (emulator's choice); no file
 * part: 400 CB_VA01 on `file`.
 */
function upload(domain: KintoneDomain, received: ReceivedBody | undefined, t: Messages): Reply {
	if (received?.kind === 'tooLarge') {
		return errorReply(new KintoneError(413, 'CB_IL02', t.fileTooLarge(domain.files.maxFileBytes)));
	}
	if (received?.kind !== 'file') throw validationError(t, { file: { messages: [t.fileRequired] } });
	return { status: 200, body: domain.upload(received) };
}

/** GET file.json: the bytes, with the file's MIME type and name (RFC 6266 `filename*` for UTF-8 names). */
function download(domain: KintoneDomain, call: Call): Reply {
	const file = domain.downloadFile(call.params.fileKey, call.guestSpaceId, call.caller);
	const ascii = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
	return {
		status: 200,
		body: domain.files.stream(file),
		headers: {
			'Content-Type': file.contentType,
			'Content-Length': String(file.size),
			'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
		},
	};
}

/** Password authentication wins over API tokens, as in kintone; neither is 401 CB_AU01. */
function authenticate(domain: KintoneDomain, request: RecordedRequest, t: Messages): Caller {
	const password = header(request, 'x-cybozu-authorization');
	if (password !== undefined) {
		const decoded = Buffer.from(password, 'base64').toString('utf8');
		const separator = decoded.indexOf(':');
		const user = domain.users.get(decoded.slice(0, separator));
		if (separator < 0 || !user?.password || user.password !== decoded.slice(separator + 1)) {
			throw new KintoneError(401, 'CB_WA01', t.passwordFailed);
		}
		return { user: { code: user.code, name: user.name }, t };
	}
	const tokenHeader = header(request, 'x-cybozu-api-token');
	if (tokenHeader !== undefined) {
		const tokens = tokenHeader
			.split(',')
			.map((token) => token.trim())
			.filter((token) => token !== '');
		if (tokens.length > MAX_TOKENS) throw new KintoneError(400, 'CB_VA01', t.tooManyTokens);
		const apps = new Set<number>();
		for (const token of tokens) {
			const tokenApps = domain.tokens.get(token);
			if (!tokenApps) throw new KintoneError(400, 'GAIA_IA02', t.tokenMismatch);
			tokenApps.forEach((app) => apps.add(app));
		}
		if (apps.size === 0) throw new KintoneError(401, 'CB_AU01', t.loginRequired);
		return { user: { code: 'Administrator', name: 'Administrator' }, tokenApps: apps, t };
	}
	throw new KintoneError(401, 'CB_AU01', t.loginRequired);
}

/** Parameters from the query string (GET, DELETE; `qs` style `ids[0]=1`) and the JSON body. */
function paramsOf(request: RecordedRequest, method: string, t: Messages): Params {
	if (request.rawBody.trim() !== '' && request.body === undefined) throw new KintoneError(400, 'CB_IJ01', t.invalidJson);
	const body = typeof request.body === 'object' && request.body !== null ? (request.body as Params) : {};
	if (method !== 'GET' && method !== 'DELETE') return body;
	return { ...decodeQuery(request.query), ...body };
}

function decodeQuery(query: URLSearchParams): Params {
	const params: Params = {};
	const arrays = new Map<string, Array<{ index: number; value: string }>>();
	let order = 0;
	for (const [key, value] of query) {
		const match = /^([^[\]]+)\[(\d*)\]$/.exec(key);
		if (match) {
			const items = arrays.get(match[1]) ?? [];
			items.push({ index: match[2] === '' ? order : Number(match[2]), value });
			arrays.set(match[1], items);
		} else if (key in params) {
			params[key] = [...(Array.isArray(params[key]) ? (params[key] as string[]) : [params[key] as string]), value];
		} else {
			params[key] = value;
		}
		order++;
	}
	for (const [key, items] of arrays) params[key] = items.sort((a, b) => a.index - b.index).map((item) => item.value);
	return params;
}

function list(value: unknown): string[] | undefined {
	if (value === undefined || value === null) return undefined;
	return (Array.isArray(value) ? value : [value]).map(String);
}

function header(request: RecordedRequest, name: string): string | undefined {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(',') : value;
}

function basicHeader(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function errorReply(error: KintoneError): Reply {
	return { status: error.status, body: error.toBody(), headers: error.headers };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
	return { ...reply, headers: { ...headers, ...reply.headers } };
}
