import { createHash } from 'node:crypto';

import type { FeishuDataTableEmulator, TableSpec } from '../emulators/feishuDataTable';
import { startFeishuDataTableEmulator } from '../emulators/feishuDataTable';
import { tablesCall } from './setup';

/**
 * The emulator on its own: wire format through the official Lark SDK, PostgREST semantics and
 * OAuth through plain HTTP. The node's tests build on these behaviours.
 */
// Here: reading rows (paging, filters, select, order), user tokens, OAuth and the rate limit
// (tables and writes: emulator.test.ts).

const WORKSPACE = 'workspace_emu01';

const NAMES: TableSpec = { name: 'names', columns: [{ name: 'name', data_type: 'varchar' }, { name: 'rank', data_type: 'int4' }] };

/** Names with every character that has a meaning in filters, plus their innocent neighbours. */
const TRICKY = ['a&b', 'a', 'b', 'x,y', 'x', 'y', 'f(x)', 'f', '1.5', '1', 'say "hi"', 'say', 'back\\slash', "O'Brien", '50%', '500', 'a+b', 'a b', 'a=b', '王一一'];

describe('Feishu data table emulator: reads, tokens and limits', () => {
	let emulator: FeishuDataTableEmulator;
	let token: string;

	const call = tablesCall(() => emulator, WORKSPACE, () => token);

	/** GET records with a filter expression; returns the matching rows. */
	async function select(table: string, filter: string, extra: Record<string, string> = {}) {
		const response = await call<{ items: string; total: number }>('GET', `/${table}/records`, {
			query: { filter, page_size: '500', ...extra },
		});
		return { ...response, rows: response.body.data ? (JSON.parse(response.body.data.items) as Array<Record<string, unknown>>) : [] };
	}

	const namesMatching = async (filter: string) =>
		(await select('names', filter, { order: 'rank' })).rows.map((row) => row.name);

	beforeAll(async () => {
		emulator = await startFeishuDataTableEmulator();
	});
	afterAll(async () => await emulator.close());
	beforeEach(async () => {
		await emulator.reset();
		await emulator.createTable(WORKSPACE, NAMES);
		token = emulator.issueUserToken().access_token;
	});

	describe('GET records: paging, filters, select, order', () => {
		beforeEach(async () => {
			// These tests make many calls in a row; the limit itself is tested below.
			emulator.rateLimitPerSecond = 1000;
			await emulator.insertRows(WORKSPACE, 'names', TRICKY.map((name, rank) => ({ name, rank })));
			await emulator.insertRows(WORKSPACE, 'names', [{ rank: 100 }]);
		});

		it('pages with page_size and page_token, total and has_more', async () => {
			const seen: unknown[] = [];
			let pageToken: string | undefined;
			let pages = 0;
			do {
				const response = await call<{ items: string; total: number; has_more: boolean; page_token: string }>('GET', '/names/records', {
					query: { page_size: '8', order: 'rank', ...(pageToken ? { page_token: pageToken } : {}) },
				});
				const data = response.body.data!;
				expect(data.total).toBe(TRICKY.length + 1);
				seen.push(...(JSON.parse(data.items) as Array<{ rank: number }>).map((row) => row.rank));
				pageToken = data.has_more ? data.page_token : undefined;
				pages++;
			} while (pageToken);
			expect(pages).toBe(3);
			expect(seen).toEqual([...TRICKY.map((_, rank) => rank), 100]);
			const defaultPage = await call<{ items: string }>('GET', '/names/records');
			expect(JSON.parse(defaultPage.body.data!.items)).toHaveLength(10);
			expect((await call('GET', '/names/records', { query: { page_size: '501' } })).body.code).toBe(2320001);
			expect((await call('GET', '/names/records', { query: { page_token: 'bogus' } })).body.code).toBe(2320001);
		});

		it('matches values with & , ( ) . quotes % + = literally, encoded the PostgREST way', async () => {
			const eq = (value: string) => `name=eq.${encodeURIComponent(value)}`;
			for (const name of TRICKY) expect(await namesMatching(eq(name))).toEqual([name]);

			const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
			const inList = (values: string[]) => `name=in.(${values.map((value) => encodeURIComponent(quote(value))).join(',')})`;
			expect(await namesMatching(inList(['x,y', 'f(x)', 'say "hi"', 'back\\slash', 'a&b']))).toEqual(['a&b', 'x,y', 'f(x)', 'say "hi"', 'back\\slash']);
			const orTree = `or=(${['1.5', 'a,b', 'O\'Brien'].map((value) => `name.eq.${encodeURIComponent(quote(value))}`).join(',')})`;
			expect(await namesMatching(orTree)).toEqual(['1.5', "O'Brien"]);
			expect(await namesMatching('name=not.in.("x,y",x,y)&rank=lt.10')).toEqual(['a&b', 'a', 'b', 'f(x)', 'f', '1.5', '1']);
		});

		it('never widens a filter whose special characters were not encoded', async () => {
			// `&` unencoded splits the expression: "b" is not column=op.value, so the request fails.
			const split = await select('names', 'name=eq.a&b');
			expect(split.status).toBe(400);
			expect(split.body.msg).toContain('"b" is not column=operator.value');
			// Unquoted in-list elements split at commas: matches x and y, never "x,y" or anything else.
			expect(await namesMatching('name=in.(x,y)')).toEqual(['x', 'y']);
			// `+` unencoded is a space, `%` starts an escape.
			expect(await namesMatching('name=eq.a+b')).toEqual(['a b']);
			expect(await namesMatching('name=eq.a%2Bb')).toEqual(['a+b']);
			expect(await namesMatching('name=eq.50%')).toEqual(['50%']);
		});

		it('supports neq, gt/gte/lt/lte, like/ilike with *, is, not and nested and/or', async () => {
			expect(await namesMatching('rank=gte.17')).toEqual(['a b', 'a=b', '王一一', null]);
			expect(await namesMatching('rank=lt.2&name=neq.a&name=not.is.null')).toEqual(['a&b']);
			expect(await namesMatching('name=like.a*')).toEqual(['a&b', 'a', 'a+b', 'a b', 'a=b']);
			expect(await namesMatching('name=ilike.*BRIEN')).toEqual(["O'Brien"]);
			expect(await namesMatching('name=is.null')).toEqual([null]);
			expect(await namesMatching('or=(rank.eq.0,and(rank.gt.5,rank.lte.7),not.and(rank.lt.100,name.neq.b))')).toEqual(['a&b', 'b', 'f(x)', 'f', null]);
			expect(await namesMatching('not.or=(rank.lt.17,name.is.null)')).toEqual(['a b', 'a=b', '王一一']);
			// The documented example value is shown URL-encoded; it is decoded once more.
			expect(await namesMatching('rank%3Dgt.17')).toEqual(['a=b', '王一一', null]);
		});

		it('select and order', async () => {
			const { rows } = await select('names', 'rank=lt.3', { select: 'name', order: 'name.desc' });
			expect(rows).toEqual([{ name: 'b' }, { name: 'a&b' }, { name: 'a' }]);
			const nullsFirst = await select('names', 'rank=gt.16', { select: 'rank,name', order: 'name.asc.nullsfirst' });
			expect(nullsFirst.rows).toEqual([{ rank: 100, name: null }, { rank: 17, name: 'a b' }, { rank: 18, name: 'a=b' }, { rank: 19, name: '王一一' }]);
			expect((await select('names', 'rank=eq.1', { order: 'rank.sideways' })).body.msg).toContain('Invalid order');
			expect((await select('names', 'rank=eq.1', { select: 'secret' })).body.msg).toContain('column secret does not exist');
		});

		it('keeps SQL-looking values inert and quotes identifiers', async () => {
			const injection = "x'; DROP TABLE names; --";
			expect(await namesMatching(`name=eq.${encodeURIComponent(injection)}`)).toEqual([]);
			expect(await namesMatching(`name=in.(${encodeURIComponent(`"${injection}"`)},a)`)).toEqual(['a']);
			const column = await select('names', `${encodeURIComponent('name" = name OR "rank')}=eq.1`);
			expect(column.status).toBe(400);
			expect(column.body.msg).toContain('does not exist');
			const order = await select('names', 'rank=eq.1', { order: 'rank; DELETE FROM names' });
			expect(order.status).toBe(400);
			const table = await call('GET', `/${encodeURIComponent('names"; DROP TABLE "names')}/records`);
			expect(table.body).toMatchObject({ code: 2320001, msg: expect.stringContaining('does not exist') });
			expect(await emulator.rows(WORKSPACE, 'names')).toHaveLength(TRICKY.length + 1);
		});
	});

	describe('authentication and rate limit', () => {
		it('accepts only valid, unexpired user tokens', async () => {
			const codeOf = async (bearer: string | null, headers: Record<string, string> = {}) => {
				const response = await call('GET', '/names/records', { token: bearer, headers });
				return [response.status, response.body.code];
			};
			expect(await codeOf(null)).toEqual([400, 99991661]);
			expect(await codeOf(null, { authorization: 'Basic abc' })).toEqual([400, 99991661]);
			expect(await codeOf('t-tenant-token')).toEqual([400, 99991663]);
			expect(await codeOf('u-unknown')).toEqual([400, 99991668]);
			expect(await codeOf(token)).toEqual([200, 0]);
			emulator.expireAccessTokens();
			expect(await codeOf(token)).toEqual([400, 99991677]);
		});

		it('answers 429 with x-ogw-ratelimit headers and code 99991400 beyond 10 requests per second', async () => {
			emulator.rateLimitPerSecond = 10;
			const responses = await Promise.all(Array.from({ length: 14 }, async () => await call('GET', '/names/records')));
			const limited = responses.filter((response) => response.status === 429);
			expect(responses.filter((response) => response.status === 200)).toHaveLength(10);
			expect(limited).toHaveLength(4);
			expect(limited[0].body).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
			expect(limited[0].headers.get('x-ogw-ratelimit-limit')).toBe('10');
			expect(Number(limited[0].headers.get('x-ogw-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
			// Each API has its own budget.
			expect((await call('GET', '/names')).status).toBe(200);
		});
	});

	describe('OAuth 2.0 (v2) user tokens', () => {
		const redirectUri = 'http://localhost:5678/rest/oauth2-credential/callback';

		async function authorize(query: Record<string, string>): Promise<Response> {
			const url = new URL(`${emulator.url}/open-apis/authen/v1/authorize`);
			for (const [name, value] of Object.entries({ client_id: emulator.clientId, response_type: 'code', redirect_uri: redirectUri, ...query })) {
				url.searchParams.set(name, value);
			}
			return await fetch(url, { redirect: 'manual' });
		}

		async function codeFor(query: Record<string, string> = {}): Promise<string> {
			const response = await authorize({ scope: 'offline_access app_engine:workspace.table.record:read', state: 's1', ...query });
			expect(response.status).toBe(302);
			const location = new URL(response.headers.get('location')!);
			expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
			expect(location.searchParams.get('state')).toBe('s1');
			return location.searchParams.get('code')!;
		}

		/** Like n8n's OAuth2 client: form body, client credentials in Basic auth. */
		async function tokenForm(params: Record<string, string>, basic = true) {
			const response = await fetch(`${emulator.url}/open-apis/authen/v2/oauth/token`, {
				method: 'POST',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					...(basic ? { authorization: `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}` } : {}),
				},
				body: new URLSearchParams(params).toString(),
			});
			return { status: response.status, body: (await response.json()) as Record<string, unknown> };
		}

		async function tokenJson(params: Record<string, string>) {
			const response = await fetch(`${emulator.url}/open-apis/authen/v2/oauth/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/json; charset=utf-8' },
				body: JSON.stringify({ client_id: emulator.clientId, client_secret: emulator.clientSecret, ...params }),
			});
			return { status: response.status, body: (await response.json()) as Record<string, unknown> };
		}

		it('exchanges a single-use code, then rotates single-use refresh tokens', async () => {
			const code = await codeFor();
			const granted = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
			expect(granted.status).toBe(200);
			expect(granted.body).toMatchObject({
				code: 0,
				token_type: 'Bearer',
				expires_in: 7200,
				refresh_token_expires_in: 604800,
				scope: 'offline_access app_engine:workspace.table.record:read',
			});
			expect(String(granted.body.access_token)).toMatch(/^u-/);
			const reused = await tokenForm({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
			expect(reused).toMatchObject({ status: 400, body: { code: 20065, error: 'invalid_grant' } });

			token = String(granted.body.access_token);
			expect((await call('GET', '/names/records')).status).toBe(200);
			emulator.expireAccessTokens();
			expect((await call('GET', '/names/records')).body.code).toBe(99991677);

			const refreshToken = String(granted.body.refresh_token);
			const refreshed = await tokenJson({ grant_type: 'refresh_token', refresh_token: refreshToken });
			expect(refreshed.body).toMatchObject({ code: 0, token_type: 'Bearer' });
			expect(refreshed.body.refresh_token).not.toBe(refreshToken);
			token = String(refreshed.body.access_token);
			expect((await call('GET', '/names/records')).status).toBe(200);

			const replay = await tokenJson({ grant_type: 'refresh_token', refresh_token: refreshToken });
			expect(replay).toEqual({ status: 400, body: { code: 20073, error: 'invalid_grant', error_description: 'The refresh token has been used.' } });
			expect((await tokenForm({ grant_type: 'refresh_token', refresh_token: String(refreshed.body.refresh_token) })).status).toBe(200);
			expect(emulator.tokenRequests).toBe(5);
		});

		it('checks PKCE, redirect_uri, client credentials and grant type', async () => {
			const verifier = 'v'.repeat(50);
			const challenge = createHash('sha256').update(verifier).digest('base64url');
			const pkceCode = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
			expect((await tokenJson({ grant_type: 'authorization_code', code: pkceCode, code_verifier: 'wrong' })).body.code).toBe(20049);
			const goodPkce = await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' });
			expect((await tokenJson({ grant_type: 'authorization_code', code: goodPkce, code_verifier: verifier })).body.code).toBe(0);

			const elsewhere = await tokenJson({ grant_type: 'authorization_code', code: await codeFor(), redirect_uri: 'http://evil.example/cb' });
			expect(elsewhere.body.code).toBe(20071);
			const badSecret = await tokenJson({ grant_type: 'authorization_code', code: await codeFor(), client_secret: 'nope' });
			expect(badSecret).toMatchObject({ status: 400, body: { code: 20002, error: 'invalid_client' } });
			const both = await tokenForm({ grant_type: 'authorization_code', code: await codeFor(), client_secret: emulator.clientSecret });
			expect(both.body.code).toBe(20070);
			expect((await tokenJson({ grant_type: 'password' })).body.code).toBe(20036);
			expect((await tokenJson({ grant_type: 'refresh_token', refresh_token: 'ur-unknown' })).body.code).toBe(20026);

			const noOffline = await tokenJson({ grant_type: 'authorization_code', code: await codeFor({ scope: 'app_engine:workspace.table.record:read' }) });
			expect(noOffline.body.code).toBe(0);
			expect(noOffline.body.refresh_token).toBeUndefined();

			expect((await authorize({ client_id: 'cli_other' })).status).toBe(400);
		});
	});
});
