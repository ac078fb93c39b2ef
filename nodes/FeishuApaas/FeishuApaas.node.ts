import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { NODE_OUTPUTS } from '../shared/descriptions';
import * as objectRecord from './actions/record';
import { router } from './actions/router';
import { credentialTest, listSearch, loadOptions, resourceMapping } from './methods';

export class FeishuApaas implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu aPaaS',
		name: 'feishuApaas',
		icon: { light: 'file:feishuApaas.svg', dark: 'file:feishuApaas.dark.svg' },
		group: ['transform'],
		version: 1,
		// The object is a resource locator; workflows saved before it was one hold the plain name.
		subtitle: '={{ $parameter["operation"] + ": " + ($parameter["objectApiName"].value ?? $parameter["objectApiName"]) }}',
		description: 'Create, update, delete, sync and read records of Feishu aPaaS application objects in batches',
		defaults: { name: 'Feishu aPaaS' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: NODE_OUTPUTS,
		credentials: [{ name: 'feishuApaasApi', required: true, testedBy: 'feishuApaasApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Object Record', value: 'objectRecord' }],
				default: 'objectRecord',
			},
			...objectRecord.description,
		],
	};

	methods = { credentialTest, listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
