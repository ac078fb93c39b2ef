import type { IDisplayOptions, INodeProperties, ResourceMapperTypeOptionsBase } from 'n8n-workflow';

import {
	chooseTargetNotice,
	dryRunOption,
	fieldMappingProperty,
	optionsCollection,
	rateLimitWaitOption,
	shownOnceSet,
	timeoutOption,
} from '../../shared/descriptions';

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

/** The Options of a write operation: its own, then Dry Run, the rate-limit wait and the timeout. */
export function writeOptions(own: INodeProperties[], displayOptions: IDisplayOptions): INodeProperties {
	return optionsCollection([...own, dryRunOption, rateLimitWaitOption, dataTableTimeoutOption], { displayOptions });
}

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

/** What the mapper's "… to Match On" selector says, per mode; n8n's own hint ("Usually an ID") does not fit a table. */
const MATCHING_LABELS: Partial<Record<string, ResourceMapperTypeOptionsBase['matchingFieldsLabels']>> = {
	upsert: {
		title: 'Columns to Match On',
		hint: 'The columns of the Unique Key chosen above. Each item needs a value in each of them.',
		description:
			'Sent as on_conflict: a row with the same values is updated (or kept); otherwise a new row is added. Choose another key in Unique Key.',
	},
	update: {
		title: 'Column to Match On',
		hint: 'Each item updates the row whose _id it gives',
		description: 'The row ID (_id) of the row to update, e.g. from a Get Many of this table',
	},
};

/**
 * "Unique Key": which key of the table an upsert matches on, one choice per key, a key of several
 * columns too. The mapper below follows it (its value reloads the mapper's columns to match on).
 */
function uniqueKeyParameter(displayOptions: IDisplayOptions): INodeProperties {
	return {
		// A key is columns, not a name or an ID: the standard "… Name or ID" label would mislead.
		// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options
		displayName: 'Unique Key',
		name: 'uniqueKey',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getUniqueKeys', loadOptionsDependsOn: TABLE_DEPENDENT },
		default: '',
		placeholder: "The table's first unique key",
		hint: 'Empty: the first unique key besides _id. As an expression: the key\'s columns, comma-separated, e.g. warehouse,sku.',
		description:
			'The primary key or unique constraint that identifies a row. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: shownOnceSet(['workspace', 'table'], displayOptions),
	};
}

/** The field mapping of a write operation, fed by the table's columns, after "Choose a workspace and a table first". */
export function columnsParameter(
	mode: 'add' | 'update' | 'upsert' | 'map',
	displayOptions: IDisplayOptions,
): INodeProperties[] {
	// Which columns can be matched on depends on the operation (and for upserts on the key) too.
	const mapper = fieldMappingProperty(mode, [...TABLE_DEPENDENT, 'operation', 'updateBy', 'uniqueKey'], {
		displayName: 'Columns',
		targets: ['workspace', 'table'],
		displayOptions,
		resourceMapper: {
			resourceMapperMethod: 'getColumns',
			fieldWords: { singular: 'column', plural: 'columns' },
			addAllFields: true,
			multiKeyMatch: true,
			...(MATCHING_LABELS[mode] ? { matchingFieldsLabels: MATCHING_LABELS[mode] } : {}),
		},
	});
	return [
		chooseTargetNotice('table', 'Choose a workspace and a table first', displayOptions),
		...(mode === 'upsert' ? [uniqueKeyParameter(displayOptions)] : []),
		mapper,
	];
}
