import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ClientOptions } from '../../shared/client';
import { asOutputs, chosenOperation } from '../../shared/router';
import type { TableTarget } from '../transport';
import { createClient, targetOf } from '../transport';
import * as row from './row';

/**
 * Reads what holds for the whole run (resource, operation, workspace, table, options: all at item
 * 0), builds one client with its throttle for this execution, and hands both to the operation.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = chosenOperation<TableTarget>(this, { row });
	const target = targetOf(
		this,
		this.getNodeParameter('workspace', 0, '', { extractValue: true }),
		this.getNodeParameter('table', 0, '', { extractValue: true }),
	);
	const client = await createClient(this, this.getNodeParameter('options', 0, {}) as ClientOptions);
	return asOutputs(await operation.execute.call(this, client, target));
}
