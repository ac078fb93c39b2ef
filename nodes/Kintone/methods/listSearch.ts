import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { requestKintone } from '../transport';
import { editorSession } from './session';

/** apps.json answers at most 100 apps per call. */
const APPS_PER_PAGE = 100;

interface KintoneApp {
	appId: string;
	name: string;
}

/** The apps the credential can see (in the guest space, if one is set), filtered by name. */
export async function searchApps(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const session = await editorSession(this);
	const offset = Number(paginationToken ?? 0) || 0;
	const qs: IDataObject = { limit: APPS_PER_PAGE, offset };
	if (filter) qs.name = filter;
	const { apps = [] } = await requestKintone<{ apps?: KintoneApp[] }>(
		session,
		{ method: 'GET', endpoint: 'apps', qs, idempotent: true },
		'Could not list the apps',
	);
	const space = session.guestSpaceId ? `guest/${session.guestSpaceId}/` : '';
	return {
		results: apps.map((app) => ({
			name: `${app.name} (${app.appId})`,
			value: app.appId,
			url: `${session.baseUrl}/k/${space}${app.appId}/`,
		})),
		paginationToken: apps.length === APPS_PER_PAGE ? String(offset + APPS_PER_PAGE) : undefined,
	};
}
