import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { currentWorkspace, workspaceTables } from './context';

/** The workspace's tables, filtered by name or description as the user types. */
export async function searchTables(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const workspaceId = currentWorkspace(this);
	if (workspaceId === '') return { results: [] };
	const tables = await workspaceTables(this, workspaceId);
	const wanted = (filter ?? '').trim().toLowerCase();
	return {
		results: tables
			.filter(({ name, description }) => `${name} ${description ?? ''}`.toLowerCase().includes(wanted))
			.map(({ name, description }) => ({ name: description ? `${name} (${description})` : name, value: name }))
			.sort((a, b) => a.name.localeCompare(b.name)),
	};
}
