import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as row from './row';

type Operation = 'insert' | 'upsert' | 'update' | 'delete' | 'getAll';

/** Runs the chosen operation over all input items; resource and operation are read once. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const run = resource === 'row' ? row[operation]?.execute : undefined;
	if (!run) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for "${resource}"`);
	}
	return [await run.call(this)];
}
