import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { feishuApiBaseUrl } from '../../nodes/feishu/api';
import { kintoneBaseUrl } from '../../nodes/Kintone/transport/url';
import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import { startFeishuApaasEmulator } from '../emulators/feishuApaas';
import type { FeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import { createSampleApp, startKintoneEmulator } from '../emulators/kintone';
import type { RecordedRequest } from '../emulators/server';
import { NS, OBJ, apaasEnvironment, defineBooks, runApaas, useFeishuApaasEmulator } from '../feishuApaas/setup';
import { USER_PRODUCTS, WORKSPACE, credentialData, environment, run as runDataTable, useFeishuDataTableEmulator } from '../feishuDataTable/setup';
import { F, columns, runKintone, tokenCredential, useKintoneEmulator } from '../kintone/setup';
import { EMPTY_COUNTS, finishFile } from './summary';

/** Values that try to change where a request goes: traversal, separators, encodings, look-alikes. */
const TRICKS = [
	'../x',
	'..',
	'.',
	'./',
	'a/b',
	'a/../../b',
	'a?b=1',
	'a#b',
	'a%2Fb',
	'%2e%2e',
	'.%2e',
	'%252F',
	'a b',
	'a\\b',
	'／etc／passwd',
	'．．',
	'a\u2215b',
	'a\u202Eb',
	'a\u0000b',
	'a\nb',
	'a;b',
	'a&b=c',
	'@evil.example',
	'//evil.example',
	'http://evil.example/',
	'',
	' ',
];

/** Base URLs the credentials must refuse: not https, and not http to this machine. */
const INSECURE_BASE_URLS = [
	'http://open.example.invalid',
	'http://127.0.0.1.example.invalid',
	'http://localhost.example.invalid',
	'http://0.0.0.0',
	'http://10.0.0.1',
	'ftp://127.0.0.1',
	'file:///etc/passwd',
	'javascript:alert(1)',
	'not a url',
];

const outside: string[] = [];
let attempts = 0;

afterAll(() => {
	process.stdout.write(`paths and hosts: ${attempts} attempts, ${outside.length} requests outside their target\n`);
	// Asserted test by test; the closing line's counts are about records and secrets.
	finishFile('paths', EMPTY_COUNTS);
});

/** Every request must have gone to one of the expected routes, with exactly the given parameters. */
function expectOnTarget(label: string, requests: readonly RecordedRequest[], expected: (request: RecordedRequest) => boolean): void {
	attempts++;
	for (const request of requests) if (!expected(request)) outside.push(`${label}: ${request.method} ${request.path}`);
	expect(outside).toEqual([]);
}

describe('paths: Kintone app and guest space', () => {
	const kintone = useKintoneEmulator();

	const create = { operation: 'create', columns: columns({ [F.code]: 'x' }) };
	const kintonePath = /^\/k(\/guest\/[1-9][0-9]*)?\/v1\/[a-z/]+\.json$/;

	// Values come from the data through expressions: n8n checks only fixed values before a run.
	it('an app ID or guest space that is not a number never reaches kintone', async () => {
		for (const trick of TRICKS) {
			kintone.emulator.server.reset();
			const byApp = await runKintone(kintone.emulator, kintone.sample, { ...create, app: { __rl: true, mode: 'id', value: '={{ $json.target }}' } }, [{ target: trick }]);
			expect(byApp.status).toBe('error');
			expectOnTarget(`kintone app ${JSON.stringify(trick)}`, kintone.emulator.server.requests, () => false);

			const byGuest = await runKintone(kintone.emulator, kintone.sample, { ...create, options: { guestSpaceId: '={{ $json.target }}' } }, [{ target: trick }]);
			if (trick.trim() !== '') expect(byGuest.status).toBe('error');
			expectOnTarget(`kintone guest space ${JSON.stringify(trick)}`, kintone.emulator.server.requests, (request) => kintonePath.test(request.path) && !request.path.includes('/guest/'));
		}
	});

	it('an app URL on another host reads only the app number: requests still go to the credential’s domain', async () => {
		const run = await runKintone(kintone.emulator, kintone.sample, { ...create, app: { __rl: true, mode: 'url', value: '={{ $json.target }}' } }, [
			{ target: `https://evil.example/k/${kintone.sample.app}/` },
		]);
		expect(run.status).toBe('success');
		expectOnTarget('kintone app URL', kintone.emulator.server.requests, (request) => kintonePath.test(request.path));
	});
});

describe('paths: Feishu aPaaS namespace and object', () => {
	const apaas = useFeishuApaasEmulator();

	it('a namespace or object that is not a plain API name never reaches Feishu', async () => {
		const update = { operation: 'update', columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] } };
		for (const trick of TRICKS) {
			for (const parameters of [{ namespace: trick, objectApiName: OBJ }, { namespace: NS, objectApiName: trick }]) {
				apaas.emulator.server.reset();
				const run = await runApaas(
					apaas.emulator,
					{ ...update, namespace: '={{ $json.namespace }}', objectApiName: '={{ $json.object }}' } as INodeParameters,
					[{ _id: '1', book_count: 1, namespace: parameters.namespace, object: parameters.objectApiName }],
				);
				expect(run.status).toBe('error');
				expect(run.error?.message).toMatch(/not a valid API name/);
				expectOnTarget(`apaas ${JSON.stringify(parameters)}`, apaas.emulator.server.requests, () => false);
			}
		}
	});
});

describe('paths: Feishu Data Table workspace and table', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS]);

	const columns = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };
	const route = /^\/open-apis\/apaas\/v1\/workspaces\/[^/]+\/tables\/[^/]+\/records$/;

	it('any workspace or table value stays one path segment of the table it names, or is refused', async () => {
		const { emulator, env } = dataTable;
		emulator.rateLimitPerSecond = 1_000_000;
		let reached = 0;
		for (const trick of TRICKS) {
			for (const [workspace, table] of [[trick, USER_PRODUCTS.name], [WORKSPACE, trick]]) {
				emulator.server.reset();
				const run = await runDataTable(
					env,
					{
						resource: 'row',
						operation: 'insert',
						workspace: { __rl: true, mode: 'id', value: '={{ $json.workspace }}' },
						table: { __rl: true, mode: 'name', value: '={{ $json.table }}' },
						// The fields holding the target are left out of the mapping.
						columns: { ...columns, schema: [{ id: 'user_id' }, { id: 'product_id' }, { id: 'workspace', removed: true }, { id: 'table', removed: true }] },
					} as INodeParameters,
					[{ user_id: 1, product_id: 'p', workspace, table }],
				);
				if (run.status === 'success') expect([workspace, table]).toEqual([WORKSPACE, USER_PRODUCTS.name]);
				// The router decodes each segment: the service sees exactly the value given, in its own segment.
				expectOnTarget(
					`data table ${JSON.stringify([workspace, table])}`,
					emulator.server.requests,
					(request) =>
						route.test(request.path) &&
						request.params.workspace_id === workspace.trim() &&
						request.params.table_name === table.trim(),
				);
				reached += emulator.server.requests.length;
			}
		}
		// Most values are valid names for the service to judge: they did reach it, each in its segment.
		expect(reached).toBeGreaterThan(TRICKS.length);
	});
});

describe('hosts: every credential refuses a base URL that is neither https nor loopback', () => {
	let kintone: KintoneEmulator;
	let sample: SampleApp;
	let apaas: FeishuApaasEmulator;
	let dataTable: FeishuDataTableEmulator;

	beforeAll(async () => {
		[kintone, apaas, dataTable] = await Promise.all([startKintoneEmulator(), startFeishuApaasEmulator(), startFeishuDataTableEmulator()]);
		sample = createSampleApp(kintone);
		defineBooks(apaas);
	});
	afterAll(async () => await Promise.all([kintone.close(), apaas.close(), dataTable.close()]));

	/** Runs each node with the credential's base URL replaced; returns the error messages. */
	async function withBaseUrl(baseUrl: string): Promise<Array<string | undefined>> {
		const kintoneRun = await runKintone(kintone, sample, { operation: 'create', columns: columns({ [F.code]: 'x' }) }, [{}], {
			credential: { ...tokenCredential(kintone, sample), baseUrl } as ICredentialDataDecryptedObject,
		});
		const apaasRun = await runApaas(apaas, { operation: 'create', columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] } }, [{ book_name: 'x' }], {
			env: apaasEnvironment(apaas, { baseUrl }),
		});
		const tableRun = await runDataTable(
			environment(dataTable, { ...credentialData(dataTable), baseUrl }),
			{ resource: 'row', operation: 'insert', workspace: { __rl: true, mode: 'id', value: WORKSPACE }, table: { __rl: true, mode: 'name', value: 'x' }, columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] } } as INodeParameters,
			[{ a: 1 }],
		);
		return [kintoneRun.error?.message, apaasRun.error?.message, tableRun.error?.message];
	}

	it('refused before any request, with a message that says so', async () => {
		for (const baseUrl of INSECURE_BASE_URLS) {
			for (const message of await withBaseUrl(baseUrl)) {
				attempts++;
				expect(message).toMatch(/https|not a (valid )?URL|Enter only the address|must not contain/i);
			}
		}
		expect([...kintone.server.requests, ...apaas.server.requests, ...dataTable.server.requests]).toEqual([]);
	});

	it('https and http to 127.0.0.1, localhost or [::1] are accepted', async () => {
		const port = new URL(kintone.url).port;
		for (const message of await withBaseUrl(`http://127.0.0.1:${port}`)) {
			attempts++;
			expect(message ?? '').not.toMatch(/https/);
		}
		// Only 127.0.0.1 is served here: for the others, the checks themselves (no connection made).
		for (const baseUrl of ['https://open.example.invalid', `http://localhost:${port}`, `http://[::1]:${port}`]) {
			attempts++;
			expect(kintoneBaseUrl({ domain: 'custom', baseUrl })).toBe(new URL(baseUrl).origin);
			expect(feishuApiBaseUrl('custom', baseUrl)).toEqual({ url: baseUrl });
		}
	});
});
