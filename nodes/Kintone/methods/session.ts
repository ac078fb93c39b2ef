import type { ILoadOptionsFunctions } from 'n8n-workflow';

import type { KintoneSession } from '../transport';
import { appIdOf, openSession } from '../transport';

/** The session and app the editor's current parameters point at. */
export async function editorSession(ctx: ILoadOptionsFunctions): Promise<KintoneSession> {
	return await openSession(ctx, { guestSpaceId: ctx.getNodeParameter('options.guestSpaceId', '') });
}

export function editorApp(ctx: ILoadOptionsFunctions): string {
	return appIdOf(ctx, ctx.getNodeParameter('app', '', { extractValue: true }));
}
