import type { ILoadOptionsFunctions, JsonObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { FEISHU_CODES } from '../../feishu/api';
import type { ServiceClient } from '../../shared/client';
import { createClient } from '../transport';
import type { TableInfo } from '../transport/schema';
import { getTable, listTables } from '../transport/schema';

/** Where the workspace ID and the table name are, for every "not found" message. */
const WHERE_TO_FIND =
	'The workspace ID is the part of the data platform address that starts with workspace_ (e.g. workspace_aadimx5uzpsls); the table name is the one its table list shows (not its display name).';

/** The workspace chosen in the editor, for methods that list its tables. */
export function currentWorkspace(ctx: ILoadOptionsFunctions): string {
	return String(ctx.getNodeParameter('workspace', undefined, { extractValue: true }) ?? '').trim();
}

export interface ChosenTable {
	client: ServiceClient;
	workspaceId: string;
	table: TableInfo;
}

/**
 * The table chosen in the editor with its columns; undefined until both workspace and table are
 * set. A table Feishu does not serve throws a NodeOperationError saying why and what to do.
 */
export async function currentTable(ctx: ILoadOptionsFunctions): Promise<ChosenTable | undefined> {
	const workspaceId = currentWorkspace(ctx);
	const name = String(ctx.getNodeParameter('table', undefined, { extractValue: true }) ?? '').trim();
	if (workspaceId === '' || name === '') return undefined;
	try {
		const client = await createClient(ctx);
		return { client, workspaceId, table: await getTable(client, workspaceId, name) };
	} catch (error) {
		throw explained(ctx, error, `Table "${name}" was not found in workspace "${workspaceId}"`);
	}
}

/** The tables of the chosen workspace; a workspace Feishu does not serve throws as currentTable does. */
export async function workspaceTables(ctx: ILoadOptionsFunctions, workspaceId: string): Promise<TableInfo[]> {
	try {
		return await listTables(await createClient(ctx), workspaceId);
	} catch (error) {
		throw explained(ctx, error, `Workspace "${workspaceId}" was not found`);
	}
}

/** The codes that say the credential, not the target, is the problem. */
const CREDENTIAL_CODES: number[] = [
	FEISHU_CODES.tokenMissing,
	FEISHU_CODES.tenantTokenInvalid,
	FEISHU_CODES.userTokenInvalid,
	FEISHU_CODES.userTokenExpired,
	99991672,
	99991679,
];

/**
 * Feishu answers an unknown workspace or table with its one documented error (2320001, "param is
 * invalid"), so that code reads as "not found"; token and scope codes as a credential problem.
 */
function explained(ctx: ILoadOptionsFunctions, error: unknown, notFound: string): NodeOperationError {
	const answer = (error as { errorResponse?: JsonObject }).errorResponse;
	const code = typeof answer?.code === 'number' ? answer.code : undefined;
	const feishu = code === undefined ? '' : ` (Feishu: [${code}] ${String(answer?.msg ?? '')})`;
	// n8n puts Feishu's own message in the description when the node has no hint for the code.
	const description = (error as { description?: string | null }).description ?? undefined;
	const hint = description !== answer?.msg ? description : undefined;
	if (code === FEISHU_CODES.paramInvalid) {
		return new NodeOperationError(ctx.getNode(), `${notFound}${feishu}`, {
			description: `Check the workspace ID and the table name. ${WHERE_TO_FIND}`,
		});
	}
	const message = (error as Error).message ?? String(error);
	if (code !== undefined && CREDENTIAL_CODES.includes(code)) {
		return new NodeOperationError(ctx.getNode(), `Feishu did not accept the credential${feishu}`, {
			description: hint ?? 'Open the Feishu Data Table credential and reconnect it.',
		});
	}
	return new NodeOperationError(ctx.getNode(), message, { description: hint });
}

/** An error of these methods as the text of an info box: what is wrong, then what to do. */
export function noticeOf(error: unknown): string {
	const { message, description } = error as { message: string; description?: string | null };
	return description ? `${message}. ${description}` : message;
}
