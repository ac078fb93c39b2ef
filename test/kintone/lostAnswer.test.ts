import type { IDataObject } from 'n8n-workflow';

import type { FaultAction, RecordedRequest } from '../emulators/server';
import { columns, environment, F, requestsTo, runKintone, useKintoneEmulator } from './setup';
import { runNode } from '../harness/workflow';

const isPost = (request: RecordedRequest) => request.method === 'POST' && request.path.endsWith('/records.json');
const isPut = (request: RecordedRequest) => request.method === 'PUT' && request.path.endsWith('/records.json');

const LOST_AFTER_APPLIED: FaultAction = { kind: 'resetAfterHandling' };
const LOST_BEFORE_APPLIED: Array<[string, FaultAction]> = [
	['the connection dropped before kintone read it', { kind: 'resetBeforeHandling' }],
	['kintone answered 503', { kind: 'respond', reply: { status: 503, body: 'Service Unavailable' } }],
];

/** What the node reports when the answer to a write was lost: decided by reading the records back by key. */
describe('Kintone node: lost answers resolved by key', () => {
	const kintone = useKintoneEmulator();

	/** Create on the sample app: Code has "Prohibit duplicate values" on. */
	const create = {
		operation: 'create',
		columns: columns({ [F.code]: '={{ $json.code }}', [F.text]: '={{ $json.text }}', [F.quantity]: '={{ $json.qty }}' }),
	};
	const items = [
		{ code: 'A-1', text: 'first', qty: 1 },
		{ code: 'A-2', text: 'second', qty: '2.50' },
		{ code: 'A-3', text: 'third', qty: 3 },
	];

	function storedByCode() {
		return new Map(kintone.emulator.records(kintone.sample.app).map((record) => [record.record[F.code].value, record]));
	}

	it('create: an answer lost after kintone applied the request: read back by the unique field, reported written with its ids, not sent again', async () => {
		kintone.emulator.server.inject({ match: isPost, action: LOST_AFTER_APPLIED });

		const result = await runKintone(kintone.emulator, kintone.sample, create, items);

		expect(result.error).toBeUndefined();
		expect(requestsTo(kintone.emulator, 'POST', 'records')).toHaveLength(1);
		const gets = requestsTo(kintone.emulator, 'GET', 'records');
		expect(gets).toHaveLength(1);
		expect(gets[0].query.get('query')).toBe(`${F.code} in ("A-1", "A-2", "A-3") limit 3`);
		const stored = storedByCode();
		expect(stored.size).toBe(3);
		result.outputs[0].forEach((item, index) => {
			const record = stored.get(items[index].code)!;
			expect(item.json).toEqual({
				id: record.id,
				revision: '1',
				[F.code]: items[index].code,
				[F.text]: items[index].text,
				[F.quantity]: String(items[index].qty),
				_resolvedBy: 'readBack',
			});
		});
	});

	it.each(LOST_BEFORE_APPLIED)('create: an answer lost before kintone applied the request (%s): read back, sent once more, reported written', async (_, action) => {
		kintone.emulator.server.inject({ match: isPost, action });

		const result = await runKintone(kintone.emulator, kintone.sample, create, items);

		expect(result.error).toBeUndefined();
		expect(requestsTo(kintone.emulator, 'POST', 'records')).toHaveLength(2);
		const stored = storedByCode();
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(3);
		result.outputs[0].forEach((item, index) => {
			expect(item.json).toMatchObject({ id: stored.get(items[index].code)!.id, [F.code]: items[index].code, _resolvedBy: 'readBack', _resent: 1 });
		});
	});

	it('create: a record found by its key holding other values is unknown, with the reason, and is not sent again', async () => {
		kintone.emulator.seedRecords(kintone.sample.app, [{ [F.code]: { value: 'A-2' }, [F.text]: { value: 'written by someone else' } }]);
		// The request is refused for the taken key anyway; its answer is lost.
		kintone.emulator.server.inject({ match: isPost, action: { kind: 'resetBeforeHandling' } });

		const result = await runKintone(kintone.emulator, kintone.sample, create, items, { node: { onError: 'continueErrorOutput' } });

		const [written, errors] = result.outputs;
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 1 });
		expect(errors[0].json.details).toMatchObject({ outcome: 'unknown', resolvedBy: 'readBack' });
		expect(String(errors[0].json.error)).toContain('a record with this key exists but differs from what was sent: it may have been written by someone else');
		// The two records not found were sent again, in a request of their own.
		const posts = requestsTo(kintone.emulator, 'POST', 'records');
		expect(posts).toHaveLength(2);
		expect((posts[1].body as { records: IDataObject[] }).records.map((record) => (record[F.code] as { value: string }).value)).toEqual(['A-1', 'A-3']);
		expect(written.map((item) => item.json[F.code])).toEqual(['A-1', 'A-3']);
		expect(storedByCode().get('A-2')!.record[F.text].value).toBe('written by someone else');
	});

	it('create: the resend\'s answer is lost too (after it was applied): read back again, reported written once', async () => {
		kintone.emulator.server.inject({ match: isPost, action: { kind: 'resetBeforeHandling' } });
		kintone.emulator.server.inject({ match: isPost, nth: 2, action: LOST_AFTER_APPLIED });

		const result = await runKintone(kintone.emulator, kintone.sample, create, items);

		expect(result.error).toBeUndefined();
		expect(requestsTo(kintone.emulator, 'POST', 'records')).toHaveLength(2);
		expect(kintone.emulator.records(kintone.sample.app)).toHaveLength(3);
		expect(result.outputs[0].map((item) => item.json._resent)).toEqual([1, 1, 1]);
	});

	it('create without a field that has "Prohibit duplicate values": unknown, saying why and what to map', async () => {
		const app = kintone.emulator.addApp({ name: 'no key', fields: { note: { type: 'SINGLE_LINE_TEXT' } } });
		kintone.emulator.addApiToken('no-key-token', [app]);
		kintone.emulator.server.inject({ match: isPost, action: LOST_AFTER_APPLIED });

		const result = await runNode(
			environment({ domain: 'custom', baseUrl: kintone.emulator.url, authentication: 'apiToken', apiToken: 'no-key-token' }),
			{
				type: 'kintone',
				parameters: { resource: 'record', operation: 'create', app: { __rl: true, mode: 'id', value: String(app) }, columns: columns({ note: '={{ $json.note }}' }) },
				credentialTypes: ['kintoneApi'],
				onError: 'continueErrorOutput',
			},
			[{ note: 'a' }, { note: 'b' }],
		);

		const [written, errors] = result.outputs;
		expect(written).toHaveLength(0);
		expect(errors.map((item) => (item.json.details as IDataObject).outcome)).toEqual(['unknown', 'unknown']);
		expect(String(errors[0].json.error)).toContain('Map a Text or Number field with "Prohibit duplicate values" on to let the node check');
		// Nothing was read or sent again.
		expect(requestsTo(kintone.emulator, 'POST', 'records')).toHaveLength(1);
		expect(requestsTo(kintone.emulator, 'GET', 'records')).toHaveLength(0);
	});

	it('upsert by update key: sent again after a lost answer (the records end the same), each output saying so', async () => {
		kintone.emulator.seedRecords(kintone.sample.app, [{ [F.code]: { value: 'R-1' }, [F.text]: { value: 'before' } }]);
		kintone.emulator.server.inject({ match: isPut, action: LOST_AFTER_APPLIED });

		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'upsert', columns: columns({ [F.code]: '={{ $json.code }}', [F.text]: '={{ $json.text }}' }, { matchingColumns: [F.code] }) },
			[
				{ code: 'R-1', text: 'changed' },
				{ code: 'NEW-1', text: 'brand new' },
			],
		);

		expect(result.error).toBeUndefined();
		expect(requestsTo(kintone.emulator, 'PUT', 'records')).toHaveLength(2);
		const stored = storedByCode();
		expect(stored.size).toBe(2);
		expect(stored.get('R-1')!.record[F.text].value).toBe('changed');
		expect(stored.get('NEW-1')!.record[F.text].value).toBe('brand new');
		const [updated, added] = result.outputs[0].map((item) => item.json);
		expect(updated).toMatchObject({ id: stored.get('R-1')!.id, operation: 'inserted or updated', _answerLost: true });
		// The lost attempt added the record; the resend updated it: which of the two this run did, only the lost answer knew.
		expect(added).toMatchObject({ id: stored.get('NEW-1')!.id, operation: 'inserted or updated', _answerLost: true });
	});
});
