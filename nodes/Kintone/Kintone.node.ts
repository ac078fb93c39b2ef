import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { NODE_OUTPUTS } from '../shared/descriptions';
import * as record from './actions/record';
import { router } from './actions/router';
import { credentialTest, listSearch, loadOptions, resourceMapping } from './methods';

export class Kintone implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Kintone',
		name: 'kintone',
		icon: { light: 'file:kintone.svg', dark: 'file:kintone.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Create, update, upsert, delete, sync and read many kintone records at once',
		defaults: { name: 'Kintone' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: NODE_OUTPUTS,
		// n8n's declarative credential test only reports the HTTP status; kintoneApiTest says kintone's code and the fix.
		credentials: [{ name: 'kintoneApi', required: true, testedBy: 'kintoneApiTest' }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Record', value: 'record' }],
				default: 'record',
			},
			...record.description,
		],
	};

	methods = { credentialTest, listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
