import { tooManyRequests } from '../emulators/kintone';
import type { RunOptions } from './setup';
import { createCredentials } from '../harness/workflow';
import { columns, environment, F, requestsTo, runKintone, sampleRecord, tokenCredential, useKintoneEmulator, valueOf } from './setup';

describe('Kintone node: Update Many', () => {
	const kintone = useKintoneEmulator();

	const seed = (count: number) =>
		kintone.emulator.seedRecords(
			kintone.sample.app,
			Array.from({ length: count }, (_, index) => sampleRecord(index)),
		);

	/** Update by record ID: each item sets the CJK-coded text fields. */
	const byId = (ids: string[], text = (index: number) => `新しい値 ${index}`) =>
		ids.map((id, index) => ({ id, text: text(index), text2: `第二 ${index}` }));

	const updateParameters = {
		operation: 'update',
		columns: columns(
			{ $id: '={{ $json.id }}', [F.text]: '={{ $json.text }}', [F.text2]: '={{ $json.text2 }}' },
			{ matchingColumns: ['$id'] },
		),
	};

	it('a mapping n8n emptied (the app or the operation changed) fails once, before any request, not once per item', async () => {
		const ids = seed(2);
		const emptied = { operation: 'update', columns: { mappingMode: 'defineBelow', value: null, matchingColumns: ['$id'], schema: [] } };
		const result = await runKintone(kintone.emulator, kintone.sample, emptied, byId(ids), { node: { onError: 'continueErrorOutput' } });
		expect(result.error?.message).toBe(
			`No field is mapped for app ${kintone.sample.app}: open the node and map the fields to write under "Fields", or choose "Map Automatically"`,
		);
		expect(kintone.emulator.server.requests).toHaveLength(0);
	});

	it('sends 250 items as PUTs of 100, 100 and 50, with CJK field codes round-tripping', async () => {
		const ids = seed(250);

		const result = await runKintone(kintone.emulator, kintone.sample, updateParameters, byId(ids));

		expect(result.error).toBeUndefined();
		const puts = requestsTo(kintone.emulator, 'PUT', 'records');
		expect(puts.map((request) => (request.body as { records: unknown[] }).records.length)).toEqual([100, 100, 50]);
		const first = (puts[0].body as { app: unknown; records: Array<{ id: string; record: object }> });
		expect(first.app).toBe(String(kintone.sample.app));
		expect(first.records[0]).toEqual({
			id: ids[0],
			record: { [F.text]: { value: '新しい値 0' }, [F.text2]: { value: '第二 0' } },
		});
		// The raw body carries the codes as UTF-8, not escaped or transliterated.
		expect(puts[0].rawBody).toContain('"單行文字方塊_0"');

		const [output] = result.outputs;
		expect(output).toHaveLength(250);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual({ id: ids[index], revision: '2', [F.text]: `新しい値 ${index}`, [F.text2]: `第二 ${index}` });
		});
		for (const [index, id] of ids.entries()) {
			expect(valueOf(kintone.emulator, kintone.sample, id, F.text)).toBe(`新しい値 ${index}`);
			expect(valueOf(kintone.emulator, kintone.sample, id, F.text2)).toBe(`第二 ${index}`);
		}
	});

	it('matches records by an update key (a unique text field); a record ID left from matching on it is neither sent nor used', async () => {
		const ids = seed(3);
		const items = [
			{ code: 'R-2', note: 'third', id: ids[1] },
			{ code: 'R-0', note: 'first', id: ids[1] },
		];

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{
				operation: 'update',
				// The editor keeps $id (read-only) with its value once the match column changes to Code.
				columns: columns(
					{ $id: '={{ $json.id }}', [F.code]: '={{ $json.code }}', [F.note]: '={{ $json.note }}' },
					{ matchingColumns: [F.code] },
				),
			},
			items,
		);

		expect(result.error).toBeUndefined();
		const [put] = requestsTo(kintone.emulator, 'PUT', 'records');
		expect((put.body as { records: unknown[] }).records).toEqual([
			{ updateKey: { field: F.code, value: 'R-2' }, record: { [F.note]: { value: 'third' } } },
			{ updateKey: { field: F.code, value: 'R-0' }, record: { [F.note]: { value: 'first' } } },
		]);
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ id: ids[2], revision: '2', [F.code]: 'R-2', [F.note]: 'third' },
			{ id: ids[0], revision: '2', [F.code]: 'R-0', [F.note]: 'first' },
		]);
		expect(valueOf(kintone.emulator, kintone.sample, ids[0], F.note)).toBe('first');
		expect(valueOf(kintone.emulator, kintone.sample, ids[1], F.note)).toBe('');
		expect(valueOf(kintone.emulator, kintone.sample, ids[2], F.note)).toBe('third');
	});

	it('names the item whose update key matches no record (kintone does not say which) and writes the others', async () => {
		const ids = seed(3);

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{
				operation: 'update',
				columns: columns({ [F.code]: '={{ $json.code }}', [F.note]: 'checked' }, { matchingColumns: [F.code] }),
			},
			[{ code: 'R-0' }, { code: 'NO-SUCH' }, { code: 'R-2' }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		const [output] = result.outputs;
		expect(output[1].json.details).toMatchObject({ itemIndex: 1, record: `${F.code} = "NO-SUCH"`, httpCode: '404' });
		expect(output[1].json.error).toContain('kintone refused this record');
		expect(output[0].json).toEqual({ id: ids[0], revision: '2', [F.code]: 'R-0', [F.note]: 'checked' });
		expect(output[2].json).toEqual({ id: ids[2], revision: '2', [F.code]: 'R-2', [F.note]: 'checked' });
		expect(ids.map((id) => valueOf(kintone.emulator, kintone.sample, id, F.note))).toEqual(['checked', '', 'checked']);
	});

	/** A change by someone else (revision 1 becomes 2), then a clean request log. */
	async function editBySomeoneElse(id: string) {
		const edit = await fetch(`${kintone.emulator.url}/k/v1/record.json`, {
			method: 'PUT',
			headers: { 'X-Cybozu-API-Token': kintone.sample.token, 'Content-Type': 'application/json' },
			body: JSON.stringify({ app: kintone.sample.app, id, record: { [F.note]: { value: 'edited by someone' } } }),
		});
		expect(edit.status).toBe(200);
		kintone.emulator.server.reset();
	}

	describe('a revision conflict on one record of the second of three requests', () => {
		let ids: string[];

		beforeEach(async () => {
			ids = seed(300);
			// Someone edits record 151 after the workflow read it (all items carry revision 1).
			await editBySomeoneElse(ids[150]);
		});

		const items = () => byId(ids).map((item) => ({ ...item, revision: '1' }));
		const parameters = { ...updateParameters, options: { revision: '={{ $json.revision }}' } };

		it('fails only the conflicting record: the other 99 of its request are sent again without it and written', async () => {
			const result = await runKintone(kintone.emulator, kintone.sample, parameters, items(), { node: { onError: 'continueErrorOutput' } });

			expect(result.error).toBeUndefined();
			const [successes, errors] = result.outputs;
			expect(successes.map((item) => (item.pairedItem as { item: number }).item)).toEqual(
				Array.from({ length: 300 }, (_, index) => index).filter((index) => index !== 150),
			);
			expect(successes.every((item) => item.json.revision === '2')).toBe(true);

			expect(errors).toHaveLength(1);
			const [culprit] = errors;
			// n8n's error output carries the input item with the error added.
			expect(culprit.json).toMatchObject({ id: ids[150], text: '新しい値 150', revision: '1' });
			expect(culprit.json.error).toContain('kintone refused this record');
			expect(culprit.json.error).toContain('The other records of its request were sent again without it.');
			expect(culprit.json.details).toMatchObject({ itemIndex: 150, record: `id ${ids[150]}`, code: 'GAIA_CO02', httpCode: '409', outcome: 'failed' });

			// The emulator shows exactly that: every record written but the one someone else changed.
			const records = kintone.emulator.records(kintone.sample.app);
			records.forEach((record, index) => {
				if (index === 150) {
					expect(record.revision).toBe('2');
					expect(record.record[F.note].value).toBe('edited by someone');
					expect(record.record[F.text].value).toBe('original 150');
				} else {
					expect(record.revision).toBe('2');
					expect(record.record[F.text].value).toBe(`新しい値 ${index}`);
				}
			});
			// GAIA_CO02 is never retried: three PUTs, one read that found the culprit, one resend of the other 99.
			const puts = requestsTo(kintone.emulator, 'PUT', 'records');
			expect(puts.map((request) => (request.body as { records: unknown[] }).records.length)).toEqual([100, 100, 100, 99]);
		});

		it('in atomic mode keeps all or nothing: the whole bulk request fails and nothing is resent', async () => {
			const atomic = { ...parameters, options: { ...parameters.options, atomic: true } };
			const result = await runKintone(kintone.emulator, kintone.sample, atomic, items(), { node: { onError: 'continueErrorOutput' } });

			const [successes, errors] = result.outputs;
			expect(successes).toHaveLength(0);
			expect(errors).toHaveLength(300);
			expect(errors[150].json.error).toContain('applied all or nothing as the "Atomic Batches" option asks');
			expect(errors[0].json.details).toMatchObject({ rolledBack: true, causedBy: [150] });
			expect(requestsTo(kintone.emulator, 'POST', 'bulkRequest')).toHaveLength(1);
			expect(kintone.emulator.records(kintone.sample.app).filter((record) => record.revision === '2')).toHaveLength(1);
		});

		it('with On Error = Stop Workflow and Concurrency 1, stops with an error naming the conflicting item and sends no later batch', async () => {
			const oneAtATime = { ...parameters, options: { ...parameters.options, concurrency: 1 } };
			const result = await runKintone(kintone.emulator, kintone.sample, oneAtATime, items());

			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				`Item 150 (id ${ids[150]}) [GAIA_CO02]: kintone refused this record: The revision is not the latest. Someone may update a record. The record was changed since its revision was read. Read it again (e.g. with Get Many) and retry. The other records of its request were sent again without it.`,
			);
			expect(result.error?.description).toContain('199 of 300 records were written.');
			expect(result.error?.description).toContain('Written: items 0-149, 151-199.');
			expect(requestsTo(kintone.emulator, 'PUT', 'records')).toHaveLength(3);
			expect(valueOf(kintone.emulator, kintone.sample, ids[250], F.text)).toBe('original 250');
		});

		it('with several requests at once (the default), stops and counts exactly the records written', async () => {
			const result = await runKintone(kintone.emulator, kintone.sample, parameters, items());

			expect(result.status).toBe('error');
			expect(result.error?.message).toContain(`Item 150 (id ${ids[150]}) [GAIA_CO02]`);
			// The third request was already under way when the second one's refusal came back.
			expect(requestsTo(kintone.emulator, 'PUT', 'records')).toHaveLength(4);
			const written = kintone.emulator
				.records(kintone.sample.app)
				.filter((record) => String(record.record[F.text].value).startsWith('新しい値')).length;
			expect(written).toBe(299);
			expect(result.error?.description).toContain('299 of 300 records were written.');
		});
	});

	it('Stop Workflow: once a refusal is known no new batch starts, even while the culprit is still being looked up', async () => {
		const ids = seed(1234);
		await editBySomeoneElse(ids[650]);
		// Looking up which record kintone refused takes a while (the read names no record).
		kintone.emulator.server.inject({ match: (request) => request.method === 'GET', action: { kind: 'delay', ms: 400 } });
		const items = byId(ids).map((item) => ({ ...item, revision: '1' }));

		// At most 4 requests at once (the concurrency adapts up to its maximum), so the bound below holds.
		const options = { revision: '={{ $json.revision }}', concurrency: 4 };
		const result = await runKintone(kintone.emulator, kintone.sample, { ...updateParameters, options }, items);

		expect(result.status).toBe('error');
		expect(result.error?.message).toContain(`Item 650 (id ${ids[650]}) [GAIA_CO02]`);
		// Batch 7 of 13 was refused; with 4 requests at once, at most batches 8 to 10 were under way.
		const firstIds = requestsTo(kintone.emulator, 'PUT', 'records').map(
			(request) => (request.body as { records: Array<{ id: string }> }).records[0].id,
		);
		expect(firstIds).not.toContain(ids[1000]);
		expect(firstIds).not.toContain(ids[1100]);
		expect(firstIds).not.toContain(ids[1200]);
		const written = kintone.emulator
			.records(kintone.sample.app)
			.filter((record) => String(record.record[F.text].value).startsWith('新しい値')).length;
		expect(written).toBeLessThanOrEqual(999);
		expect(result.error?.description).toContain(`${written.toLocaleString('en-US')} of 1,234 records were written.`);
		expect(result.error?.description).toContain(`${(1234 - written - 1).toLocaleString('en-US')} were not sent.`);
	});

	it('keeps two changes to one record in input order while other requests run at once', async () => {
		const ids = seed(400);
		// Items 150 and 250 (second and third requests) both change record ids[150].
		const items = byId(ids);
		items[250] = { ...items[250], id: ids[150], text: 'the later change' };
		// The second request is held up: without ordering the third would overtake it.
		kintone.emulator.server.inject({
			match: (request) => request.method === 'PUT' && (request.body as { records: Array<{ id: string }> }).records[0].id === ids[100],
			action: { kind: 'delay', ms: 300 },
		});

		const result = await runKintone(kintone.emulator, kintone.sample, updateParameters, items);

		expect(result.error).toBeUndefined();
		expect(valueOf(kintone.emulator, kintone.sample, ids[150], F.text)).toBe('the later change');
		const puts = requestsTo(kintone.emulator, 'PUT', 'records');
		const starts = puts.map((request) => (request.body as { records: Array<{ id: string }> }).records[0].id);
		// The fourth request did not wait; the third waited for the second.
		expect(starts.indexOf(ids[300])).toBeLessThan(starts.indexOf(ids[200]));
	});

	it('reads and decrypts the credential once per run, not for every request', async () => {
		const ids = seed(250);
		const credentials = createCredentials(environment(tokenCredential(kintone.emulator, kintone.sample)));

		const result = await runKintone(kintone.emulator, kintone.sample, updateParameters, byId(ids), { credentials });

		expect(result.error).toBeUndefined();
		// The form fields and three PUTs of 100, 100 and 50.
		expect(kintone.emulator.server.requests).toHaveLength(4);
		expect(credentials.decryptions.get('kintoneApi')).toBe(1);
	});

	it('retries a request answered 429 GAIA_TO04', async () => {
		const ids = seed(2);
		kintone.emulator.server.inject({ match: (request) => request.method === 'PUT', action: tooManyRequests() });

		const result = await runKintone(kintone.emulator, kintone.sample, updateParameters, byId(ids));

		expect(result.error).toBeUndefined();
		const puts = requestsTo(kintone.emulator, 'PUT', 'records');
		expect(puts).toHaveLength(2);
		expect(kintone.emulator.server.fates[kintone.emulator.server.requests.indexOf(puts[0])]).toBe('faultReply');
		expect(result.outputs[0].map((item) => item.json.revision)).toEqual(['2', '2']);
		expect(valueOf(kintone.emulator, kintone.sample, ids[1], F.text)).toBe('新しい値 1');
	});

	/** Three records updated by ID; the second item's quantity is not a number. */
	const updateWithBadQuantity = async (options: RunOptions = {}) => {
		const ids = seed(3);
		const items = ids.map((id, index) => ({ id, quantity: index === 1 ? 'twelve' : '12' }));
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{
				operation: 'update',
				columns: columns({ $id: '={{ $json.id }}', [F.quantity]: '={{ $json.quantity }}' }, { matchingColumns: ['$id'] }),
			},
			items,
			options,
		);
		return { ids, result };
	};

	it('stops before sending anything when a value cannot be converted, naming the item and the field', async () => {
		const { result } = await updateWithBadQuantity();

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(`Item 1: "${F.quantity}" needs a number, got "twelve"`);
		expect(requestsTo(kintone.emulator, 'PUT', 'records')).toHaveLength(0);
		expect(kintone.emulator.records(kintone.sample.app).every((record) => record.revision === '1')).toBe(true);
	});

	it('with On Error = Continue (using error output), sends the valid items and returns the invalid one as an error', async () => {
		const { ids, result } = await updateWithBadQuantity({ node: { onError: 'continueErrorOutput' } });

		const [successes, errors] = result.outputs;
		expect(successes.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(errors).toHaveLength(1);
		expect(errors[0].json.details).toMatchObject({ itemIndex: 1, outcome: 'notSent', fields: [F.quantity] });
		const [put] = requestsTo(kintone.emulator, 'PUT', 'records');
		expect((put.body as { records: Array<{ id: string }> }).records.map((record) => record.id)).toEqual([ids[0], ids[2]]);
		expect(valueOf(kintone.emulator, kintone.sample, ids[2], F.quantity)).toBe('12');
		expect(valueOf(kintone.emulator, kintone.sample, ids[1], F.quantity)).toBe('');
	});
});
