import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow, createRunExecutionData } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';

import { TestCredentialsHelper } from './credentials';
import { TestCredentialTypes, TestNodeTypes } from './types';

export interface NodeUnderTest {
	type: string;
	typeVersion?: number;
	parameters: INodeParameters;
	/** Credential types the node uses; each gets the stored test credential of that type. */
	credentialTypes?: string[];
	/** n8n's "On Error" setting; `continueErrorOutput` adds the error output. */
	onError?: INode['onError'];
}

export interface TestEnvironment {
	nodeTypes: Array<INodeType | IVersionedNodeType>;
	credentialTypes?: ICredentialType[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
}

export interface NodeRun {
	run: IRun;
	status: IRun['status'];
	/** The node's outputs: [0] main, [1] error output when onError is continueErrorOutput. */
	outputs: INodeExecutionData[][];
	/** The error the node threw, if it did. */
	error?: { message: string; description?: string | null; context?: IDataObject; httpCode?: string | null };
	credentials: TestCredentialsHelper;
}

const INPUT_NODE = 'Input';
const TARGET_NODE = 'Node Under Test';

/** A file an input item carries, as n8n binary data (stored through n8n's binary data service). */
export type TestFile =
	| { data: Buffer | (() => Buffer | NodeJS.ReadableStream); fileName: string; mimeType: string }
	/** Binary data as n8n put it on the item, handed on as it is (e.g. the size n8n recorded for a huge file). */
	| { stored: IBinaryData };

const FILES = Symbol('files');

/** An input item with files: `json`, plus binary properties stored as a previous node would store them. */
export function withFiles(json: IDataObject, files: Record<string, TestFile>): IDataObject {
	return Object.assign({ ...json }, { [FILES]: files });
}

/** A start node that emits the given items, as a trigger or a previous node would. */
function inputNodeType(items: IDataObject[]): INodeType {
	return {
		description: {
			displayName: 'Test Input',
			name: 'testInput',
			group: ['input'],
			version: 1,
			description: 'Emits the items of a test',
			defaults: { name: INPUT_NODE },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute() {
			const output: INodeExecutionData[] = [];
			for (const item of items) {
				const files = (item as { [FILES]?: Record<string, TestFile> })[FILES];
				const binary: INodeExecutionData['binary'] = {};
				for (const [property, file] of Object.entries(files ?? {})) {
					if ('stored' in file) {
						binary[property] = file.stored;
						continue;
					}
					const data = typeof file.data === 'function' ? file.data() : file.data;
					binary[property] = await this.helpers.prepareBinaryData(data as Buffer, file.fileName, file.mimeType);
				}
				output.push(files ? { json: structuredClone({ ...item }), binary } : { json: structuredClone(item) });
			}
			return [output];
		},
	};
}

/**
 * Runs a two-node workflow (test input -> node under test) through n8n-core's real WorkflowExecute:
 * real parameter resolution, real ExecuteContext helpers, real HTTP through n8n's axios stack, and
 * credentials applied by TestCredentialsHelper with n8n's semantics.
 */
export async function runNode(
	env: TestEnvironment,
	node: NodeUnderTest,
	items: IDataObject[],
	credentials = createCredentials(env),
): Promise<NodeRun> {
	const nodeTypes = new TestNodeTypes([inputNodeType(items), ...env.nodeTypes]);
	const nodes: INode[] = [
		{ id: 'input', name: INPUT_NODE, type: 'testInput', typeVersion: 1, position: [0, 0], parameters: {} },
		toWorkflowNode(node),
	];
	const workflow = new Workflow({
		id: 'test-workflow',
		nodes,
		connections: {
			[INPUT_NODE]: { main: [[{ node: TARGET_NODE, type: NodeConnectionTypes.Main, index: 0 }]] },
		},
		active: false,
		nodeTypes,
	});

	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', {
		id: workflow.id,
		name: 'Test workflow',
		nodes,
		connections: workflow.connectionsBySourceNode,
		active: false,
		settings: {},
	} as never);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = testAdditionalData(credentials, hooks);

	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: workflow.getNode(INPUT_NODE)!, data: { main: [[{ json: {} }]] }, source: null },
			],
		},
	});

	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	await execution.processRunExecutionData(workflow);
	const run = await finished;

	const taskData = run.data.resultData.runData[TARGET_NODE]?.[0];
	const error = taskData?.error ?? run.data.resultData.error;
	return {
		run,
		status: run.status,
		outputs: (taskData?.data?.main ?? []).map((output) => output ?? []),
		error: error
			? {
					message: error.message,
					description: (error as { description?: string | null }).description,
					context: (error as { context?: IDataObject }).context,
					httpCode: (error as { httpCode?: string | null }).httpCode,
				}
			: undefined,
		credentials,
	};
}

/** The node under test as it would sit in a saved workflow, with its credentials selected. */
export function toWorkflowNode(node: NodeUnderTest): INode {
	return {
		id: 'target',
		name: TARGET_NODE,
		type: node.type,
		typeVersion: node.typeVersion ?? 1,
		position: [200, 0],
		parameters: node.parameters,
		credentials: Object.fromEntries(
			(node.credentialTypes ?? []).map((type) => [type, { id: `${type}-id`, name: `Test ${type}` }]),
		),
		onError: node.onError,
	};
}

export function createCredentials(env: TestEnvironment): TestCredentialsHelper {
	const helper = new TestCredentialsHelper(new TestCredentialTypes(env.credentialTypes ?? []));
	for (const [type, data] of Object.entries(env.credentials ?? {})) helper.set(type, data);
	return helper;
}

/** What n8n's CLI hands to executions and load-options calls, minus its database and services. */
export function testAdditionalData(
	credentials: TestCredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
	currentNodeParameters?: INodeParameters,
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: credentials,
		hooks,
		currentNodeParameters,
		executionId: 'test-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not available in tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: async () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not available in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}
