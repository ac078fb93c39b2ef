import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FaultAction, RecordedRequest } from '../emulators/server';
import {
	CONTACTS,
	USER_PRODUCTS,
	WORKSPACE,
	autoMapColumns,
	purchases,
	run,
	sqlEnvironment,
	target,
	useFeishuDataTableEmulator,
} from './setup';

const isPost = (request: RecordedRequest) => request.method === 'POST' && request.path.endsWith('/records');
const isPatch = (request: RecordedRequest) => request.method === 'PATCH' && request.path.endsWith('/records');

/** What the node reports when an answer was lost, or the service's answer can be read two ways. */
describe('Feishu Data Table: outcomes decided by key, never by counting the answer', () => {
	const dataTable = useFeishuDataTableEmulator([USER_PRODUCTS, CONTACTS]);

	describe('Upsert with "Keep It Unchanged" (ignore-conflicts)', () => {
		let parameters: INodeParameters;
		let kept: string[];

		beforeEach(async () => {
			kept = await dataTable.emulator.insertRows(WORKSPACE, USER_PRODUCTS.name, purchases(2));
			const base = { ...target(USER_PRODUCTS.name), operation: 'upsert', resolution: 'ignore-conflicts' };
			parameters = { ...base, columns: await autoMapColumns(dataTable.env, base, ['user_id', 'product_id']) } as INodeParameters;
			dataTable.emulator.server.reset();
		});

		// Two existing keys and three new ones, the existing ones with other values that must stay.
		const items = () => purchases(5).map((row) => ({ ...row, note: 'from this run' }));

		async function expectInsertedAndIgnored(result: Awaited<ReturnType<typeof run>>) {
			expect(result.error).toBeUndefined();
			const rows = new Map((await dataTable.emulator.rows(WORKSPACE, USER_PRODUCTS.name)).map((row) => [row.qty, row]));
			expect(rows.size).toBe(5);
			const output = result.outputs[0].map((item) => item.json);
			expect(output.map((json) => json._action)).toEqual(['ignored', 'ignored', 'inserted', 'inserted', 'inserted']);
			expect(output.map((json) => json._id)).toEqual([0, 1, 2, 3, 4].map((qty) => rows.get(qty)!._id));
			expect(output.slice(0, 2).map((json) => json._id)).toEqual(kept);
			expect(rows.get(0)!.note).toBe('purchase 0');
		}

		it.each([
			['only the inserted rows', false],
			['every row, the kept ones too', true],
		])('says which rows were inserted and which kept when record_ids lists %s', async (_, listed) => {
			dataTable.emulator.listIgnoredRows = listed;
			await expectInsertedAndIgnored(await run(dataTable.env, parameters, items()));
		});

		it.each([false, true])(
			'after a lost answer whose request was applied, the rows this run inserted are "inserted", not "ignored" (every row listed: %s)',
			async (listed) => {
				dataTable.emulator.listIgnoredRows = listed;
				dataTable.emulator.server.inject({ match: isPost, action: { kind: 'resetAfterHandling' } });

				const result = await run(dataTable.env, parameters, items());

				expect(dataTable.emulator.server.requests.filter(isPost)).toHaveLength(2);
				await expectInsertedAndIgnored(result);
			},
		);
	});

	it('Update by filter: when the answer was lost and the resend matched nothing, the outcome is unknown, never "nothing changed"', async () => {
		await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, [
			{ email: 'a@example.com', name: 'pending' },
			{ email: 'b@example.com', name: 'pending' },
		]);
		dataTable.emulator.server.reset();
		// The first attempt renames both rows, then the connection drops: the resend finds no "pending" row.
		dataTable.emulator.server.inject({ match: isPatch, action: { kind: 'resetAfterHandling' } });
		const parameters = {
			...target(CONTACTS.name),
			operation: 'update',
			updateBy: 'filter',
			filterType: 'expression',
			filterExpression: 'name=eq.pending',
			columns: { mappingMode: 'defineBelow', value: { name: 'done' }, matchingColumns: [], schema: [] },
		} as INodeParameters;

		const result = await run(dataTable.env, parameters, [{}], { onError: 'continueErrorOutput' });

		expect(dataTable.emulator.server.requests.filter(isPatch)).toHaveLength(2);
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(0);
		expect(errors[0].json.details).toMatchObject({ outcome: 'unknown', matchedByResend: 0 });
		expect(errors[0].json.error).toContain('The first attempt may have updated other rows');
		expect((await dataTable.emulator.rows(WORKSPACE, CONTACTS.name)).map((row) => row.name)).toEqual(['done', 'done']);
	});

	describe('Insert: rows of a lost answer read back by a unique key of the table', () => {
		const insert = {
			...target(CONTACTS.name),
			operation: 'insert',
			columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] },
		} as INodeParameters;
		const contacts = [
			{ email: 'a@example.com', name: 'Ann', score: 1 },
			{ email: 'b@example.com', name: 'Bob', score: '2' },
			{ email: 'c@example.com', name: 'Cy', score: 3 },
		];
		const rowsByEmail = async () => new Map((await dataTable.emulator.rows(WORKSPACE, CONTACTS.name)).map((row) => [row.email, row]));

		it('an answer lost after the rows were added: read back by the unique column, reported written with their _id, not sent again', async () => {
			dataTable.emulator.server.inject({ match: isPost, action: { kind: 'resetAfterHandling' } });

			const result = await run(dataTable.env, insert, contacts);

			expect(result.error).toBeUndefined();
			expect(dataTable.emulator.server.requests.filter(isPost)).toHaveLength(1);
			const rows = await rowsByEmail();
			expect(rows.size).toBe(3);
			expect(result.outputs[0].map((item) => item.json)).toEqual(
				contacts.map((contact) => ({ _id: rows.get(contact.email)!._id, ...contact, _resolvedBy: 'readBack' })),
			);
		});

		it.each<[string, FaultAction]>([
			['the connection dropped before Feishu read it', { kind: 'resetBeforeHandling' }],
			['Feishu answered 500', { kind: 'respond', reply: { status: 500, body: { code: 1, msg: 'internal error' } } }],
		])('an answer lost before the rows were added (%s): read back, sent once more, reported written', async (_, action) => {
			dataTable.emulator.server.inject({ match: isPost, action });

			const result = await run(dataTable.env, insert, contacts);

			expect(result.error).toBeUndefined();
			expect(dataTable.emulator.server.requests.filter(isPost)).toHaveLength(2);
			const rows = await rowsByEmail();
			expect(rows.size).toBe(3);
			expect(result.outputs[0].map((item) => item.json)).toEqual(
				contacts.map((contact) => ({ _id: rows.get(contact.email)!._id, ...contact, _resolvedBy: 'readBack', _resent: 1 })),
			);
		});

		it('a key of several columns is read back with the SQL scope', async () => {
			const env = sqlEnvironment(dataTable.emulator);
			const parameters = { ...target(USER_PRODUCTS.name), operation: 'insert', columns: await autoMapColumns(env, { ...target(USER_PRODUCTS.name), operation: 'insert' }) } as INodeParameters;
			dataTable.emulator.server.reset();
			dataTable.emulator.server.inject({ match: isPost, action: { kind: 'resetAfterHandling' } });

			const result = await run(env, parameters, purchases(4));

			expect(result.error).toBeUndefined();
			expect(dataTable.emulator.server.requests.filter(isPost)).toHaveLength(1);
			const ids = (await dataTable.emulator.rows(WORKSPACE, USER_PRODUCTS.name)).map((row) => row._id);
			expect(ids).toHaveLength(4);
			expect(result.outputs[0].map((item) => item.json._id).sort()).toEqual([...ids].sort());
			expect(result.outputs[0].every((item) => item.json._resolvedBy === 'readBack')).toBe(true);
		});

		it('without the SQL scope a key of several columns is unknown to the node: unknown, saying why and what to map', async () => {
			const parameters = { ...target(USER_PRODUCTS.name), operation: 'insert', columns: await autoMapColumns(dataTable.env, { ...target(USER_PRODUCTS.name), operation: 'insert' }) } as INodeParameters;
			dataTable.emulator.server.reset();
			dataTable.emulator.server.inject({ match: isPost, action: { kind: 'resetAfterHandling' } });

			const result = await run(dataTable.env, parameters, purchases(2), { onError: 'continueErrorOutput' });

			const [written, errors] = result.outputs;
			expect(written).toHaveLength(0);
			expect(errors.map((item) => (item.json.details as IDataObject).outcome)).toEqual(['unknown', 'unknown']);
			expect(errors[0].json.error).toContain('Map the columns of a unique key to let the node check');
			expect(dataTable.emulator.server.requests.filter(isPost)).toHaveLength(1);
		});

		it('a row found by its key holding other values is unknown, with the reason', async () => {
			await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, [{ email: 'b@example.com', name: 'someone else' }]);
			dataTable.emulator.server.reset();
			dataTable.emulator.server.inject({ match: isPost, action: { kind: 'resetBeforeHandling' } });

			const result = await run(dataTable.env, insert, contacts, { onError: 'continueErrorOutput' });

			const [written, errors] = result.outputs;
			expect(written.map((item) => item.json.email)).toEqual(['a@example.com', 'c@example.com']);
			expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
			expect(errors[0].json.details).toMatchObject({ outcome: 'unknown', resolvedBy: 'readBack' });
			expect(errors[0].json.error).toContain('a row with this key exists but differs from what was sent');
			expect((await rowsByEmail()).get('b@example.com')!.name).toBe('someone else');
		});
	});

	it('Upsert: resent after a lost answer, each output saying so', async () => {
		const base = { ...target(CONTACTS.name), operation: 'upsert', resolution: 'merge-duplicates' };
		const parameters = { ...base, columns: await autoMapColumns(dataTable.env, base, ['email']) } as INodeParameters;
		dataTable.emulator.server.reset();
		dataTable.emulator.server.inject({ match: isPost, action: { kind: 'resetAfterHandling' } });

		const result = await run(dataTable.env, parameters, [{ email: 'a@example.com', name: 'Ann' }]);

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.server.requests.filter(isPost)).toHaveLength(2);
		expect(result.outputs[0][0].json).toMatchObject({ email: 'a@example.com', _answerLost: true });
		expect(await dataTable.emulator.rows(WORKSPACE, CONTACTS.name)).toHaveLength(1);
	});
});
