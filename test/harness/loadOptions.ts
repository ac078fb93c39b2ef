import type { ILoadOptionsFunctions, INodeType } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { LoadOptionsContext } from 'n8n-core';

import type { NodeUnderTest, TestEnvironment } from './workflow';
import { createCredentials, testAdditionalData, toWorkflowNode } from './workflow';
import { TestNodeTypes } from './types';

type MethodKind = 'resourceMapping' | 'listSearch' | 'loadOptions';

/**
 * Calls one of a node's `methods` the way the editor does (n8n's DynamicNodeParametersService):
 * a real LoadOptionsContext over the node with its current parameters and credentials.
 */
export async function callNodeMethod<T>(
	env: TestEnvironment,
	node: NodeUnderTest,
	kind: MethodKind,
	name: string,
	...args: unknown[]
): Promise<T> {
	const nodeTypes = new TestNodeTypes(env.nodeTypes);
	const workflowNode = toWorkflowNode(node);
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes: [workflowNode],
		connections: {},
		active: false,
		nodeTypes,
	});
	const additionalData = testAdditionalData(createCredentials(env), undefined, node.parameters);
	const context = new LoadOptionsContext(workflow, workflowNode, additionalData, 'parameters');
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion) as INodeType;
	const method = (nodeType.methods?.[kind] as Record<string, (...a: unknown[]) => Promise<T>> | undefined)?.[name];
	if (!method) throw new Error(`Node "${node.type}" has no ${kind} method "${name}"`);
	return await method.call(context as ILoadOptionsFunctions, ...args);
}
