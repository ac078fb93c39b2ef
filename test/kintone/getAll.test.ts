import type { KintoneEmulator, SampleApp } from '../emulators/kintone';
import { createSampleApp, startKintoneEmulator } from '../emulators/kintone';
import { F, requestsTo, runKintone, sampleRecord, tokenCredential } from './setup';

describe('Kintone node: Get Many', () => {
	let emulator: KintoneEmulator;
	let sample: SampleApp;
	const TOTAL = 12_345;

	beforeAll(async () => {
		emulator = await startKintoneEmulator();
		sample = createSampleApp(emulator);
		emulator.seedRecords(
			sample.app,
			Array.from({ length: TOTAL }, (_, index) => sampleRecord(index, { [F.quantity]: String(index % 10) })),
			{ keepOnReset: true },
		);
	});
	afterAll(async () => await emulator.close());
	beforeEach(() => emulator.server.reset());

	it('returns 12,345 records across cursor pages and leaves no cursor open', async () => {
		const result = await runKintone(emulator, sample, { operation: 'getAll', returnAll: true }, [{}]);

		expect(result.error).toBeUndefined();
		const [output] = result.outputs;
		expect(output).toHaveLength(TOTAL);
		expect(new Set(output.map((item) => item.json.$id)).size).toBe(TOTAL);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		// kintone's default order is newest first.
		expect(output[0].json).toMatchObject({ $id: String(TOTAL), [F.code]: `R-${TOTAL - 1}`, [F.text]: `original ${TOTAL - 1}` });
		expect(output[TOTAL - 1].json).toMatchObject({ $id: '1', [F.code]: 'R-0', $revision: '1' });

		const [create] = requestsTo(emulator, 'POST', 'records/cursor');
		expect(create.body).toEqual({ app: String(sample.app), query: '', size: 500 });
		expect(requestsTo(emulator, 'GET', 'records/cursor')).toHaveLength(Math.ceil(TOTAL / 500));
		// Read to the end: kintone drops the cursor itself.
		expect(requestsTo(emulator, 'DELETE', 'records/cursor')).toHaveLength(0);
		expect(emulator.openCursors()).toBe(0);
	});

	it('stops at the limit and deletes the cursor it did not finish', async () => {
		const result = await runKintone(
			emulator,
			sample,
			{ operation: 'getAll', returnAll: false, limit: 1200, query: `${F.quantity} >= 3 order by $id desc`, fields: ['$id', F.code] },
			[{}],
		);

		expect(result.error).toBeUndefined();
		const [output] = result.outputs;
		expect(output).toHaveLength(1200);
		expect(output[0].json).toEqual({ $id: '12345', [F.code]: 'R-12344' });
		expect(output[7].json).toEqual({ $id: '12335', [F.code]: 'R-12334' });
		expect(requestsTo(emulator, 'GET', 'records/cursor')).toHaveLength(3);
		expect(requestsTo(emulator, 'DELETE', 'records/cursor')).toHaveLength(1);
		expect(emulator.openCursors()).toBe(0);
	});

	it('deletes the cursor when a page cannot be read, and names the failure', async () => {
		emulator.server.inject({
			match: (request) => request.method === 'GET' && request.path.endsWith('/records/cursor.json'),
			nth: 3,
			action: { kind: 'respond', reply: { status: 400, body: { code: 'CB_VA01', id: 'x', message: 'Missing or invalid input.' } } },
		});

		const result = await runKintone(emulator, sample, { operation: 'getAll', returnAll: true }, [{}]);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			`Could not read records of app ${sample.app} (after 1000): [CB_VA01] Missing or invalid input.`,
		);
		expect(requestsTo(emulator, 'DELETE', 'records/cursor')).toHaveLength(1);
		expect(emulator.openCursors()).toBe(0);
	});

	it('reads up to 500 records in one request, with kintone’s {type, value} when not simplified', async () => {
		const result = await runKintone(
			emulator,
			sample,
			{ operation: 'getAll', limit: 5, query: `${F.code} like "R-1234" order by $id asc`, simplify: false },
			[{}],
		);

		expect(result.error).toBeUndefined();
		const [get] = requestsTo(emulator, 'GET', 'records');
		expect(get.query.get('query')).toBe(`${F.code} like "R-1234" order by $id asc limit 5`);
		expect(requestsTo(emulator, 'POST', 'records/cursor')).toHaveLength(0);
		const [output] = result.outputs;
		expect(output.map((item) => (item.json[F.code] as { value: string }).value)).toEqual(['R-1234', 'R-12340', 'R-12341', 'R-12342', 'R-12343']);
		expect(output[0].json[F.code]).toEqual({ type: 'SINGLE_LINE_TEXT', value: 'R-1234' });
	});

	it('sends a read whose URL would be too long as POST with X-HTTP-Method-Override: GET', async () => {
		const codes = Array.from({ length: 400 }, (_, index) => `"R-${index * 3}"`).join(', ');

		const result = await runKintone(
			emulator,
			sample,
			{ operation: 'getAll', limit: 500, query: `${F.code} in (${codes}) order by $id asc`, fields: [F.code] },
			[{}],
		);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json[F.code])).toEqual(
			Array.from({ length: 400 }, (_, index) => `R-${index * 3}`),
		);
		const [request] = emulator.server.requests;
		expect(request.method).toBe('POST');
		expect(request.headers['x-http-method-override']).toBe('GET');
		expect(request.body).toMatchObject({ app: String(sample.app), fields: [F.code] });
	});

	it('refuses a query with its own limit', async () => {
		const result = await runKintone(emulator, sample, { operation: 'getAll', query: 'limit 10' }, [{}]);

		expect(result.error?.message).toBe('Remove "limit" and "offset" from the query');
		expect(emulator.server.requests).toHaveLength(0);
	});

	it('routes apps in a guest space through /k/guest/{id}/v1/ and explains GAIA_IL23 otherwise', async () => {
		const guest = createSampleApp(emulator, { guestSpaceId: 7, token: 'guest-token' });
		emulator.seedRecords(guest.app, [sampleRecord(1)]);
		const credential = { ...tokenCredential(emulator, guest) };

		const routed = await runKintone(emulator, guest, { operation: 'getAll', options: { guestSpaceId: '7' } }, [{}], {
			credential,
		});
		expect(routed.error).toBeUndefined();
		expect(routed.outputs[0].map((item) => item.json[F.code])).toEqual(['R-1']);
		expect(emulator.server.requests.map((request) => request.path)).toEqual(['/k/guest/7/v1/records.json']);

		const refused = await runKintone(emulator, guest, { operation: 'getAll' }, [{}], { credential });
		expect(refused.error?.message).toContain('[GAIA_IL23]');
		expect(refused.error?.description).toBe("This app is in a guest space: set Options > Guest Space ID to the space's ID.");

		const malicious = await runKintone(emulator, guest, { operation: 'getAll', options: { guestSpaceId: '7/../../x' } }, [{}], {
			credential,
		});
		expect(malicious.error?.message).toBe('Guest space ID must be a positive whole number, got "7/../../x"');
	});
});
