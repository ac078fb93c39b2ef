import type { INodeParameters } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import { CONTACTS, USER_PRODUCTS, WORKSPACE, autoMapColumns, purchases, run, target, useFeishuDataTableEmulator } from './setup';

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
});
