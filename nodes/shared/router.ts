import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ServiceClient } from './client';

/** The items of each output, for an operation with more than the one main output (Sync's "Removed"). */
export class NodeOutputs {
	constructor(readonly outputs: INodeExecutionData[][]) {}
}

/** What every operation module exports besides its description: the run, given the router's client and target. */
export interface Operation<Target> {
	execute(this: IExecuteFunctions, client: ServiceClient, target: Target): Promise<INodeExecutionData[] | NodeOutputs>;
}

/** An operation's result as the node returns it: one list per output. */
export function asOutputs(result: INodeExecutionData[] | NodeOutputs): INodeExecutionData[][] {
	return result instanceof NodeOutputs ? result.outputs : [result];
}

/**
 * The module of the chosen resource and operation, as the node's `actions/<resource>/index.ts`
 * exports it under the operation's value: no operation map is kept by hand.
 */
export function chosenOperation<Target>(
	ctx: IExecuteFunctions,
	resources: Record<string, Record<string, unknown>>,
): Operation<Target> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const candidate = Object.prototype.hasOwnProperty.call(resources, resource)
		? resources[resource][operation]
		: undefined;
	if (typeof (candidate as Partial<Operation<Target>> | undefined)?.execute !== 'function') {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return candidate as Operation<Target>;
}
