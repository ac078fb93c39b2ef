import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { kintoneRequest, spaceOf } from '../transport';
import { editorClient } from './context';

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
	const client = await editorClient(this);
	const space = spaceOf(this, this.getNodeParameter('options.guestSpaceId', ''));
	const offset = Number(paginationToken ?? 0) || 0;
	const qs: IDataObject = { limit: APPS_PER_PAGE, offset };
	if (filter) qs.name = filter;
	const { apps = [] } = await client.read<{ apps?: KintoneApp[] }>(
		kintoneRequest(client, space, { method: 'GET', endpoint: 'apps', qs }),
		'Could not list the apps',
	);
	const guestPath = space.guestSpaceId ? `guest/${space.guestSpaceId}/` : '';
	return {
		results: apps.map((app) => ({
			name: `${app.name} (${app.appId})`,
			value: app.appId,
			url: `${client.baseUrl}/k/${guestPath}${app.appId}/`,
		})),
		paginationToken: apps.length === APPS_PER_PAGE ? String(offset + APPS_PER_PAGE) : undefined,
	};
}
