import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, ResourceMapperFields } from 'n8n-workflow';

import { FeishuDataTableOAuth2Api } from '../../credentials/FeishuDataTableOAuth2Api.credentials';
import { FeishuDataTable } from '../../nodes/FeishuDataTable/FeishuDataTable.node';
import type { FeishuDataTableEmulator, TableSpec } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { callNodeMethod } from '../harness/loadOptions';
import { oAuth2ApiCredentialType } from '../harness/oAuth2Api';
import type { NodeUnderTest, TestEnvironment } from '../harness/workflow';
import { runNode } from '../harness/workflow';

export const CREDENTIAL = 'feishuDataTableOAuth2Api';
export const WORKSPACE = 'workspace_test01';

/** What a user saves after connecting the credential to the emulator (custom base URL). */
export function credentialData(emulator: FeishuDataTableEmulator): ICredentialDataDecryptedObject {
	return {
		platform: 'custom',
		baseUrl: emulator.url,
		clientId: emulator.clientId,
		clientSecret: emulator.clientSecret,
		oauthTokenData: { ...emulator.issueUserToken(), token_type: 'Bearer' } as unknown as IDataObject,
	};
}

export function environment(
	emulator: FeishuDataTableEmulator,
	credentials = credentialData(emulator),
): TestEnvironment {
	return {
		nodeTypes: [new FeishuDataTable()],
		credentialTypes: [oAuth2ApiCredentialType, new FeishuDataTableOAuth2Api()],
		credentials: { [CREDENTIAL]: credentials },
	};
}

/** The scope that lets the node read a table's keys of several columns with SQL. */
export const SQL_SCOPE = 'app_engine:workspace.sql_commands:write';

/** What a user saves who also granted the SQL scope (the credential's "Read Keys of Several Columns"). */
export function sqlEnvironment(emulator: FeishuDataTableEmulator): TestEnvironment {
	const token = { ...emulator.issueUserToken(`offline_access ${SQL_SCOPE}`), token_type: 'Bearer' };
	return environment(emulator, { ...credentialData(emulator), oauthTokenData: token as unknown as IDataObject });
}

/**
 * One emulator for the calling describe block: started before its tests, closed after them, and
 * before each test emptied, with `tables` created in the test workspace and a fresh `env` for it.
 */
export function useFeishuDataTableEmulator(tables: TableSpec[] = []): {
	emulator: FeishuDataTableEmulator;
	env: TestEnvironment;
} {
	const fixture = {} as { emulator: FeishuDataTableEmulator; env: TestEnvironment };
	beforeAll(async () => {
		fixture.emulator = await startFeishuDataTableEmulator();
	});
	afterAll(async () => await fixture.emulator.close());
	beforeEach(async () => {
		await fixture.emulator.reset();
		for (const table of tables) await fixture.emulator.createTable(WORKSPACE, table);
		fixture.env = environment(fixture.emulator);
	});
	return fixture;
}

/** The node's parameters for a table of the test workspace. */
export function target(table: string): INodeParameters {
	return {
		resource: 'row',
		workspace: { __rl: true, mode: 'id', value: WORKSPACE },
		table: { __rl: true, mode: 'name', value: table },
	};
}

export function nodeUnderTest(parameters: INodeParameters, node: Partial<NodeUnderTest> = {}): NodeUnderTest {
	return { type: 'feishuDataTable', parameters, credentialTypes: [CREDENTIAL], ...node };
}

export async function run(
	env: TestEnvironment,
	parameters: INodeParameters,
	items: IDataObject[],
	node: Partial<NodeUnderTest> = {},
) {
	return await runNode(env, nodeUnderTest(parameters, node), items);
}

/** The mapping schema as the editor loads it for these parameters (getColumns). */
export async function loadSchema(env: TestEnvironment, parameters: INodeParameters) {
	return await callNodeMethod<ResourceMapperFields>(env, nodeUnderTest(parameters), 'resourceMapping', 'getColumns');
}

/** A `columns` value as the editor saves it: auto-map (items' fields) with the loaded schema. */
export async function autoMapColumns(
	env: TestEnvironment,
	parameters: INodeParameters,
	matchingColumns: string[] = [],
): Promise<INodeParameters> {
	const { fields } = await loadSchema(env, parameters);
	return {
		mappingMode: 'autoMapInputData',
		value: null,
		matchingColumns,
		schema: fields as unknown as INodeParameters[],
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

/** `user_products`: composite unique key (user_id, product_id), defaults on status and qty. */
export const USER_PRODUCTS: TableSpec = {
	name: 'user_products',
	description: 'Purchases per user',
	columns: [
		{ name: 'user_id', data_type: 'int4', is_allow_null: false },
		{ name: 'product_id', data_type: 'varchar', is_allow_null: false },
		{ name: 'qty', data_type: 'int4', default_value: '1', is_allow_null: false },
		{ name: 'status', data_type: 'varchar', default_value: "'pending'" },
		{ name: 'note', data_type: 'text' },
	],
	uniqueConstraints: [['user_id', 'product_id']],
};

/** `contacts`: a single unique column and names with the characters a filter must take literally. */
export const CONTACTS: TableSpec = {
	name: 'contacts',
	columns: [
		{ name: 'email', data_type: 'varchar', is_unique: true, is_allow_null: false },
		{ name: 'name', data_type: 'varchar' },
		{ name: 'score', data_type: 'int4' },
		{ name: 'active', data_type: 'bool', default_value: 'true' },
	],
};

export function purchases(count: number, offset = 0): IDataObject[] {
	return Array.from({ length: count }, (_, index) => {
		const n = index + offset;
		return { user_id: Math.floor(n / 10), product_id: `p-${n % 10}`, qty: n, note: `purchase ${n}` };
	});
}

/** One condition of the filter form. */
export function condition(column: string, operator: string, value?: unknown) {
	return { column, operator, ...(value === undefined ? {} : { value }) };
}

/** The filter form with these conditions, combined by `combinator`. */
export function byConditions(conditions: IDataObject[], combinator = 'and'): INodeParameters {
	return { filterType: 'conditions', combinator, conditions: { condition: conditions } } as INodeParameters;
}

/** `contacts` rows with these names, in order: email c<index>@example.com, score <index>. */
export function contactRows(names: string[]): IDataObject[] {
	return names.map((name, index) => ({ email: `c${index}@example.com`, name, score: index }));
}

// The emulator's own tests (emulator.test.ts, emulatorAccess.test.ts) call its API over plain HTTP.

/** What every answer of the data table API comes in. */
export interface Envelope<T = Record<string, unknown>> {
	code: number;
	msg?: string;
	data?: T;
}

/**
 * `call(method, path, options)`: plain HTTP to `.../workspaces/{workspace}/tables{path}` of
 * `emulator()`, with the user token `token()` unless `options.token` gives another (null: none).
 */
export function tablesCall(emulator: () => FeishuDataTableEmulator, workspace: string, token: () => string) {
	return async function call<T = Record<string, unknown>>(
		method: string,
		path: string,
		options: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; token?: string | null } = {},
	): Promise<{ status: number; headers: Headers; body: Envelope<T> }> {
		const url = new URL(`${emulator().url}/open-apis/apaas/v1/workspaces/${workspace}/tables${path}`);
		for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
		const bearer = options.token === undefined ? token() : options.token;
		const response = await fetch(url, {
			method,
			headers: {
				'content-type': 'application/json; charset=utf-8',
				...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
				...options.headers,
			},
			body: options.body === undefined ? undefined : JSON.stringify(options.body),
		});
		return { status: response.status, headers: response.headers, body: (await response.json()) as Envelope<T> };
	};
}
