import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ClientOptions } from '../../shared/client';
import { asOutputs, chosenOperation } from '../../shared/router';
import type { ObjectTarget } from '../transport';
import { createClient, targetOf } from '../transport';
import * as objectRecord from './record';

/**
 * Reads what holds for the whole run (resource, operation, object, options: all at item 0), builds
 * one client with its throttle for this execution, and hands both to the operation.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = chosenOperation<ObjectTarget>(this, { objectRecord });
	const target = targetOf(
		this.getNode(),
		this.getNodeParameter('namespace', 0),
		this.getNodeParameter('objectApiName', 0, undefined, { extractValue: true }),
	);
	const client = await createClient(this, this.getNodeParameter('options', 0, {}) as ClientOptions);
	return asOutputs(await operation.execute.call(this, client, target));
}
