import type { INodeParameters } from 'n8n-workflow';

import { CONTACTS, WORKSPACE, byConditions, condition, contactRows, run, target, useFeishuDataTableEmulator } from './setup';

const TABLE = CONTACTS.name;

describe('Feishu Data Table: Get Many', () => {
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	async function seedContacts(names: string[]) {
		await dataTable.emulator.insertRows(WORKSPACE, TABLE, contactRows(names));
	}

	it('matches "is one of" values that contain commas and quotes when given as a JSON array', async () => {
		await seedContacts(['Smith, J.', 'Smith', 'J.', 'say "hi"', 'say']);
		const parameters = {
			...target(TABLE),
			operation: 'getAll',
			returnAll: true,
			...byConditions([condition('name', 'in', '["Smith, J.", "say \\"hi\\""]')]),
		};

		const result = await run(dataTable.env, parameters, [{}]);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json.name).sort()).toEqual(['Smith, J.', 'say "hi"']);
	});

	it('combines conditions with OR and supports comparisons, like and null tests', async () => {
		await seedContacts(['alpha', 'beta', 'gamma', 'delta']);
		const parameters = {
			...target(TABLE),
			operation: 'getAll',
			returnAll: true,
			...byConditions([condition('score', 'gte', 3), condition('name', 'like', 'b*'), condition('name', 'isNull')], 'or'),
			options: { sort: { rule: [{ column: 'score', direction: 'desc' }] }, select: ['name', 'score'] },
		};

		const result = await run(dataTable.env, parameters as INodeParameters, [{}]);

		expect(result.error).toBeUndefined();
		expect(result.outputs[0].map((item) => item.json)).toEqual([
			{ name: 'delta', score: 3 },
			{ name: 'beta', score: 1 },
		]);
	});

	it('returns all rows over page tokens, and stops at the limit', async () => {
		await seedContacts(Array.from({ length: 1234 }, (_, index) => `person ${index}`));
		dataTable.emulator.server.reset();

		const byScore = { sort: { rule: [{ column: 'score', direction: 'asc' }] } };
		const all = await run(dataTable.env, { ...target(TABLE), operation: 'getAll', returnAll: true, options: byScore }, [{}]);

		expect(all.error).toBeUndefined();
		expect(all.outputs[0]).toHaveLength(1234);
		expect(all.outputs[0].map((item) => item.json.name)).toEqual(Array.from({ length: 1234 }, (_, index) => `person ${index}`));
		expect(all.outputs[0].every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		const pages = dataTable.emulator.server.requests.map((request) => [request.query.get('page_size'), Boolean(request.query.get('page_token'))]);
		expect(pages).toEqual([
			['500', false],
			['500', true],
			['500', true],
		]);

		dataTable.emulator.server.reset();
		const limited = await run(dataTable.env, { ...target(TABLE), operation: 'getAll', returnAll: false, limit: 600 }, [{}]);
		expect(limited.outputs[0]).toHaveLength(600);
		expect(dataTable.emulator.server.requests.map((request) => request.query.get('page_size'))).toEqual(['500', '100']);
	});

	it('stops with a clear error when the service hands back a page token it gave before, instead of reading for ever', async () => {
		await seedContacts(['a', 'b']);
		dataTable.emulator.server.reset();
		const page = (token: string) => ({
			kind: 'respond' as const,
			reply: { status: 200, body: { code: 0, msg: 'success', data: { items: '[{"name":"a"}]', has_more: true, page_token: token } } },
		});
		dataTable.emulator.server.inject({ action: page('t1') });
		dataTable.emulator.server.inject({ action: page('t2') });
		dataTable.emulator.server.inject({ action: page('t1') });

		const result = await run(dataTable.env, { ...target(TABLE), operation: 'getAll', returnAll: true }, [{}]);

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Feishu returned the same page token twice; stopped reading');
		expect(dataTable.emulator.server.requests).toHaveLength(3);
	});

	it('passes a raw PostgREST expression through as the filter', async () => {
		await seedContacts(['alpha', 'beta', 'gamma']);
		const parameters = {
			...target(TABLE),
			operation: 'getAll',
			returnAll: true,
			filterType: 'expression',
			filterExpression: 'or=(name.eq.alpha,score.eq.2)',
		};

		const result = await run(dataTable.env, parameters, [{}]);

		expect(result.outputs[0].map((item) => item.json.name).sort()).toEqual(['alpha', 'gamma']);
	});
});
