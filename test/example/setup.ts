import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { NodeUnderTest } from '../harness/workflow';
import { runNode } from '../harness/workflow';
import { ExampleBulk, exampleCredentialType } from './ExampleBulk.node';
import type { ExampleEmulator } from './emulator';

/** Runs the example node against the example emulator through the real engine. */
export async function runExample(
	emulator: ExampleEmulator,
	parameters: INodeParameters,
	items: IDataObject[],
	node: Partial<NodeUnderTest> = {},
) {
	return await runNode(
		{
			nodeTypes: [new ExampleBulk()],
			credentialTypes: [exampleCredentialType],
			credentials: { exampleBulkApi: { baseUrl: emulator.url, apiKey: 'example-key' } },
		},
		{ type: 'exampleBulk', parameters, credentialTypes: ['exampleBulkApi'], ...node },
		items,
	);
}

export function names(count: number, prefix = 'record'): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({ name: `${prefix} ${index}` }));
}
