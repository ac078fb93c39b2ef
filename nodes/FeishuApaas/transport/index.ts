import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { feishuProfile } from '../../feishu/api';
import type { ClientOptions, ServiceClient } from '../../shared/client';
import { openClient } from '../../shared/client';
import type { RequestContext } from '../../shared/request';
import { tenantTokenRules } from './token';

/** The largest batch every aPaaS batch endpoint accepts, and the largest query page. */
export const MAX_BATCH = 500;

// Documented for every object record API: 50 per second and 1,000 per minute per app.
const RATE_WINDOWS = [
	{ limit: 50, intervalMs: 1_000 },
	{ limit: 1_000, intervalMs: 60_000 },
];

/** What to do about the errors people meet most, by Feishu's code. */
const HINTS: Record<string, string> = {
	'2320001': 'Check the namespace, the object API name and the field values.',
	'99991672': 'The app lacks an API scope: grant app_engine:object.record:read / :write in the developer console and publish a new version.',
	'99991663': 'Feishu refused the tenant access token even after a new one was fetched: check the App ID and App Secret.',
	'99991401': "The request comes from an IP address outside the app's allow list.",
	'99991403': "The app's monthly API quota is used up.",
};

const apaasProfile = feishuProfile({ rules: tenantTokenRules, hints: HINTS, rateWindows: RATE_WINDOWS });

/**
 * The run's connection to the aPaaS API: the credential's base URL and one throttle at the
 * documented limits (unless the Throttle Requests option is off).
 */
export async function createClient(ctx: RequestContext, options?: ClientOptions): Promise<ServiceClient> {
	return await openClient(ctx, apaasProfile, options);
}

/** Where records live: an application namespace and an object, both API names. */
export interface ObjectTarget {
	namespace: string;
	objectApiName: string;
}

const API_NAME = /^[A-Za-z0-9_]+$/;

/** Rejects anything but a plain API name, so that a value can never change the request target. */
function validateApiName(node: INode, value: unknown, label: string): string {
	const text = typeof value === 'string' ? value.trim() : String(value ?? '');
	if (!API_NAME.test(text) || text.length > 256) {
		throw new NodeOperationError(node, `${label} "${text}" is not a valid API name`, {
			description: `Use the ${label.toLowerCase()}'s API name as shown in the aPaaS console: letters, digits and underscores, at most 256 characters (e.g. package_test__c).`,
		});
	}
	return text;
}

export function targetOf(node: INode, namespace: unknown, objectApiName: unknown): ObjectTarget {
	return {
		namespace: validateApiName(node, namespace, 'Namespace'),
		objectApiName: validateApiName(node, objectApiName, 'Object'),
	};
}

function applicationPath(namespace: string, suffix: string): string {
	return `/open-apis/apaas/v1/applications/${encodeURIComponent(namespace)}/${suffix}`;
}

export function recordsPath({ namespace, objectApiName }: ObjectTarget, action: string): string {
	return applicationPath(namespace, `objects/${encodeURIComponent(objectApiName)}/records/${action}`);
}

export function objectSearchPath(namespace: string): string {
	return applicationPath(namespace, 'objects/search');
}
