import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { chooseTargetNotice, fieldMappingProperty, timeoutOption } from '../../shared/descriptions';

export const workspaceParameter: INodeProperties = {
	displayName: 'Workspace',
	name: 'workspace',
	type: 'resourceLocator',
	default: { mode: 'id', value: '' },
	required: true,
	hint: 'Used for all items',
	description:
		'The data platform workspace. Its ID is in the data platform URL, e.g. <b>workspace_aadimx5uzpsls</b> in https://apaas.feishu.cn/suda/workspace/workspace_aadimx5uzpsls/table-manage/main.',
	modes: [
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'workspace_aadimx5uzpsls',
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://apaas.feishu.cn/suda/workspace/workspace_aadimx5uzpsls/table-manage/main',
			extractValue: { type: 'regex', regex: '/workspace/([^/?#]+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '.*/workspace/[^/?#]+.*',
						errorMessage: 'Paste a data platform URL that contains /workspace/<workspace ID>',
					},
				},
			],
		},
	],
};

export const tableParameter: INodeProperties = {
	displayName: 'Table',
	name: 'table',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	hint: 'Used for all items',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchTables', searchable: true },
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'user_products',
		},
	],
};

export const dataTableTimeoutOption = timeoutOption(
	'Milliseconds to wait for each answer. An insert that times out is not sent again, since Feishu may have written it. Used for all items.',
);

export const TABLE_DEPENDENT = ['workspace.value', 'table.value'];

/** A column of the chosen table, e.g. of a filter condition or a sort rule. */
export const columnParameter: INodeProperties = {
	displayName: 'Column Name or ID',
	name: 'column',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getColumnNames', loadOptionsDependsOn: TABLE_DEPENDENT },
	default: '',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

/** The field mapping of a write operation, fed by the table's columns, after "Choose a workspace and a table first". */
export function columnsParameter(
	mode: 'add' | 'update' | 'upsert' | 'map',
	displayOptions: IDisplayOptions,
): INodeProperties[] {
	// Which columns can be matched on depends on the operation too.
	const mapper = fieldMappingProperty(mode, [...TABLE_DEPENDENT, 'operation', 'updateBy'], {
		displayName: 'Columns',
		targets: ['workspace', 'table'],
		displayOptions,
		resourceMapper: {
			resourceMapperMethod: 'getColumns',
			fieldWords: { singular: 'column', plural: 'columns' },
			addAllFields: true,
			multiKeyMatch: true,
			...(mode === 'upsert'
				? {
						matchingFieldsLabels: {
							title: 'Columns to Match On',
							description:
								'The unique columns that identify a row (sent as on_conflict). A row with the same values is updated or kept; otherwise a new row is added.',
						},
					}
				: {}),
		},
	});
	return [chooseTargetNotice('table', 'Choose a workspace and a table first', displayOptions), mapper];
}

