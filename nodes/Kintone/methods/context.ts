import type { ILoadOptionsFunctions } from 'n8n-workflow';

import type { ServiceClient } from '../../shared/client';
import type { KintoneTarget } from '../transport';
import { createClient, targetOf } from '../transport';

/** A client for the editor's dropdowns and field lists. */
export async function editorClient(ctx: ILoadOptionsFunctions): Promise<ServiceClient> {
	return await createClient(ctx);
}

/** The app and guest space the editor's current parameters point at. */
export function editorTarget(ctx: ILoadOptionsFunctions): KintoneTarget {
	return targetOf(ctx, ctx.getNodeParameter('app', '', { extractValue: true }), ctx.getNodeParameter('options.guestSpaceId', ''));
}
