import * as lark from '@larksuiteoapi/node-sdk';
import axios from 'axios';

import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import { TOKEN_PATH } from '../emulators/feishuApaas';
import { NS, OBJ, useFeishuApaasEmulator } from './setup';

/**
 * The emulator driven by the official Node SDK pointed at it, so its paths, bodies and answers
 * are the ones the real client produces and reads.
 */
const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

function memoryCache() {
	const entries = new Map<string, { value: unknown; expire?: number }>();
	const keyOf = (key: unknown, namespace?: string) => `${namespace ?? ''}:${String(key)}`;
	return {
		async set(key: unknown, value: unknown, expire?: number, options?: { namespace?: string }) {
			entries.set(keyOf(key, options?.namespace), { value, expire });
			return true;
		},
		async get(key: unknown, options?: { namespace?: string }) {
			const entry = entries.get(keyOf(key, options?.namespace));
			return entry && (!entry.expire || entry.expire > Date.now()) ? entry.value : undefined;
		},
	};
}

function sdk(emulator: FeishuApaasEmulator, appSecret = emulator.appSecret) {
	return new lark.Client({
		appId: emulator.appId,
		appSecret,
		domain: emulator.url,
		cache: memoryCache(),
		logger: silent,
	});
}

/** A client that sends the token it is given (`lark.withTenantToken`) instead of fetching its own. */
function sdkWithoutTokenManager(emulator: FeishuApaasEmulator) {
	return new lark.Client({
		appId: emulator.appId,
		appSecret: emulator.appSecret,
		domain: emulator.url,
		disableTokenCache: true,
		logger: silent,
	});
}

/** What the SDK threw for an HTTP error answer. */
async function refusal(promise: Promise<unknown>): Promise<{ status?: number; data?: any; headers?: any }> {
	try {
		await promise;
	} catch (error) {
		const response = (error as { response?: { status: number; data: unknown; headers: unknown } }).response;
		return { status: response?.status, data: response?.data, headers: response?.headers };
	}
	throw new Error('expected the call to fail');
}

const path = { namespace: NS, object_api_name: OBJ };

describe('Feishu aPaaS emulator, driven by @larksuiteoapi/node-sdk', () => {
	const apaas = useFeishuApaasEmulator({}, (emulator) =>
		emulator.defineObject(NS, OBJ, [
			{ api_name: 'book_name', type: 'text', label: '书名' },
			{ api_name: 'book_count', type: 'number', label: { zh_cn: '数量', en_us: 'Count' } },
			{ api_name: '作者', type: 'text', label: '作者' },
			{ api_name: 'in_stock', type: 'boolean' },
		]),
	);

	it('batch_create: the SDK fetches a tenant token, records come back with IDs, Chinese round-trips', async () => {
		const client = sdk(apaas.emulator);
		const answer = await client.apaas.v1.applicationObjectRecord.batchCreate({
			path,
			data: { records: JSON.stringify([{ book_name: '三体', 作者: '刘慈欣', book_count: '5' }, { book_name: 'Dune' }]) },
		});

		expect(answer.code).toBe(0);
		expect(answer.data?.items).toHaveLength(2);
		expect(answer.data?.items?.every((item) => item.success && /^\d{16}$/.test(item.id ?? ''))).toBe(true);
		expect(apaas.emulator.tokensIssued).toBe(1);
		const stored = apaas.emulator.records(NS, OBJ).get(answer.data!.items![0].id!);
		expect(stored?.values).toEqual({ book_name: '三体', 作者: '刘慈欣', book_count: '5' });
		const auth = apaas.emulator.server.requests.find((request) => request.path.endsWith('batch_create'))?.headers.authorization;
		expect(auth).toMatch(/^Bearer t-/);
	});

	it('batch_update: partial success with per-record errors for an unknown _id, an unknown field and a wrong type', async () => {
		const [first, second, third] = apaas.emulator.seedRecords(NS, OBJ, [{ book_name: 'a' }, { book_name: 'b' }, { book_name: 'c' }]);
		const answer = await sdk(apaas.emulator).apaas.v1.applicationObjectRecord.batchUpdate({
			path,
			data: {
				records: JSON.stringify([
					{ _id: first, book_name: '已更新', book_count: 7 },
					{ _id: '1', book_name: 'x' },
					{ _id: second, 不存在: 'x' },
					{ _id: third, book_count: 'many' },
				]),
			},
		});

		const items = answer.data!.items!;
		expect(items.map((item) => item.success)).toEqual([true, false, false, false]);
		expect(items[1].errors?.[0]).toMatchObject({ code: '2320001', sub_code: 'record_not_found', fields: ['_id'] });
		expect(items[2].errors?.[0]).toMatchObject({ sub_code: 'field_not_found', fields: ['不存在'] });
		expect(items[3].errors?.[0]).toMatchObject({ sub_code: 'field_type_mismatch', fields: ['book_count'] });
		const records = apaas.emulator.records(NS, OBJ);
		expect(records.get(first)?.values).toEqual({ book_name: '已更新', book_count: 7 });
		expect(records.get(second)?.values).toEqual({ book_name: 'b' });
		expect(records.get(third)?.values).toEqual({ book_name: 'c' });
	});

	it.each([
		['records that are not JSON', '[{"_id": '],
		['a record without _id', JSON.stringify([{ book_name: 'x' }])],
		['more than 500 records', JSON.stringify(Array.from({ length: 501 }, (_, index) => ({ _id: String(index) })))],
	])('batch_update refuses %s with HTTP 400 and code 2320001, changing nothing', async (_, records) => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_name: 'kept' }]);
		const failure = await refusal(sdk(apaas.emulator).apaas.v1.applicationObjectRecord.batchUpdate({ path, data: { records } }));
		expect(failure.status).toBe(400);
		expect(failure.data.code).toBe(2320001);
		expect(apaas.emulator.records(NS, OBJ).get(id)?.values).toEqual({ book_name: 'kept' });
	});

	it('batch_delete: a JSON body on DELETE; unknown IDs fail alone; more than 500 IDs are refused', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{ book_name: 'a' }, { book_name: 'b' }]);
		const client = sdk(apaas.emulator);
		const answer = await client.apaas.v1.applicationObjectRecord.batchDelete({ path, data: { ids: [ids[0], '404'] } });
		expect(answer.data?.items?.map((item) => item.success)).toEqual([true, false]);
		expect([...apaas.emulator.records(NS, OBJ).keys()]).toEqual([ids[1]]);

		const tooMany = Array.from({ length: 501 }, (_, index) => String(index));
		const failure = await refusal(client.apaas.v1.applicationObjectRecord.batchDelete({ path, data: { ids: tooMany } }));
		expect(failure).toMatchObject({ status: 400, data: { code: 2320001 } });
	});

	it('batch_query: items as a JSON string, paged by page_token, filtered and ordered', async () => {
		apaas.emulator.seedRecords(
			NS,
			OBJ,
			Array.from({ length: 1203 }, (_, index) => ({ book_name: `书 ${index}`, book_count: index % 3 })),
		);
		const client = sdk(apaas.emulator);
		const seen: Array<Record<string, unknown>> = [];
		let pageToken: string | undefined;
		let pages = 0;
		do {
			const answer = await client.apaas.v1.applicationObjectRecord.batchQuery({
				path,
				data: { select: ['book_name', 'book_count'], page_size: 500, use_page_token: true, page_token: pageToken },
			});
			expect(typeof answer.data?.items).toBe('string');
			seen.push(...JSON.parse(answer.data!.items));
			pageToken = answer.data?.has_more ? answer.data.next_page_token : undefined;
			pages++;
		} while (pageToken);
		expect(pages).toBe(3);
		expect(seen).toHaveLength(1203);
		expect(new Set(seen.map((record) => record._id)).size).toBe(1203);

		const filtered = await client.apaas.v1.applicationObjectRecord.batchQuery({
			path,
			data: {
				select: ['book_name'],
				filter: {
					conditions: [
						{
							index: '1',
							left: { type: 'metadataVariable', settings: JSON.stringify({ fieldPath: [{ fieldApiName: 'book_count', objectApiName: OBJ }] }) },
							right: { type: 'constant', settings: JSON.stringify({ data: '2' }) },
							operator: 'equal',
						},
					],
					logic_expression: '1',
				},
				order_by: [{ field: '_id', direction: 'DESC' }],
				page_size: 3,
				need_total_count: true,
			},
		});
		const rows = JSON.parse(filtered.data!.items);
		expect(filtered.data?.total).toBe(401);
		expect(rows.map((row: { book_name: string }) => row.book_name)).toEqual(['书 1202', '书 1199', '书 1196']);

		const failure = await refusal(
			client.apaas.v1.applicationObjectRecord.batchQuery({ path, data: { select: ['_id'], page_size: 501 } }),
		);
		expect(failure).toMatchObject({ status: 400, data: { code: 2320001 } });
	});

	it('batch_query: later pages come from the first page\'s result; a record changed since shows as it is now, one deleted since is left out', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, Array.from({ length: 12 }, (_, index) => ({ book_name: `书 ${index}`, book_count: index })));
		const client = sdk(apaas.emulator);
		const page = async (pageToken?: string) => {
			const answer = await client.apaas.v1.applicationObjectRecord.batchQuery({
				path,
				data: { select: ['book_name'], page_size: 5, use_page_token: true, page_token: pageToken, order_by: [{ field: '_id', direction: 'ASC' }] },
			});
			return { names: (JSON.parse(answer.data!.items) as Array<{ book_name: string }>).map((row) => row.book_name), next: answer.data?.next_page_token };
		};
		const first = await page();
		expect(first.names).toEqual(['书 0', '书 1', '书 2', '书 3', '书 4']);
		// Between pages: a record added (not in the result), one renamed, one deleted.
		apaas.emulator.seedRecords(NS, OBJ, [{ book_name: 'added later' }]);
		await client.apaas.v1.applicationObjectRecord.batchUpdate({ path, data: { records: JSON.stringify([{ _id: ids[5], book_name: 'renamed' }]) } });
		await client.apaas.v1.applicationObjectRecord.batchDelete({ path, data: { ids: [ids[6]] } });
		const second = await page(first.next);
		expect(second.names).toEqual(['renamed', '书 7', '书 8', '书 9', '书 10']);
		const third = await page(second.next);
		expect(third.names).toEqual(['书 11']);
		expect(third.next).toBeUndefined();
	});

	it('batch_query: "equal" compares a number field as numbers; _createdAt and _updatedAt are kept, and a write moves _updatedAt', async () => {
		const [a, b] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: '1.50', book_name: 'x' }, { book_count: 2, book_name: 'y' }]);
		const client = sdk(apaas.emulator);
		const condition = (field: string, data: string, index: string) => ({
			index,
			left: { type: 'metadataVariable', settings: JSON.stringify({ fieldPath: [{ fieldApiName: field, objectApiName: OBJ }] }) },
			right: { type: 'constant', settings: JSON.stringify({ data }) },
			operator: 'equal',
		});
		const query = async (filter?: object) =>
			JSON.parse((await client.apaas.v1.applicationObjectRecord.batchQuery({ path, data: { select: ['_id', '_createdAt', '_updatedAt'], filter } })).data!.items) as Array<
				Record<string, unknown>
			>;

		// A number field: 1.5 finds the stored "1.50"; a text field compares text.
		const numbers = await query({ conditions: [condition('book_count', '1.5', '1'), condition('book_count', '2.0', '2')], logic_expression: '1 or 2' });
		expect(numbers.map((row) => row._id)).toEqual([a, b]);
		expect(await query({ conditions: [condition('book_name', 'X', '1')], logic_expression: '1' })).toEqual([]);

		const [before] = await query({ conditions: [condition('_id', a, '1')], logic_expression: '1' });
		expect(typeof before._updatedAt).toBe('number');
		expect(before._createdAt).toBe(before._updatedAt);
		await client.apaas.v1.applicationObjectRecord.batchUpdate({ path, data: { records: JSON.stringify([{ _id: a, book_name: 'z' }]) } });
		const [after] = await query({ conditions: [condition('_id', a, '1')], logic_expression: '1' });
		expect(after._updatedAt as number).toBeGreaterThan(before._updatedAt as number);
		expect(after._createdAt).toBe(before._createdAt);
	});

	it('objects/search returns field metadata (api_name, type, label) unless the object hides it', async () => {
		apaas.emulator.defineObject(NS, 'secret__c', [{ api_name: 'x', type: 'text' }], { metadata: false });
		const answer = await sdk(apaas.emulator).apaas.v1.applicationObject.search({
			path: { namespace: NS },
			data: {
				search_objects: [{ api_name: OBJ, select: ['_id'] }, { api_name: 'secret__c', select: ['_id'] }],
				page_size: '1',
				metadata: 'Label',
			},
		});
		expect(answer.data?.objects).toHaveLength(1);
		const fields = answer.data!.objects![0].fields!;
		expect(fields).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ api_name: '_id' }),
				expect.objectContaining({ api_name: 'book_count', type: 'number', label: { zh_cn: '数量', en_us: 'Count' } }),
				expect.objectContaining({ api_name: '作者', type: 'text', label: { zh_cn: '作者' } }),
			]),
		);
	});

	it('objects/search without search_objects describes every object of the namespace (the scope is optional)', async () => {
		apaas.emulator.defineObject(NS, 'order__c', [{ api_name: 'amount', type: 'number' }], { label: '订单' });
		apaas.emulator.defineObject('other__c', 'elsewhere__c', [{ api_name: 'x', type: 'text' }]);
		const answer = await sdk(apaas.emulator).apaas.v1.applicationObject.search({ path: { namespace: NS }, data: { page_size: '1', metadata: 'Label' } });
		expect(answer.data?.objects?.map((meta) => [meta.object?.api_name, meta.object?.label])).toEqual([
			[OBJ, { zh_cn: OBJ }],
			['order__c', { zh_cn: '订单' }],
		]);
	});

	it('token endpoint: the same token until under 30 minutes remain, then a new one while the old stays valid', async () => {
		const client = sdk(apaas.emulator);
		const first = await client.auth.v3.tenantAccessToken.internal({ data: { app_id: apaas.emulator.appId, app_secret: apaas.emulator.appSecret } });
		const again = await client.auth.v3.tenantAccessToken.internal({ data: { app_id: apaas.emulator.appId, app_secret: apaas.emulator.appSecret } });
		const firstToken = (first as { tenant_access_token?: string }).tenant_access_token;
		expect(firstToken).toMatch(/^t-/);
		expect((first as { expire?: number }).expire).toBeGreaterThan(7100);
		expect((again as { tenant_access_token?: string }).tenant_access_token).toBe(firstToken);

		apaas.emulator.ageTokens(7200 - 20 * 60);
		const renewed = await client.auth.v3.tenantAccessToken.internal({ data: { app_id: apaas.emulator.appId, app_secret: apaas.emulator.appSecret } });
		const renewedToken = (renewed as { tenant_access_token?: string }).tenant_access_token;
		expect(renewedToken).not.toBe(firstToken);
		expect(apaas.emulator.tokensIssued).toBe(2);

		const query = { path, data: { select: ['_id'] } };
		const explicit = sdkWithoutTokenManager(apaas.emulator).apaas.v1.applicationObjectRecord;
		await expect(explicit.batchQuery(query, lark.withTenantToken(firstToken!))).resolves.toMatchObject({ code: 0 });
		await expect(explicit.batchQuery(query, lark.withTenantToken(renewedToken!))).resolves.toMatchObject({ code: 0 });
		apaas.emulator.expireTokens();
		const expired = await refusal(explicit.batchQuery(query, lark.withTenantToken(renewedToken!)));
		expect(expired).toMatchObject({ status: 400, data: { code: 99991663 } });
	});

	it('a wrong app secret gets no token', async () => {
		const failure = await refusal(
			axios.post(`${apaas.emulator.url}${TOKEN_PATH}`, { app_id: apaas.emulator.appId, app_secret: 'wrong' }),
		);
		expect(failure.data.code).toBe(10014);
		await expect(
			sdk(apaas.emulator, 'wrong').apaas.v1.applicationObjectRecord.batchQuery({ path, data: { select: ['_id'] } }),
		).rejects.toThrow();
		expect(apaas.emulator.tokensIssued).toBe(0);
	});

	it('bearer checks: missing token 99991661, user token 99991668, malformed 99991671, unknown tenant token 99991663', async () => {
		const url = `${apaas.emulator.url}/open-apis/apaas/v1/applications/${NS}/objects/${OBJ}/records/batch_query`;
		const missing = await refusal(axios.post(url, { select: ['_id'] }));
		expect(missing).toMatchObject({ status: 400, data: { code: 99991661 } });

		const client = sdkWithoutTokenManager(apaas.emulator);
		const query = { path, data: { select: ['_id'] } };
		expect(await refusal(client.apaas.v1.applicationObjectRecord.batchQuery(query, lark.withUserAccessToken('u-abc')))).toMatchObject({
			data: { code: 99991668 },
		});
		expect(await refusal(client.apaas.v1.applicationObjectRecord.batchQuery(query, lark.withTenantToken('x-abc')))).toMatchObject({
			data: { code: 99991671 },
		});
		expect(await refusal(client.apaas.v1.applicationObjectRecord.batchQuery(query, lark.withTenantToken('t-unknown')))).toMatchObject({
			data: { code: 99991663 },
		});
	});

	it('rate limits: 429 with x-ogw-ratelimit-limit / -reset and code 99991400 once a window is full', async () => {
		apaas.emulator.setRateLimits([{ limit: 3, intervalMs: 60_000 }]);
		const client = sdk(apaas.emulator);
		const query = { path, data: { select: ['_id'] } };
		for (let call = 0; call < 3; call++) await client.apaas.v1.applicationObjectRecord.batchQuery(query);
		const limited = await refusal(client.apaas.v1.applicationObjectRecord.batchQuery(query));
		expect(limited.status).toBe(429);
		expect(limited.data.code).toBe(99991400);
		expect(limited.headers['x-ogw-ratelimit-limit']).toBe('3');
		expect(Number(limited.headers['x-ogw-ratelimit-reset'])).toBeGreaterThan(0);
		// Limits are per API: another endpoint still answers.
		await expect(
			client.apaas.v1.applicationObjectRecord.batchCreate({ path, data: { records: JSON.stringify([{ book_name: 'x' }]) } }),
		).resolves.toMatchObject({ code: 0 });
	});
});
