import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ClientOptions } from '../../shared/client';
import { asOutputs, chosenOperation } from '../../shared/router';
import type { KintoneTarget } from '../transport';
import { createClient, targetOf } from '../transport';
import * as record from './record';

/**
 * Reads what holds for the whole run (resource, operation, app, options: all at item 0), builds
 * one client for this execution, and hands both to the operation; one output holding its items.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = chosenOperation<KintoneTarget>(this, { record });
	const options = this.getNodeParameter('options', 0, {}) as ClientOptions & { guestSpaceId?: unknown };
	const target = targetOf(this, this.getNodeParameter('app', 0, '', { extractValue: true }), options.guestSpaceId);
	const client = await createClient(this, options);
	return asOutputs(await operation.execute.call(this, client, target));
}
