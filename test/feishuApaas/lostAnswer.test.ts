import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import type { FaultAction } from '../emulators/server';
import { callNodeMethod } from '../harness/loadOptions';
import { NS, OBJ, apaasEnvironment, requestsTo, runApaas, sentRecords, useFeishuApaasEmulator } from './setup';

describe('Feishu aPaaS node: a resend after a lost answer', () => {
	const apaas = useFeishuApaasEmulator();

	it('a delete resent after its answer was lost reports records gone as unknown, not refused: the first attempt may have deleted them', async () => {
		const ids = apaas.emulator.seedRecords(NS, OBJ, [{}, {}, {}]);
		apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_delete'), action: { kind: 'resetAfterHandling' } });

		const result = await runApaas(
			apaas.emulator,
			{ operation: 'delete', recordId: '={{ $json._id }}' },
			[...ids, '1234'].map((_id) => ({ _id })),
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(requestsTo(apaas.emulator, 'batch_delete')).toHaveLength(2);
		expect(apaas.emulator.records(NS, OBJ).size).toBe(0);
		for (const item of result.outputs[0]) {
			expect(item.json.details).toMatchObject({ outcome: 'unknown' });
			expect(String(item.json.error)).toMatch(/may already have/);
		}
	});

	it('an update resent after its answer was lost still reports records it refuses as not written: their values were wrong both times', async () => {
		const [id] = apaas.emulator.seedRecords(NS, OBJ, [{ book_count: 1 }]);
		apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_update'), action: { kind: 'resetAfterHandling' } });

		const result = await runApaas(
			apaas.emulator,
			{ operation: 'update', columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['_id'], schema: [] } },
			[{ _id: id, book_count: 2 }, { _id: id, book_count: 'many' }],
			{ node: { onError: 'continueRegularOutput' } },
		);

		expect(requestsTo(apaas.emulator, 'batch_update')).toHaveLength(2);
		expect(result.outputs[0][0].json).toEqual({ _id: id, book_count: 2, _answerLost: true });
		expect(result.outputs[0][1].json.details).toMatchObject({ outcome: 'failed' });
	});

	describe('Create: records of a lost answer read back by the Unique Field for Lost Answers', () => {
		const MEMBERS = 'member__c';
		const isCreate = (request: { path: string }) => request.path.endsWith('batch_create');
		const create = (uniqueField?: string) => ({
			operation: 'create',
			objectApiName: MEMBERS,
			columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
			options: uniqueField ? { uniqueField } : {},
		});
		const members = [
			{ member_no: 'M-1', name: 'Ann', points: 1 },
			{ member_no: 'M-2', name: 'Bob', points: '2.0' },
			{ member_no: 'M-3', name: 'Cy', points: 3 },
		];
		const stored = () => new Map([...apaas.emulator.records(NS, MEMBERS).values()].map((record) => [record.values.member_no, record]));

		beforeEach(() =>
			apaas.emulator.defineObject(NS, MEMBERS, [
				{ api_name: 'member_no', type: 'text', unique: true },
				{ api_name: 'name', type: 'text' },
				{ api_name: 'points', type: 'number' },
			]),
		);

		it('an answer lost after Feishu created the records: read back by the unique field, reported written with their _id, not sent again', async () => {
			apaas.emulator.server.inject({ match: isCreate, action: { kind: 'resetAfterHandling' } });

			const result = await runApaas(apaas.emulator, create('member_no'), members);

			expect(result.error).toBeUndefined();
			expect(requestsTo(apaas.emulator, 'batch_create')).toHaveLength(1);
			const records = stored();
			expect(records.size).toBe(3);
			expect(result.outputs[0].map((item) => item.json)).toEqual(
				members.map((member) => ({ _id: records.get(member.member_no)!._id, ...member, _resolvedBy: 'readBack' })),
			);
			expect([...records.values()].every((record) => record.writes === 1)).toBe(true);
		});

		it.each<[string, FaultAction]>([
			['the connection dropped before Feishu read it', { kind: 'resetBeforeHandling' }],
			['Feishu answered 502', { kind: 'respond', reply: { status: 502, body: 'Bad Gateway' } }],
		])('an answer lost before Feishu created the records (%s): read back, sent once more, reported written', async (_, action) => {
			apaas.emulator.server.inject({ match: isCreate, action });

			const result = await runApaas(apaas.emulator, create('member_no'), members);

			expect(result.error).toBeUndefined();
			const creates = requestsTo(apaas.emulator, 'batch_create');
			expect(creates).toHaveLength(2);
			expect(sentRecords(creates[1].body)).toEqual(members);
			const records = stored();
			expect(records.size).toBe(3);
			expect(result.outputs[0].map((item) => item.json)).toEqual(
				members.map((member) => ({ _id: records.get(member.member_no)!._id, ...member, _resolvedBy: 'readBack', _resent: 1 })),
			);
		});

		it('the option offers the fields of single text or number values', async () => {
			const options = await callNodeMethod<INodePropertyOptions[]>(
				apaasEnvironment(apaas.emulator),
				{
					type: 'feishuApaas',
					parameters: { resource: 'objectRecord', operation: 'create', namespace: NS, objectApiName: { __rl: true, mode: 'name', value: MEMBERS } },
					credentialTypes: ['feishuApaasApi'],
				},
				'loadOptions',
				'getUniqueFieldCandidates',
			);
			expect(options.map((option) => option.value)).toEqual(['member_no', 'name', 'points']);
		});

		it('without a Unique Field for Lost Answers: unknown, saying what to name', async () => {
			apaas.emulator.server.inject({ match: isCreate, action: { kind: 'resetAfterHandling' } });

			const result = await runApaas(apaas.emulator, create(), members, { node: { onError: 'continueErrorOutput' } });

			const [written, errors] = result.outputs;
			expect(written).toHaveLength(0);
			expect(errors.map((item) => (item.json.details as IDataObject).outcome)).toEqual(['unknown', 'unknown', 'unknown']);
			expect(String(errors[0].json.error)).toContain('Choose a field whose values are unique in Options > Unique Field for Lost Answers');
			expect(requestsTo(apaas.emulator, 'batch_create')).toHaveLength(1);
			expect(requestsTo(apaas.emulator, 'batch_query')).toHaveLength(0);
		});

		it('a record found by its key holding other values is unknown, with the reason', async () => {
			apaas.emulator.seedRecords(NS, MEMBERS, [{ member_no: 'M-2', name: 'someone else' }]);
			apaas.emulator.server.inject({ match: isCreate, action: { kind: 'resetBeforeHandling' } });

			const result = await runApaas(apaas.emulator, create('member_no'), members, { node: { onError: 'continueErrorOutput' } });

			const [written, errors] = result.outputs;
			expect(written.map((item) => item.json.member_no)).toEqual(['M-1', 'M-3']);
			expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
			expect(errors[0].json.details).toMatchObject({ outcome: 'unknown', resolvedBy: 'readBack' });
			expect(String(errors[0].json.error)).toContain('a record with this key exists but differs from what was sent');
			expect(stored().get('M-2')!.values.name).toBe('someone else');
		});
	});
});
