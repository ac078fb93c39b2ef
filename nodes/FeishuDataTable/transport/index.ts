import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FeishuEnvelope } from '../../feishu/api';
import { FEISHU_CODES, describeFeishuError, feishuApiBaseUrl, feishuRules } from '../../feishu/api';
import type { HttpResponse, RequestContext, ServiceRules } from '../../shared/request';
import type { RetryBudget } from '../../shared/retry';
import { sendRequest } from '../../shared/request';
import { DEFAULT_RETRY_BUDGET } from '../../shared/retry';
import { Throttle } from '../../shared/throttle';

export const CREDENTIAL_TYPE = 'feishuDataTableOAuth2Api';

/** Rows per write request and per read page, as documented for every records endpoint. */
export const MAX_ROWS_PER_REQUEST = 500;

/** How long a request waits for its answer unless the operation's Timeout option says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Every data table endpoint allows 10 requests per second per app. */
export function newThrottle(): Throttle {
	return new Throttle([{ limit: 10, intervalMs: 1000 }]);
}

/**
 * A user token that is invalid (99991668) or expired (99991677) is refreshed and the request
 * replayed once. n8n's OAuth2 client refreshes only when the request it sends fails with the
 * "token expired" status, and Feishu sends these codes with various statuses, so the replay is
 * told which status to treat as expired (that of the answer that carried the code) and to throw
 * on it. For an answer without an error status, the token is refreshed first and the replay is plain.
 */
export const dataTableRules: ServiceRules = {
	...feishuRules(CREDENTIAL_TYPE, [FEISHU_CODES.userTokenInvalid, FEISHU_CODES.userTokenExpired]),
	refreshOptions: async (ctx, expired) => {
		if (expired.statusCode >= 400) {
			return {
				credentialOptions: { oauth2: { tokenExpiredStatusCode: expired.statusCode } },
				throwOnHttpError: true,
			};
		}
		await ctx.helpers.refreshOAuth2Token.call(ctx, CREDENTIAL_TYPE);
		return { credentialOptions: {} };
	},
};

/** The path of a workspace's table list, its segment checked and encoded so it cannot change the target. */
export function tablesPath(ctx: RequestContext, workspaceId: string): string {
	return `/open-apis/apaas/v1/workspaces/${pathSegment(ctx, workspaceId, 'Workspace ID')}/tables`;
}

/**
 * The path of a table (and a sub-resource), each segment checked and encoded so it cannot change
 * the target; an empty table name is refused (it would name the table list).
 */
export function tablePath(
	ctx: RequestContext,
	workspaceId: string,
	tableName: string,
	resource?: 'records' | 'records_batch_update',
): string {
	const table = `${tablesPath(ctx, workspaceId)}/${pathSegment(ctx, tableName, 'Table')}`;
	return resource ? `${table}/${resource}` : table;
}

function pathSegment(ctx: RequestContext, value: string, what: string): string {
	const text = String(value ?? '').trim();
	if (text === '' || text === '.' || text === '..' || [...text].some((character) => character < ' ')) {
		throw new NodeOperationError(ctx.getNode(), `${what} "${text}" is not valid`, {
			description: `Enter the ${what.toLowerCase()} exactly as the data platform shows it.`,
		});
	}
	return encodeURIComponent(text);
}

export interface DataTableRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** PostgREST preferences, e.g. `resolution=merge-duplicates, missing=default`. */
	prefer?: string;
}

export type DataTableResponse<T> = HttpResponse<FeishuEnvelope<T> | undefined>;

/**
 * One execution's connection to the data table API: the base URL read once from the credential,
 * one throttle for all requests, and the Feishu rules (rate limits, token refresh) on each request.
 */
export class DataTableClient {
	private constructor(
		private readonly ctx: RequestContext,
		private readonly baseUrl: string,
		private readonly throttle: Throttle | undefined,
		private readonly timeoutMs: number,
		private readonly retry: RetryBudget,
	) {}

	static async create(
		ctx: RequestContext,
		throttle?: Throttle,
		timeoutMs = DEFAULT_TIMEOUT_MS,
		retry = DEFAULT_RETRY_BUDGET,
	): Promise<DataTableClient> {
		const credentials = await ctx.getCredentials<{ platform?: string; baseUrl?: string }>(CREDENTIAL_TYPE);
		const base = feishuApiBaseUrl(credentials.platform, credentials.baseUrl);
		if ('problem' in base) {
			throw new NodeOperationError(ctx.getNode(), base.problem, {
				description: 'Open the Feishu Data Table credential and fix the Base URL.',
			});
		}
		return new DataTableClient(ctx, base.url, throttle, timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS, retry);
	}

	/** Sends one request; non-2xx answers come back for the caller to read (see `isSuccess`). */
	async send<T = IDataObject>(request: DataTableRequest, idempotent: boolean): Promise<DataTableResponse<T>> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			qs: request.qs,
			body: request.body,
			json: true,
			timeout: this.timeoutMs,
			headers: {
				'Content-Type': 'application/json; charset=utf-8',
				...(request.prefer ? { Prefer: request.prefer } : {}),
			},
		};
		return await sendRequest<FeishuEnvelope<T> | undefined>(this.ctx, dataTableRules, options, {
			idempotent,
			throttle: this.throttle,
			retry: this.retry,
		});
	}

	/** Like `send`, but an error answer throws a NodeApiError-style message; for metadata reads. */
	async read<T = IDataObject>(request: DataTableRequest): Promise<T> {
		const response = await this.send<T>(request, true);
		if (!isSuccess(response)) {
			const error = describeDataTableError(response);
			throw new NodeOperationError(this.ctx.getNode(), error.message, {
				description: error.hint,
			});
		}
		return (response.body?.data ?? {}) as T;
	}
}

export function isSuccess<T>(response: DataTableResponse<T>): boolean {
	return response.statusCode >= 200 && response.statusCode < 300 && response.body?.code === 0;
}

/** What to tell people about Feishu answers that need them to act, by error code. */
const HINTS: Record<number, string> = {
	[FEISHU_CODES.userTokenInvalid]:
		'Feishu did not accept the user token, even after refreshing it. Reconnect the credential.',
	[FEISHU_CODES.userTokenExpired]:
		'The user token expired and could not be refreshed. Reconnect the credential.',
	99991672:
		'The app lacks a data table scope. Add app_engine:workspace.table and app_engine:workspace.table.record read/write scopes in the developer console, publish the app, then reconnect.',
	99991679:
		'The signed-in user has not granted a data table scope. Reconnect the credential to grant it.',
	[FEISHU_CODES.paramInvalid]:
		'Check the workspace ID, the table name and that every column exists and gets a value of its type.',
};

export interface DataTableError {
	code?: string;
	message: string;
	hint?: string;
	httpCode: string;
}

/** A readable error from a data table answer; never includes the token. */
export function describeDataTableError(response: DataTableResponse<unknown>): DataTableError {
	const { code, message } = describeFeishuError(response);
	return {
		code,
		message: code ? message : `Feishu answered ${message}`,
		hint: code ? HINTS[Number(code)] : undefined,
		httpCode: String(response.statusCode),
	};
}
