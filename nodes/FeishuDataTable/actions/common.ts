import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { RecordInputError } from '../../shared/errors';
import { DEFAULT_TIMEOUT_MS, DataTableClient, newThrottle } from '../transport';
import { fieldMappingProperty } from '../../shared/descriptions';
import { retryBudgetFor } from '../../shared/retry';
import { FieldMapper } from '../../shared/mapping';
import { checkColumnName } from '../transport/filter';
import { isSystemColumn, toJsonValue } from '../transport/schema';

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

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_TIMEOUT_MS,
	description:
		'Milliseconds to wait for each answer. An insert that times out is not sent again, since Feishu may have written it. Used for all items.',
};

/** The operation's connection: one throttle for the run and the Timeout option, read at item 0. */
export async function openClient(ctx: IExecuteFunctions): Promise<DataTableClient> {
	const { timeout = DEFAULT_TIMEOUT_MS, rateLimitWait } = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return await DataTableClient.create(ctx, newThrottle(), timeout as number, retryBudgetFor(rateLimitWait));
}

/** Where the operation works: read once, at item 0, for all items. */
export interface TableTarget {
	workspaceId: string;
	table: string;
}

export function readTarget(ctx: IExecuteFunctions): TableTarget {
	return {
		workspaceId: String(ctx.getNodeParameter('workspace', 0, '', { extractValue: true })).trim(),
		table: String(ctx.getNodeParameter('table', 0, '', { extractValue: true })).trim(),
	};
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

/** The field mapping of a write operation, fed by the table's columns. */
export function columnsParameter(
	mode: 'add' | 'update' | 'upsert' | 'map',
	displayOptions: IDisplayOptions,
): INodeProperties {
	// Which columns can be matched on depends on the operation too.
	return fieldMappingProperty(mode, [...TABLE_DEPENDENT, 'operation', 'updateBy'], {
		displayName: 'Columns',
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
}

export interface ColumnsMapping {
	matchingColumns: string[];
	/** Each item's row, from the mapping form or (auto-map) the item itself. */
	mapper: FieldMapper;
}

/**
 * The mapping settings, read once at item 0. System columns such as `_created_at` (present when
 * rows read by this node are written back) are never written; other names must be columns.
 */
export function readMapping(ctx: IExecuteFunctions): ColumnsMapping {
	return {
		matchingColumns: (ctx.getNodeParameter('columns.matchingColumns', 0, []) as string[]).map(checkColumnName),
		mapper: new FieldMapper(ctx, { neverSent: isSystemColumn, targetOf: checkColumnName, convert: toJsonValue }),
	};
}

/** How people recognise a row in messages, e.g. `user_id=7, product_id=3`. */
export function describeKey(row: IDataObject, columns: readonly string[]): string {
	return columns.map((column) => `${column}=${JSON.stringify(row[column] ?? null)}`).join(', ');
}

/** Each key column must have a value: NULL never conflicts, so the row would be added again. */
export function requireKeyValues(row: IDataObject, columns: readonly string[]): void {
	for (const column of columns) {
		const value = row[column];
		if (value === undefined || value === null || value === '') {
			throw new RecordInputError(`Column to match on "${column}" has no value`, column);
		}
	}
}
