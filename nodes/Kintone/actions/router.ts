import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as record from './record';

type RecordOperation = 'create' | 'delete' | 'getAll' | 'update' | 'upsert';

const operations: Record<RecordOperation, { execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> }> = {
	create: record.create,
	delete: record.delete,
	getAll: record.getAll,
	update: record.update,
	upsert: record.upsert,
};

/** Resource + operation → the operation's execute; one output (main) holding one item per result. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as RecordOperation;
	const handler = resource === 'record' ? operations[operation] : undefined;
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return [await handler.execute.call(this)];
}
