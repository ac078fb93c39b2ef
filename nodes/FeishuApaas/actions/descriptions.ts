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

/** The field-mapping form of a write operation, after "Enter the namespace and the object first". */
export function columnsFor(operation: 'create' | 'update'): INodeProperties[] {
	const displayOptions = { show: { resource: [RESOURCE], operation: [operation] } };
	return [
		chooseTargetNotice('objectApiName', 'Enter the namespace and the object first', displayOptions),
		fieldMappingProperty(operation === 'create' ? 'add' : 'update', ['namespace', 'objectApiName.value', 'operation'], {
		targets: ['namespace', 'objectApiName'],
		displayOptions,
		resourceMapper: {
			showTypeConversionOptions: true,
			matchingFieldsLabels:
				operation === 'update'
					? {
							title: 'Record to Update',
							// Shown under the dropdown instead of n8n's "… Usually an ID."
							hint: "The _id each item carries, e.g. from Get Many's output",
							description: 'Each item updates the record whose ID (_id) it carries',
						}
					: undefined,
		},
	})];
}
