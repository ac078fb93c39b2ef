import type { INodeProperties } from 'n8n-workflow';

import { chooseTargetNotice, dryRunOption, fieldMappingProperty, optionsCollection, rateLimitWaitOption, timeoutOption } from '../../shared/descriptions';

/** The app every item of the run goes to, from kintone's app list, its number or its URL. */
export const appLocator: INodeProperties = {
	displayName: 'App',
	name: 'app',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The kintone app. Used for all items.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select an app...',
			typeOptions: { searchListMethod: 'searchApps', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '123',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[1-9][0-9]*$', errorMessage: 'Enter the app number, e.g. 123' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://example.cybozu.com/k/123/',
			extractValue: { type: 'regex', regex: '/k/(?:guest/[0-9]+/)?([0-9]+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						// As a browser shows it: a trailing slash, a view or record after the app number.
						regex: 'https?://[^/?#]+/k/(?:guest/[0-9]+/)?[0-9]+(?:[/?#].*)?',
						errorMessage: 'Enter the address of the app, e.g. https://example.cybozu.com/k/123/',
					},
				},
			],
		},
	],
};

export const guestSpaceOption: INodeProperties = {
	displayName: 'Guest Space ID',
	name: 'guestSpaceId',
	type: 'string',
	default: '',
	placeholder: '7',
	description:
		'For apps in a guest space: the space number (the 7 in https://example.cybozu.com/k/guest/7/123/). Used for all items.',
};

export const kintoneTimeoutOption = timeoutOption('Milliseconds to wait for each request to kintone');

/** Requests in flight at first; more follow while kintone answers fast and reports room. */
export const START_CONCURRENCY = 4;

/** kintone allows 100 concurrent requests per domain, shared with every other user and integration. */
export const DEFAULT_CONCURRENCY = 30;

export const concurrencyOption: INodeProperties = {
	displayName: 'Max Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100 },
	default: DEFAULT_CONCURRENCY,
	description:
		'Up to how many requests to send at once. The node starts with 4 and sends more while kintone answers fast; it sends half as many when kintone reports 80% of its concurrent requests per domain in use (100, for all users and integrations together), and never takes more than 80% alone. Changes to the same record (same ID or update key) still land in input order; 1 sends everything in input order.',
};

export const atomicOption: INodeProperties = {
	displayName: 'Atomic Batches of up to 2,000',
	name: 'atomic',
	type: 'boolean',
	default: false,
	description:
		"Whether to send up to 2,000 records in one bulk request (20 × 100) that kintone applies all or nothing. Off: each request of 100 is applied all or nothing on its own, so one bad record only holds back its 100.",
};

export const revisionOption: INodeProperties = {
	displayName: 'Expected Revision',
	name: 'revision',
	type: 'string',
	default: '',
	placeholder: '={{ $json.$revision }}',
	description:
		'Only change a record if its revision is still this one, e.g. the $revision that Get Many returned; if someone changed the record since, it fails (GAIA_CO02) instead of being overwritten. Empty or -1: no check.',
};

export const keepFilesOption: INodeProperties = {
	displayName: 'Keep Existing Files In',
	name: 'keepFiles',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getFileFields', loadOptionsDependsOn: ['app.value', 'options.guestSpaceId'] },
	default: [],
	description:
		'Attachment fields whose current files stay: the files an item gives are added after them. In other attachment fields, the files an item gives replace the current ones. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

/** The record an item names by its ID (Delete, Update Status). */
export function recordIdParameter(description: string, displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		// Not an expression: n8n's editor drops what a user types over an expression default in a new node.
		default: '',
		placeholder: '123',
		required: true,
		description,
		hint: 'Map it, e.g. {{ $json.$id }} from Get Many',
		...(displayOptions ? { displayOptions } : {}),
	};
}

/** The resource mapper of a write, after "Choose an app first"; `mode` decides required fields and matching, so it reloads with the operation. */
export function fieldMapper(mode: 'add' | 'update' | 'upsert'): INodeProperties[] {
	return [chooseTargetNotice('app', 'Choose an app first'), fieldMappingProperty(mode, ['app.value', 'options.guestSpaceId', 'operation'], {
		targets: ['app'],
		resourceMapper: {
			// Updates: n8n would mark every field not required as removed once loaded, the match column
			// too, and hide "Values to Update" until it is chosen again; unset, it keeps getMappingFields'
			// `removed` flags (only the match column shown).
			...(mode === 'add' ? {} : { addAllFields: undefined }),
			matchingFieldsLabels:
				mode === 'add'
					? undefined
					: {
							title: 'Record to Match',
							description:
								'The record ID, or a Text or Number field with "Prohibit duplicate values" (kintone\'s update key)',
							hint: 'Only the record ID and unique Text or Number fields can identify records',
						},
		},
	})];
}

export function writeOptions(extra: INodeProperties[]): INodeProperties {
	return optionsCollection([...extra, atomicOption, concurrencyOption, dryRunOption, guestSpaceOption, rateLimitWaitOption, kintoneTimeoutOption]);
}
