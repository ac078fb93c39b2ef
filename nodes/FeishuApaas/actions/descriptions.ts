import type { INodeProperties } from 'n8n-workflow';

import { chooseTargetNotice, fieldMappingProperty, optionsCollection, rateLimitWaitOption, timeoutOption } from '../../shared/descriptions';
import { MAX_BATCH } from '../transport';

export const RESOURCE = 'objectRecord';

export const targetProperties: INodeProperties[] = [
	{
		displayName: 'Namespace',
		name: 'namespace',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'package_35f605__c',
		hint: 'Used for all items',
		// A text field: Feishu lists applications only to a user token, never to this app (see WHERE_API_NAMES_ARE).
		description:
			"API name of the aPaaS application, ending in __c. Feishu lists applications only to signed-in users, not to apps, so enter it: the application's admin, who grants this Feishu app access to its data, can tell it.",
		displayOptions: { show: { resource: [RESOURCE] } },
	},
	{
		displayName: 'Object',
		name: 'objectApiName',
		// Workflows saved when this was a text field hold the plain name, which n8n reads as the value.
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		hint: 'Used for all items',
		description: 'The object whose records to read or write',
		displayOptions: { show: { resource: [RESOURCE] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchObjects', searchable: true },
			},
			{
				displayName: 'By API Name',
				name: 'name',
				type: 'string',
				placeholder: 'book__c',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^[A-Za-z0-9_]+$', errorMessage: 'An API name has only letters, digits and underscores' },
					},
				],
			},
		],
	},
];

const throttleOption: INodeProperties = {
	displayName: 'Throttle Requests',
	name: 'throttle',
	type: 'boolean',
	default: true,
	description:
		"Whether this node spaces its requests to Feishu's documented limits (50 per second, 1,000 per minute). Turn off only when the node's own throttle isn't wanted, e.g. the app has a higher quota; \"too many requests\" answers are still waited out and retried.",
};

const apaasTimeoutOption = timeoutOption(
	'Milliseconds to wait for each answer. A create request that times out is not sent again, since Feishu may have written it.',
);

export const batchSizeOption: INodeProperties = {
	displayName: 'Batch Size',
	name: 'batchSize',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_BATCH },
	default: MAX_BATCH,
	description: `Records per request, at most ${MAX_BATCH}. Smaller batches help when object triggers make large ones slow.`,
};

/** The "Options" collection of one operation: its own options plus throttle and timeout. */
export function optionsFor(operation: string, own: INodeProperties[]): INodeProperties {
	return optionsCollection([...own, rateLimitWaitOption, throttleOption, apaasTimeoutOption], {
		description: 'Used for all items',
		displayOptions: { show: { resource: [RESOURCE], operation: [operation] } },
	});
}

/** What the mapper shows above its match dropdown, per operation that matches records. */
const MATCHING_LABELS = {
	update: {
		title: 'Record to Update',
		// Shown under the dropdown instead of n8n's "… Usually an ID."
		hint: "The _id each item carries, e.g. from Get Many's output",
		description: 'Each item updates the record whose ID (_id) it carries',
	},
	sync: {
		title: 'Record to Match',
		hint: 'The record ID (_id), or a field whose values are unique: two records holding one value fail the item',
		description:
			'How an item finds its record: by _id, or by a field that holds a different value in every record (only then can Sync create the records that are missing)',
	},
};

/** The field-mapping form of a write operation, after "Enter the namespace and the object first". */
export function columnsFor(operation: 'create' | 'update' | 'sync'): INodeProperties[] {
	const displayOptions = { show: { resource: [RESOURCE], operation: [operation] } };
	const mode = operation === 'create' ? 'add' : operation === 'update' ? 'update' : 'upsert';
	return [
		chooseTargetNotice('objectApiName', 'Enter the namespace and the object first', displayOptions),
		fieldMappingProperty(mode, ['namespace', 'objectApiName.value', 'operation'], {
			targets: ['namespace', 'objectApiName'],
			displayOptions,
			resourceMapper: {
				showTypeConversionOptions: true,
				matchingFieldsLabels: operation === 'create' ? undefined : MATCHING_LABELS[operation],
			},
		}),
	];
}

/**
 * Conditions on records as Get Many's "Conditions" and Sync's "Scope" take them: the field's API
 * name, an aPaaS operator and a value, at most `max` of them.
 */
export function conditionsProperty(
	property: Pick<INodeProperties, 'displayName' | 'name' | 'description' | 'displayOptions'>,
): INodeProperties {
	return {
		...property,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Condition',
		default: {},
		options: [
			{
				displayName: 'Condition',
				name: 'conditions',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'book_name',
						description: 'API name of the field to compare',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'string',
						default: 'equal',
						description: 'The aPaaS condition operator, e.g. equal',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'The value to compare the field with',
					},
				],
			},
		],
	};
}

/** How the conditions of a `conditionsProperty` combine: all (and) or any (or). */
export function combineProperty(name: string, displayOptions: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Combine Conditions',
		name,
		type: 'options',
		options: [
			{ name: 'All Must Match (AND)', value: 'and' },
			{ name: 'Any May Match (OR)', value: 'or' },
		],
		default: 'and',
		displayOptions,
	};
}
