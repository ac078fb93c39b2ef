import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import { TOKEN_PATH } from '../emulators/feishuApaas';
import { createCredentials } from '../harness/workflow';
import {
	NS,
	OBJ,
	apaasEnvironment,
	autoMap,
	requestsTo,
	runApaas,
	sentRecords,
	tokensSeen,
	useFeishuApaasEmulator,
	visible,
} from './setup';

const update = { operation: 'update', columns: autoMap };

function seedItems(emulator: FeishuApaasEmulator, count: number) {
	const ids = emulator.seedRecords(NS, OBJ, Array.from({ length: count }, () => ({ book_count: 0 })));
	return { ids, items: ids.map((_id, index) => ({ _id, book_count: index + 1, 作者: `作者${index}` })) };
}

/**
 * The token expires between two batches: one refresh; every batch refused for it (several can be
 * in flight) is replayed once with the new token; nothing lost or applied twice.
 */
async function expectRefreshMidRun(emulator: FeishuApaasEmulator) {
	const { ids, items } = seedItems(emulator, 1234);
	emulator.expireTokensBeforeRequest(2);
	const env = apaasEnvironment(emulator);
	const credentials = createCredentials(env);

	const result = await runApaas(emulator, update, items, { env, credentials });

	expect(result.error).toBeUndefined();
	expect(result.outputs[0]).toHaveLength(1234);
	expect(emulator.tokensIssued).toBe(2);
	expect(requestsTo(emulator, TOKEN_PATH)).toHaveLength(2);
	const patches = requestsTo(emulator, 'batch_update');
	const codeOf = new Map(emulator.answers.map((answer) => [answer.seq, answer.code]));
	const accepted = patches.filter((request) => codeOf.get(request.seq) === 0);
	const refused = patches.filter((request) => codeOf.get(request.seq) === 99991663);
	expect(accepted.length + refused.length).toBe(patches.length);
	// The first batch goes alone; each batch is accepted exactly once.
	expect(codeOf.get(patches[0].seq)).toBe(0);
	expect(accepted.map((request) => sentRecords(request.body).length).sort()).toEqual([234, 500, 500]);
	expect(new Set(accepted.map((request) => request.rawBody)).size).toBe(3);
	// Each refused request was replayed once, with the same records.
	expect(refused.length).toBeGreaterThanOrEqual(1);
	for (const request of refused) {
		expect(patches.filter((other) => other.rawBody === request.rawBody).map((other) => codeOf.get(other.seq))).toEqual([99991663, 0]);
	}
	const [first, second] = tokensSeen(emulator);
	for (const request of patches) {
		const fresh = codeOf.get(request.seq) === 0 && request !== patches[0];
		expect(request.headers.authorization).toBe(`Bearer ${fresh ? second : first}`);
	}
	// n8n persisted the new token (and its expiry) once each: the first fetch and the refresh.
	expect(credentials.updates.map((update) => update.data.tenantAccessToken)).toEqual([first, second]);
	expect(Number(credentials.get('feishuApaasApi')?.tokenExpiresAt)).toBeGreaterThan(Date.now() + 7000_000);

	const stored = emulator.records(NS, OBJ);
	ids.forEach((id, index) => {
		expect(stored.get(id)?.writes).toBe(1);
		expect(stored.get(id)?.values).toEqual({ book_count: index + 1, 作者: `作者${index}` });
	});
	for (const secret of [emulator.appSecret, first, second]) expect(visible(result)).not.toContain(secret);
}

describe('Feishu aPaaS node: tenant access token', () => {
	const apaas = useFeishuApaasEmulator();

	it('expires mid-run (99991663 with HTTP 400): refreshed once, the batch replayed, nothing lost or sent twice', async () => {
		await expectRefreshMidRun(apaas.emulator);
	});

	it('is fetched once and reused by later runs while it is valid', async () => {
		const { items } = seedItems(apaas.emulator, 3);
		const env = apaasEnvironment(apaas.emulator);
		const credentials = createCredentials(env);
		await runApaas(apaas.emulator, update, items, { env, credentials });
		await runApaas(apaas.emulator, update, items, { env, credentials });
		expect(requestsTo(apaas.emulator, TOKEN_PATH)).toHaveLength(1);
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(2);
	});

	it('is renewed before it expires: no request is sent with a dying token', async () => {
		const { items } = seedItems(apaas.emulator, 3);
		const env = apaasEnvironment(apaas.emulator);
		const credentials = createCredentials(env);
		await runApaas(apaas.emulator, update, items, { env, credentials });
		const [old] = tokensSeen(apaas.emulator);

		// 1 h 59 min pass, for the service and for the stored expiry alike.
		apaas.emulator.ageTokens(7200 - 60);
		credentials.set('feishuApaasApi', { ...credentials.get('feishuApaasApi'), tokenExpiresAt: Date.now() + 60_000 });
		apaas.emulator.server.reset();
		const result = await runApaas(apaas.emulator, update, items, { env, credentials });

		expect(result.status).toBe('success');
		expect(apaas.emulator.server.requests.map((request) => request.path.split('/').pop())).toEqual(['internal', 'batch_update']);
		expect(apaas.emulator.answers.filter((answer) => answer.code === 99991663)).toHaveLength(0);
		const renewed = credentials.get('feishuApaasApi')?.tenantAccessToken;
		expect(renewed).not.toBe(old);
		expect(requestsTo(apaas.emulator, 'batch_update')[0].headers.authorization).toBe(`Bearer ${renewed}`);
	});

	it('is renewed when the stored token belongs to another app or host', async () => {
		const { items } = seedItems(apaas.emulator, 1);
		const env = apaasEnvironment(apaas.emulator, {
			tenantAccessToken: 't-from-another-app',
			tokenExpiresAt: Date.now() + 3600_000,
			tokenIssuedFor: `cli_other@${apaas.emulator.url}`,
		});
		const result = await runApaas(apaas.emulator, update, items, { env });
		expect(result.status).toBe('success');
		expect(tokensSeen(apaas.emulator)).not.toContain('t-from-another-app');
		expect(apaas.emulator.answers.filter((answer) => answer.code === 99991663)).toHaveLength(0);
	});

	it('a wrong app secret fails with a clear message, sends no data request and shows no secret', async () => {
		const { items } = seedItems(apaas.emulator, 2);
		const wrongSecret = 'wrong-secret-7f3a9c1e5b';
		const result = await runApaas(apaas.emulator, update, items, { env: apaasEnvironment(apaas.emulator, { appSecret: wrongSecret }) });

		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('code 10014');
		expect(result.error?.message).toContain('Check the App ID and App Secret');
		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(0);
		expect(requestsTo(apaas.emulator, TOKEN_PATH)).toHaveLength(1);
		expect(visible(result)).not.toContain(wrongSecret);
	});

	it('a custom base URL must use https unless it is a loopback address', async () => {
		const env = apaasEnvironment(apaas.emulator, { baseUrl: 'http://open.example.com' });
		const result = await runApaas(apaas.emulator, update, [{ _id: '1', book_count: 1 }], { env });
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('must use https');
	});
});

describe('Feishu aPaaS node: token refresh when the service signals it with HTTP 401', () => {
	const apaas = useFeishuApaasEmulator({ tokenErrorStatus: 401 });

	it('a 401 renews the token once for all requests in flight; nothing lost or sent twice', async () => {
		await expectRefreshMidRun(apaas.emulator);
	});
});
