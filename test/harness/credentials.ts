import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	ICredentialsExpressionResolveValues,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, Workflow, isExpression } from 'n8n-workflow';
import { Credentials } from 'n8n-core';

import type { TestCredentialTypes } from './types';
import { TestNodeTypes } from './types';

const resolverNode: INode = {
	id: 'credential-resolver',
	name: 'credential-resolver',
	type: 'resolver',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/**
 * A credential store with the semantics of n8n's own CredentialsHelper (packages/cli): defaults
 * and expressions applied on read, generic and function `authenticate`, `preAuthentication` for
 * the first hidden expirable field (run when it is empty, expired, or for a credential test), and
 * updates persisted so later reads see them. Only the database is replaced by memory.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly stored = new Map<string, ICredentialDataDecryptedObject>();

	/** How often n8n asked for each credential type, decrypted (n8n reads and decrypts it each time). */
	readonly decryptions = new Map<string, number>();

	/** Every persisted update, oldest first, for tests that check how often tokens were refreshed. */
	readonly updates: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	private readonly resolver = new Workflow({
		nodes: [resolverNode],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes([
			{
				description: {
					displayName: 'Credential Resolver',
					name: resolverNode.type,
					group: [],
					version: 1,
					description: 'Resolves credential expressions',
					defaults: {},
					inputs: [],
					outputs: [],
					properties: [],
				},
			},
		]),
	});

	constructor(private readonly credentialTypes: TestCredentialTypes) {
		super();
	}

	/** Stores credential data by type, as a user would save it in the editor. */
	set(type: string, data: ICredentialDataDecryptedObject): void {
		this.stored.set(type, structuredClone(data));
	}

	/** The raw stored data, as the database would hold it. */
	get(type: string): ICredentialDataDecryptedObject | undefined {
		return this.stored.get(type);
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
				target[outerKey] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					const resolve = (text: string) => this.resolveValue(text, credentials, workflow, node);
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof credentialType.preAuthentication !== 'function') return undefined;

		const isCredentialTest = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isCredentialTest) {
			return undefined;
		}
		const output = (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			const stored = this.stored.get(typeName) ?? {};
			const toPersist = { ...stored };
			for (const [key, value] of Object.entries(output)) {
				if (key === expirable.name || !isExpression(stored[key])) toPersist[key] = value;
			}
			await this.updateCredentials(node.credentials[typeName], typeName, toPersist);
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.credentialTypes.getByName(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		return (await preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<Credentials> {
		const credentials = new Credentials(
			{ id: nodeCredentials.id, name: nodeCredentials.name },
			type,
		);
		credentials.setData(this.stored.get(type) ?? {});
		return credentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		_executeData?: unknown,
		raw?: boolean,
		_expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		this.decryptions.set(type, (this.decryptions.get(type) ?? 0) + 1);
		const data = this.stored.get(type);
		if (!data) throw new Error(`No test credentials stored for type "${type}"`);
		if (raw) return structuredClone(data);
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			structuredClone(data) as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (data.oauthTokenData !== undefined) withDefaults.oauthTokenData = structuredClone(data.oauthTokenData) as IDataObject;
		return this.resolver.expression.getComplexParameterValue(
			resolverNode,
			withDefaults as INodeParameters,
			mode,
			{},
			undefined,
			undefined,
			withDefaults,
		) as unknown as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.stored.set(type, structuredClone(data));
		this.updates.push({ type, data: structuredClone(data) });
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const stored = { ...(this.stored.get(type) ?? {}), oauthTokenData: data.oauthTokenData };
		await this.updateCredentials(_nodeCredentials, type, stored);
	}

	getCredentialsProperties(type: string) {
		const properties = this.credentialTypes.getProperties(type);
		if (['oAuth1Api', 'oAuth2Api'].some((base) => type === base || this.getParentTypes(type).includes(base))) {
			properties.push({
				displayName: 'oauthTokenData',
				name: 'oauthTokenData',
				type: 'json',
				required: false,
				default: {},
			});
		}
		return properties;
	}

	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow?: Workflow,
		node?: INode,
	): string {
		if (!isExpression(value)) return value;
		const resolved = (workflow ?? this.resolver).expression.getSimpleParameterValue(
			node ?? resolverNode,
			value,
			'internal',
			{ $credentials: credentials },
			undefined,
			'',
		);
		return resolved ? String(resolved) : '';
	}
}
