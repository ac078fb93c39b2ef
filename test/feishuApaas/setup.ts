import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { FeishuApaasApi } from '../../credentials/FeishuApaasApi.credentials';
import { FeishuApaas } from '../../nodes/FeishuApaas/FeishuApaas.node';
import type { FeishuApaasEmulator, FeishuApaasEmulatorOptions } from '../emulators/feishuApaas';
import { startFeishuApaasEmulator } from '../emulators/feishuApaas';
import type { NodeRun, NodeUnderTest, TestEnvironment } from '../harness/workflow';
import { createCredentials, runNode } from '../harness/workflow';

export const NS = 'package_test__c';
export const OBJ = 'book__c';

/** An object with Chinese API names and labels next to plain ones. */
export function defineBooks(emulator: FeishuApaasEmulator): void {
	emulator.defineObject(NS, OBJ, [
		{ api_name: 'book_name', type: 'text', label: { zh_cn: '书名', en_us: 'Title' } },
		{ api_name: 'book_count', type: 'number', label: '数量' },
		{ api_name: '作者', type: 'text', label: '作者' },
		{ api_name: '城市', type: 'text', label: '城市' },
		{ api_name: 'in_stock', type: 'boolean', label: '有货' },
		{ api_name: 'code', type: 'autoNumber', label: '编号' },
	]);
}

/**
 * One emulator for the calling describe block: started before its tests, closed after them, and
 * before each test emptied and `prepare`d (by default with the books object).
 */
export function useFeishuApaasEmulator(
	options: FeishuApaasEmulatorOptions = {},
	prepare: (emulator: FeishuApaasEmulator) => void = defineBooks,
): { emulator: FeishuApaasEmulator } {
	const fixture = {} as { emulator: FeishuApaasEmulator };
	beforeAll(async () => {
		fixture.emulator = await startFeishuApaasEmulator(options);
	});
	afterAll(async () => await fixture.emulator.close());
	beforeEach(() => {
		fixture.emulator.reset();
		prepare(fixture.emulator);
	});
	return fixture;
}

export function credentialData(emulator: FeishuApaasEmulator, extra: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		platform: 'custom',
		baseUrl: emulator.url,
		appId: emulator.appId,
		appSecret: emulator.appSecret,
		tenantAccessToken: '',
		...extra,
	};
}

export function apaasEnvironment(emulator: FeishuApaasEmulator, credentials: IDataObject = {}): TestEnvironment {
	return {
		nodeTypes: [new FeishuApaas()],
		credentialTypes: [new FeishuApaasApi()],
		credentials: { feishuApaasApi: credentialData(emulator, credentials) },
	};
}

export const autoMap = { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] };

/** Runs the node on `items` through n8n's WorkflowExecute against the emulator. */
export async function runApaas(
	emulator: FeishuApaasEmulator,
	parameters: INodeParameters,
	items: IDataObject[],
	options: { node?: Partial<NodeUnderTest>; env?: TestEnvironment; credentials?: ReturnType<typeof createCredentials> } = {},
): Promise<NodeRun> {
	const env = options.env ?? apaasEnvironment(emulator);
	return await runNode(
		env,
		{
			type: 'feishuApaas',
			parameters: { resource: 'objectRecord', namespace: NS, objectApiName: OBJ, ...parameters },
			credentialTypes: ['feishuApaasApi'],
			...options.node,
		},
		items,
		options.credentials ?? createCredentials(env),
	);
}

/** Requests of the emulator's log that hit a given endpoint. */
export function requestsTo(emulator: FeishuApaasEmulator, suffix: string) {
	return emulator.server.requests.filter((request) => request.path.endsWith(suffix));
}

/** The records one logged batch write carried. */
export function sentRecords(body: unknown): Array<Record<string, unknown>> {
	return JSON.parse((body as { records: string }).records) as Array<Record<string, unknown>>;
}

/** Everything that left the node (outputs and error) as text, to search for secrets. */
export function visible(run: NodeRun): string {
	return JSON.stringify({ outputs: run.outputs, error: run.error, runData: run.run.data.resultData });
}

/** Every token the node sent, as seen by the emulator. */
export function tokensSeen(emulator: FeishuApaasEmulator): string[] {
	return [
		...new Set(
			emulator.server.requests
				.map((request) => /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1])
				.filter((token): token is string => !!token),
		),
	];
}
