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
		placeholder: 'package_test__c',
		description:
			'API name of the aPaaS application (its namespace), as shown in the aPaaS console. Used for all items.',
		displayOptions: { show: { resource: [RESOURCE] } },
	},
	{
		displayName: 'Object',
		name: 'objectApiName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'book__c',
		description: 'API name of the object whose records to read or write. Used for all items.',
		displayOptions: { show: { resource: [RESOURCE] } },
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
		fieldMappingProperty(operation === 'create' ? 'add' : 'update', ['namespace', 'objectApiName', 'operation'], {
		targets: ['namespace', 'objectApiName'],
		displayOptions,
		resourceMapper: {
			showTypeConversionOptions: true,
			matchingFieldsLabels:
				operation === 'update'
					? { title: 'Record to Update', description: 'Records are matched by their ID (_id)' }
					: undefined,
		},
	})];
}
