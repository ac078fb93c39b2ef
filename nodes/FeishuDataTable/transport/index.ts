import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { FEISHU_CODES, feishuProfile, feishuRules } from '../../feishu/api';
import type { ClientOptions, ServiceClient } from '../../shared/client';
import { openClient } from '../../shared/client';
import type { RequestContext, ServiceRules } from '../../shared/request';

export const CREDENTIAL_TYPE = 'feishuDataTableOAuth2Api';

/** Rows per write request and per read page, as documented for every records endpoint. */
export const MAX_ROWS_PER_REQUEST = 500;

/**
 * The longest URL a request is given, its host included. Feishu documents no limit; gateways
 * commonly refuse request lines over 8 KB (nginx's default buffer), so reads that list many keys in
 * their filter are split to stay under this.
 */
export const MAX_URL_LENGTH = 8000;

/** Every data table endpoint allows 10 requests per second per app. */
const RATE_WINDOWS = [{ limit: 10, intervalMs: 1000 }];

/**
 * A user token that is invalid (99991668) or expired (99991677) is refreshed and the request
 * replayed once. n8n's OAuth2 client refreshes only when the request it sends fails with the
 * "token expired" status, and Feishu sends these codes with various statuses, so the replay is
 * told which status to treat as expired (that of the answer that carried the code) and to throw
 * on it. For an answer without an error status, the token is refreshed first and the replay is plain.
 */
const dataTableRules: ServiceRules = {
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

/** The path of a workspace's table list or SQL endpoint, its segment checked and encoded so it cannot change the target. */
export function tablesPath(ctx: RequestContext, workspaceId: string, resource: 'tables' | 'sql_commands' = 'tables'): string {
	return `/open-apis/apaas/v1/workspaces/${pathSegment(ctx, workspaceId, 'Workspace ID')}/${resource}`;
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

/** What to tell people about Feishu answers that need them to act, by error code. */
const HINTS: Record<string, string> = {
	[String(FEISHU_CODES.userTokenInvalid)]:
		'Feishu did not accept the user token, even after refreshing it. Reconnect the credential.',
	[String(FEISHU_CODES.userTokenExpired)]:
		'The user token expired and could not be refreshed. Reconnect the credential.',
	99991672:
		'The app lacks a data table scope. Add app_engine:workspace.table and app_engine:workspace.table.record read/write scopes in the developer console, publish the app, then reconnect.',
	99991679:
		'The signed-in user has not granted a data table scope. Reconnect the credential to grant it.',
	[String(FEISHU_CODES.paramInvalid)]:
		'Check the workspace ID, the table name and that every column exists and gets a value of its type.',
};

/** What this node's messages call a table's parts: columns and rows, as the data table does. */
export const TABLE_NOUNS = { field: 'column', record: 'row' } as const;

const dataTableProfile = feishuProfile({
	nouns: TABLE_NOUNS,
	rules: dataTableRules,
	hints: HINTS,
	rateWindows: RATE_WINDOWS,
	credentialHint: 'Open the Feishu Data Table credential and fix the Base URL.',
});

/**
 * The run's connection to the data table API: the base URL read once from the credential, one
 * throttle at the documented 10 requests per second for all requests, and the Feishu rules (rate
 * limits, token refresh) on each request.
 */
export async function createClient(ctx: RequestContext, options?: ClientOptions): Promise<ServiceClient> {
	return await openClient(ctx, dataTableProfile, options);
}

/** Where the operation works: read once, at item 0, for all items. */
export interface TableTarget {
	workspaceId: string;
	table: string;
}

/** The workspace and table of the run, checked before anything is sent (see tablePath). */
export function targetOf(ctx: RequestContext, workspaceId: unknown, table: unknown): TableTarget {
	const target = { workspaceId: String(workspaceId ?? '').trim(), table: String(table ?? '').trim() };
	tablePath(ctx, target.workspaceId, target.table);
	return target;
}

/** A records request's query, without the parts left empty. */
export function queryOf(parts: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== undefined && value !== ''));
}
