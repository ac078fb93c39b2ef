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

// Where App ID and App Secret are: developer console (open.feishu.cn/app) > the app > Credentials &
// Basic Info ("凭证与基础信息"), see open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal.
const CREDENTIALS_PAGE = 'the developer console (open.feishu.cn/app) > your app > Credentials & Basic Info';

/** What to do about the errors people meet most, by Feishu's code (generic-error-code page). */
export const HINTS: Readonly<Record<string, string>> = {
	'2320001': 'Check the namespace, the object API name and the field values.',
	'10003': `Feishu does not know this App ID: copy it from ${CREDENTIALS_PAGE}.`,
	'10014': `The App Secret does not match the App ID, or the app is disabled: copy the App Secret again from ${CREDENTIALS_PAGE} and check that the app is enabled.`,
	'99991400': "Feishu is limiting this app's requests: wait a minute and try again.",
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

/**
 * Where a user finds the two API names. The namespace cannot be listed: GET /apaas/v1/apps, the
 * one API that lists applications with their namespace, takes a user access token only
 * (open.feishu.cn/document/apaas-v1/app/list), and its example shows the form (package_35f605__c).
 * The aPaaS FAQ (open.feishu.cn/document/apaas-v1/faqs) says each application's admin grants an
 * Open Platform app access to its data, so the admin is who knows it.
 */
export const WHERE_API_NAMES_ARE =
	"the namespace is the aPaaS application's API name and ends in __c, e.g. package_35f605__c (the application's admin, who grants this Feishu app access to its data, can tell it); the object's API name shows in the Object list (From List).";

/** Where records live: an application namespace and an object, both API names. */
export interface ObjectTarget {
	namespace: string;
	objectApiName: string;
}

const API_NAME = /^[A-Za-z0-9_]+$/;

/** Rejects anything but a plain API name, so that a value can never change the request target. */
export function validateApiName(node: INode, value: unknown, label: string): string {
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
