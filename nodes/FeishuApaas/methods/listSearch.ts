import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { FEISHU_CODES } from '../../feishu/api';
import { WHERE_API_NAMES_ARE, createClient, validateApiName } from '../transport';
import { listObjects } from '../transport/fields';

/** The namespace's objects ("From List" of Object), filtered by API name or label as the user types. */
export async function searchObjects(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const node = this.getNode();
	const entered = String(this.getNodeParameter('namespace', '') ?? '').trim();
	if (entered === '') {
		throw new NodeOperationError(node, 'Enter the namespace first', { description: `The objects are listed per namespace: ${WHERE_API_NAMES_ARE}` });
	}
	const namespace = validateApiName(node, entered, 'Namespace');
	const objects = await listObjects(await createClient(this, { throttle: false, timeout: 30_000 }), namespace);
	if (!Array.isArray(objects)) {
		throw new NodeOperationError(node, `Could not list the objects of namespace "${namespace}": ${objects.code ? `[${objects.code}] ` : ''}${objects.message}`, {
			// "Param is invalid" here is about the namespace, the one parameter of the request.
			description: objects.code === String(FEISHU_CODES.paramInvalid) || !objects.hint ? `Check the namespace: ${WHERE_API_NAMES_ARE}` : objects.hint,
		});
	}
	if (objects.length === 0) {
		throw new NodeOperationError(node, `Feishu listed no objects for namespace "${namespace}"`, {
			description: 'Choose "By API Name" and enter the object\'s API name, as the aPaaS application shows it.',
		});
	}
	const wanted = (filter ?? '').trim().toLowerCase();
	return {
		results: objects
			.filter(({ apiName, label }) => `${apiName} ${label ?? ''}`.toLowerCase().includes(wanted))
			.map(({ apiName, label }) => ({ name: label && label !== apiName ? `${label} (${apiName})` : apiName, value: apiName }))
			.sort((a, b) => a.name.localeCompare(b.name)),
	};
}
