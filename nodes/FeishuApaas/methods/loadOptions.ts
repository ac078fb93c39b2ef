import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createClient, targetOf } from '../transport';
import { canBeMatchKey, fieldLabel, lookUpObject, unreadableObject } from '../transport/fields';

/**
 * The fields Create may read records back by after a lost answer ("Unique Field for Lost
 * Answers"): fields of single text or number values. That aPaaS keeps their values unique is up to
 * the user, as for Sync's Record to Match.
 */
export async function getUniqueFieldCandidates(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const target = targetOf(
		this.getNode(),
		this.getNodeParameter('namespace'),
		this.getNodeParameter('objectApiName', undefined, { extractValue: true }),
	);
	const lookup = await lookUpObject(await createClient(this, { throttle: false, timeout: 30_000 }), target);
	if (!lookup.found) {
		const { message, fix } = unreadableObject(target, lookup.error);
		throw new NodeOperationError(this.getNode(), message, { description: fix });
	}
	return lookup.fields
		.filter((field) => field.api_name !== '_id' && canBeMatchKey(field))
		.map((field) => ({ name: fieldLabel(field), value: field.api_name }));
}
