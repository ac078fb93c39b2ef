import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { NODE_OUTPUTS } from '../shared/descriptions';
import * as row from './actions/row';
import { router } from './actions/router';
import { listSearch, loadOptions, resourceMapping } from './methods';
import { tableParameter, workspaceParameter } from './actions/descriptions';

export class FeishuDataTable implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Feishu Data Table',
		name: 'feishuDataTable',
		icon: { light: 'file:feishuDataTable.svg', dark: 'file:feishuDataTable.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Add, update, upsert, sync, delete and read rows of Feishu / Lark data platform tables, in batches of up to 500',
		defaults: { name: 'Feishu Data Table' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: NODE_OUTPUTS,
		credentials: [{ name: 'feishuDataTableOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Row', value: 'row' }],
				default: 'row',
			},
			row.operation,
			workspaceParameter,
			tableParameter,
			...row.description,
		],
	};

	methods = { listSearch, loadOptions, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
