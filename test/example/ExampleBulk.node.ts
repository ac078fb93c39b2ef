import type {
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { failEach, writeBatches } from '../../nodes/shared/batchEndpoint';
import type { ServiceProfile } from '../../nodes/shared/client';
import { ServiceClient } from '../../nodes/shared/client';
import { RecordInputError } from '../../nodes/shared/errors';
import { failed, succeeded } from '../../nodes/shared/results';
import { Throttle } from '../../nodes/shared/throttle';

/**
 * A test-only node that proves the shared engine end to end against the example emulator:
 * create (not idempotent) and update (idempotent) of `{ id, name }` records in batches.
 */
export const exampleCredentialType: ICredentialType = {
	name: 'exampleBulkApi',
	displayName: 'Example Bulk API',
	properties: [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
	],
	authenticate: { type: 'generic', properties: { headers: { 'X-Api-Key': '={{$credentials.apiKey}}' } } },
};

const profile: ServiceProfile = {
	name: 'Example service',
	rules: {
		credentialType: 'exampleBulkApi',
		isRateLimited: (response) => (response.body as IDataObject | undefined)?.code === 'SLOW_DOWN',
		retryHintHeaders: ['x-ratelimit-reset'],
	},
	hints: {},
	baseUrl: (credentials) => ({ url: String(credentials.baseUrl) }),
	isSuccess: (response) => response.statusCode < 400,
	errorOf: (response) => ({ message: String((response.body as IDataObject | undefined)?.message ?? response.statusCode) }),
};

interface ExampleResult {
	ok: boolean;
	id?: string;
	error?: string;
}

export class ExampleBulk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Example Bulk',
		name: 'exampleBulk',
		group: ['output'],
		version: 1,
		description: 'Test-only bulk writer',
		defaults: { name: 'Example Bulk' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'exampleBulkApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				options: [
					{ name: 'Create', value: 'create' },
					{ name: 'Update', value: 'update' },
				],
				default: 'create',
			},
			{ displayName: 'Batch Size', name: 'batchSize', type: 'number', default: 500 },
			{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 1 },
			{ displayName: 'Requests Per Second', name: 'perSecond', type: 'number', default: 0 },
			{ displayName: 'Timeout (Ms)', name: 'timeout', type: 'number', default: 10_000 },
			{ displayName: 'Max Retries', name: 'maxRetries', type: 'number', default: 4 },
			{ displayName: 'Rate Limit Wait (Ms)', name: 'rateLimitWaitMs', type: 'number', default: 5_000 },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as 'create' | 'update';
		const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('exampleBulkApi');
		const perSecond = this.getNodeParameter('perSecond', 0) as number;
		const throttle = new Throttle(perSecond > 0 ? [{ limit: perSecond, intervalMs: 1000 }] : []);
		const timeout = this.getNodeParameter('timeout', 0) as number;
		const maxRetries = this.getNodeParameter('maxRetries', 0) as number;
		const items = this.getInputData();

		const client = new ServiceClient(this, profile, {
			baseUrl,
			timeoutMs: timeout,
			throttle,
			retry: {
				maxRetries,
				rateLimitWaitMs: this.getNodeParameter('rateLimitWaitMs', 0) as number,
				baseDelayMs: 20,
				maxDelayMs: 200,
				maxHintMs: 5_000,
			},
		});

		const output = await writeBatches<IDataObject>(this, client, {
			targetName: 'the example service',
			action: operation === 'create' ? 'create' : 'update',
			prepare: (itemIndex) => {
				const { json } = items[itemIndex];
				if (typeof json.name !== 'string') throw new RecordInputError('"name" must be text', 'name');
				if (operation === 'update' && json.id === undefined) throw new RecordInputError('"id" is required', 'id');
				return { key: json.id === undefined ? `name ${json.name}` : `id ${json.id}`, payload: json };
			},
			endpoint: {
				batchSize: this.getNodeParameter('batchSize', 0) as number,
				concurrency: this.getNodeParameter('concurrency', 0) as number,
				idempotent: () => operation === 'update',
				request: (records) => ({ method: operation === 'create' ? 'POST' : 'PUT', path: '/records', body: { records } }),
				answer: (batch, response) => {
					if (!client.isSuccess(response)) {
						const message = `Example service refused the batch: ${client.describe(response).message}`;
						return { outcomes: failEach(batch, { message, outcome: 'failed' }) };
					}
					const { results } = response.body as { results?: ExampleResult[] };
					return {
						outcomes: batch.map((record, index) => {
							const result = results?.[index];
							if (result?.ok) return succeeded(record.itemIndex, { id: result.id, ...record.payload }, record.key);
							return failed(
								record.itemIndex,
								{ message: result?.error ?? 'No result', outcome: 'failed', code: 'REJECTED' },
								record.key,
							);
						}),
					};
				},
			},
		});
		return [output];
	}
}
