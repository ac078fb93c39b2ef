import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { retryBudgetFor } from '../../shared/retry';
import { createClient, targetOf } from '../transport';
import { RESOURCE } from './common';
import * as objectRecord from './record';

const operations = {
	create: objectRecord.create.execute,
	delete: objectRecord.delete.execute,
	getAll: objectRecord.getAll.execute,
	update: objectRecord.update.execute,
};

/**
 * Reads what holds for the whole run (resource, operation, object, options: all at item 0), sets
 * up one client with its throttle for this execution, and hands over to the operation.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	const execute = resource === RESOURCE ? operations[operation] : undefined;
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	const target = targetOf(
		this.getNode(),
		this.getNodeParameter('namespace', 0),
		this.getNodeParameter('objectApiName', 0),
	);
	const { throttle = true, timeout = 60_000, rateLimitWait } = this.getNodeParameter('options', 0, {}) as {
		throttle?: boolean;
		timeout?: number;
		rateLimitWait?: number;
	};
	const client = await createClient(this, { throttle, timeoutMs: timeout, retry: retryBudgetFor(rateLimitWait) });
	return [await execute.call(this, client, target)];
}
