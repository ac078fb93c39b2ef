import { KintoneRestAPIClient, KintoneRestAPIError } from '@kintone/rest-api-client';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, ResourceMapperValue } from 'n8n-workflow';

import { KintoneApi } from '../../credentials/KintoneApi.credentials';
import { Kintone } from '../../nodes/Kintone/Kintone.node';
import type { KintoneEmulator, KintoneEmulatorOptions, SampleApp } from '../emulators/kintone';
import { SAMPLE_FIELDS, createSampleApp, startKintoneEmulator } from '../emulators/kintone';
import type { RecordedRequest } from '../emulators/server';
import type { NodeUnderTest, TestEnvironment } from '../harness/workflow';
import { createCredentials, runNode } from '../harness/workflow';
import type { TestCredentialsHelper } from '../harness/credentials';

export const F = SAMPLE_FIELDS;

/**
 * One emulator with the sample app for the calling describe block: started before its tests,
 * closed after them, and emptied before each test (apps and tokens stay).
 */
export function useKintoneEmulator(options: KintoneEmulatorOptions = {}): { emulator: KintoneEmulator; sample: SampleApp } {
	const fixture = {} as { emulator: KintoneEmulator; sample: SampleApp };
	beforeAll(async () => {
		fixture.emulator = await startKintoneEmulator(options);
		fixture.sample = createSampleApp(fixture.emulator);
	});
	afterAll(async () => await fixture.emulator.close());
	beforeEach(() => fixture.emulator.reset());
	return fixture;
}

/** The credential as a user would save it for the emulator: custom URL, both sample app tokens. */
export function tokenCredential(emulator: KintoneEmulator, sample: SampleApp): ICredentialDataDecryptedObject {
	return { domain: 'custom', baseUrl: emulator.url, authentication: 'apiToken', apiToken: sample.tokens };
}

export function environment(credential: ICredentialDataDecryptedObject): TestEnvironment {
	return { nodeTypes: [new Kintone()], credentialTypes: [new KintoneApi()], credentials: { kintoneApi: credential } };
}

/** The resource mapper value the editor saves. */
export function columns(
	value: ResourceMapperValue['value'],
	options: { matchingColumns?: string[]; mappingMode?: 'defineBelow' | 'autoMapInputData' } = {},
): ResourceMapperValue {
	return {
		mappingMode: options.mappingMode ?? 'defineBelow',
		value,
		matchingColumns: options.matchingColumns ?? [],
		schema: [],
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

export interface RunOptions {
	credential?: ICredentialDataDecryptedObject;
	node?: Partial<NodeUnderTest>;
	/** Observes how the run loads credentials (built from `credential` when absent). */
	credentials?: TestCredentialsHelper;
}

/** Runs the Kintone node on the sample app through n8n's real WorkflowExecute. */
export async function runKintone(
	emulator: KintoneEmulator,
	sample: SampleApp,
	parameters: INodeParameters,
	items: IDataObject[],
	options: RunOptions = {},
) {
	const env = environment(options.credential ?? tokenCredential(emulator, sample));
	return await runNode(
		env,
		{
			type: 'kintone',
			parameters: { resource: 'record', app: { __rl: true, mode: 'id', value: String(sample.app) }, ...parameters },
			credentialTypes: ['kintoneApi'],
			...options.node,
		},
		items,
		options.credentials ?? createCredentials(env),
	);
}

export function requestsTo(emulator: KintoneEmulator, method: string, endpoint: string): RecordedRequest[] {
	return emulator.server.requests.filter(
		(request) => request.method === method && new RegExp(`/v1/${endpoint}\\.json$`).test(request.path),
	);
}

/** Write-format record values for seeding the sample app. */
export function sampleRecord(index: number, extra: Record<string, unknown> = {}): Record<string, { value: unknown }> {
	const values: Record<string, unknown> = { [F.code]: `R-${index}`, [F.text]: `original ${index}`, ...extra };
	return Object.fromEntries(Object.entries(values).map(([code, value]) => [code, { value }]));
}

export function valueOf(emulator: KintoneEmulator, sample: SampleApp, id: string | number, code: string): unknown {
	return emulator.record(sample.app, id)?.record[code]?.value;
}

// The emulator's own tests (emulator.test.ts, emulatorAccess.test.ts) drive it with the official client.

type Auth = NonNullable<ConstructorParameters<typeof KintoneRestAPIClient>[0]>['auth'];

/** The official client refuses plain http except for `localhost`. */
export function sdk(emulator: KintoneEmulator, auth: Auth, options: { guestSpaceId?: number; basicAuth?: { username: string; password: string } } = {}) {
	return new KintoneRestAPIClient({ baseUrl: emulator.url.replace('127.0.0.1', 'localhost'), auth, ...options });
}

export async function kintoneError(promise: Promise<unknown>): Promise<KintoneRestAPIError> {
	const error = await promise.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	if (!(error instanceof KintoneRestAPIError)) throw new Error(`Expected a KintoneRestAPIError, got ${String(error)}`);
	return error;
}

/** A record as the official client sends it: the Code field and `extra` fields. */
export function item(code: string, extra: Record<string, unknown> = {}) {
	return { [F.code]: { value: code }, ...Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, { value }])) };
}
