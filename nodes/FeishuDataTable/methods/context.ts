import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { createClient } from '../transport';
import type { TableInfo } from '../transport/schema';
import { getTable } from '../transport/schema';

/** The workspace chosen in the editor, for methods that list its tables. */
export function currentWorkspace(ctx: ILoadOptionsFunctions): string {
	return String(ctx.getNodeParameter('workspace', undefined, { extractValue: true }) ?? '').trim();
}

/** The table chosen in the editor with its columns; undefined until both workspace and table are set. */
export async function currentTable(ctx: ILoadOptionsFunctions): Promise<TableInfo | undefined> {
	const workspaceId = currentWorkspace(ctx);
	const table = String(ctx.getNodeParameter('table', undefined, { extractValue: true }) ?? '').trim();
	if (workspaceId === '' || table === '') return undefined;
	return await getTable(await createClient(ctx), workspaceId, table);
}
