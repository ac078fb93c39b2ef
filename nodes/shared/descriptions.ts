import type { IDisplayOptions, INodeProperties, ResourceMapperTypeOptionsBase } from 'n8n-workflow';

/** What a node may set on its field-mapping form besides the mode and what reloads it. */
export interface FieldMappingSettings {
	/** Defaults to "Fields". */
	displayName?: string;
	displayOptions?: IDisplayOptions;
	/**
	 * The parameters that choose the target (app, object, table). The form shows once they are all
	 * set, so that no "No fields found" error shows before; `chooseTargetNotice` says what to do.
	 */
	targets?: string[];
	/** Overrides the defaults: `getMappingFields`, "field"/"fields", all fields added only in `add` mode, one key to match on. */
	resourceMapper?: Partial<ResourceMapperTypeOptionsBase> & { resourceMapperMethod?: string };
}

/** n8n's field-mapping form (resourceMapper) of a write operation, saved as the `columns` parameter. */
export function fieldMappingProperty(
	mode: ResourceMapperTypeOptionsBase['mode'],
	loadOptionsDependsOn: string[],
	settings: FieldMappingSettings = {},
): INodeProperties {
	return {
		displayName: settings.displayName ?? 'Fields',
		name: 'columns',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn,
			resourceMapper: {
				resourceMapperMethod: 'getMappingFields',
				mode,
				fieldWords: { singular: 'field', plural: 'fields' },
				// Updates start empty, so that only the fields the user adds are changed.
				addAllFields: mode === 'add',
				multiKeyMatch: false,
				supportAutoMap: true,
				// The methods say why a list is empty (target not found, no writable field) as a notice.
				hideNoDataError: true,
				...settings.resourceMapper,
			},
		},
		...withDisplayOptions(shownOnceSet(settings.targets ?? [], settings.displayOptions)),
	};
}

const IS_SET = { _cnd: { exists: true } } as const;

/** `displayOptions` that also wait until every one of `targets` is set. */
export function shownOnceSet(targets: string[], displayOptions: IDisplayOptions | undefined): IDisplayOptions | undefined {
	if (targets.length === 0) return displayOptions;
	const show = { ...displayOptions?.show };
	for (const target of targets) show[target] = [IS_SET];
	return { ...displayOptions, show };
}

function withDisplayOptions(displayOptions: IDisplayOptions | undefined): Pick<INodeProperties, 'displayOptions'> {
	return displayOptions ? { displayOptions } : {};
}

/**
 * "Choose … first", shown instead of the field-mapping form until `target` (the last parameter
 * that chooses the target) is set, e.g. "Choose an app first".
 */
export function chooseTargetNotice(target: string, text: string, displayOptions?: IDisplayOptions): INodeProperties {
	return {
		displayName: text,
		name: 'chooseTargetNotice',
		type: 'notice',
		default: '',
		displayOptions: { ...displayOptions, hide: { ...displayOptions?.hide, [target]: [IS_SET] } },
	};
}

/**
 * The "Options" collection of an operation. Its options are listed alphabetically, as n8n's
 * conventions ask, so that nodes can append the options all their operations share.
 */
export function optionsCollection(
	options: INodeProperties[],
	settings: { description?: string; displayOptions?: IDisplayOptions } = {},
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		...settings,
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** "Return All" and, when it is off, "Limit", as n8n's own read operations offer them. */
export function returnAllOrLimit(displayOptions?: IDisplayOptions): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			...(displayOptions ? { displayOptions } : {}),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { ...displayOptions, show: { ...displayOptions?.show, returnAll: [false] } },
		},
	];
}

/**
 * How long "too many requests" answers are waited out before the items fail. Every node offers it:
 * executions sharing one account's limits (n8n queue mode) may need longer than one window.
 */
export const rateLimitWaitOption: INodeProperties = {
	displayName: 'Max Wait on Rate Limits',
	name: 'rateLimitWait',
	type: 'number',
	typeOptions: { minValue: 0 },
	// DEFAULT_RETRY_BUDGET.rateLimitWaitMs in seconds (a literal, as n8n's lint asks).
	default: 300,
	description:
		'Seconds to keep waiting out "too many requests" answers before the items of a request fail. Raise it when many workflows or n8n workers share one account\'s limits.',
};

/** "Timeout": how long each request waits for its answer. `description` says what that means for the service. */
export function timeoutOption(description: string): INodeProperties {
	return {
		displayName: 'Timeout',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		// DEFAULT_TIMEOUT_MS of shared/client.ts (a literal, as n8n's lint asks).
		default: 60_000,
		description,
	};
}

/** "Dry Run" of every write operation: the same preparation and batches, nothing sent (shared/dryRun.ts). */
export const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to only show what would be written: each item comes out with the action, the batch (request) it would go in and the record as it would be sent (for Sync also the changes); nothing is written. Reads the node needs first (the fields of the app, object or table, and for Sync the current records) still happen.',
};

/**
 * The node's outputs: one, and for Sync with "Remove … Not in Input" a second one, "Removed", for
 * the records it removed (n8n adds the error output after them).
 */
export const NODE_OUTPUTS =
	'={{ $parameter.operation === "sync" && $parameter.removeMissing === true ? [{ "type": "main", "displayName": "Synced" }, { "type": "main", "displayName": "Removed" }] : ["main"] }}';

/**
 * Sync's mirror: "Remove Records Not in Input" (off by default), the node's `scope` parameter
 * (required once it is on) and the safety limit. `records` is the node's word, e.g. "Rows".
 */
export function mirrorProperties(records: string, scope: INodeProperties, displayOptions: IDisplayOptions = {}): INodeProperties[] {
	const lower = records.toLowerCase();
	const whenOn = { ...displayOptions, show: { ...displayOptions.show, removeMissing: [true] } };
	return [
		{
			displayName: `Remove ${records} Not in Input`,
			name: 'removeMissing',
			type: 'boolean',
			default: false,
			description: `Whether to delete the ${lower} in scope that no input item names (mirror the source). They come out on a second output, "Removed".`,
			...(Object.keys(displayOptions).length ? { displayOptions } : {}),
		},
		{ ...scope, required: true, displayOptions: whenOn },
		{
			displayName: 'Safety Limit',
			name: 'safetyLimit',
			type: 'options',
			options: [
				{ name: 'Share of the Scope', value: 'share', description: `Stop when more than a share of the ${lower} in scope would be removed` },
				{ name: `Number of ${records}`, value: 'count', description: `Stop when more than a number of ${lower} would be removed` },
			],
			default: 'share',
			description: `When more ${lower} would be removed than this allows, the run stops before writing anything and says how many would go`,
			displayOptions: whenOn,
		},
		{
			displayName: 'Max Share Removed (%)',
			name: 'maxRemovedShare',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 100 },
			default: 10,
			description: `Largest share of the ${lower} in scope that one run may remove`,
			displayOptions: { ...whenOn, show: { ...whenOn.show, safetyLimit: ['share'] } },
		},
		{
			displayName: `Max ${records} Removed`,
			name: 'maxRemoved',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 100,
			description: `Largest number of ${lower} that one run may remove`,
			displayOptions: { ...whenOn, show: { ...whenOn.show, safetyLimit: ['count'] } },
		},
	];
}
