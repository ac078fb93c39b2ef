import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { CONTACTS, WORKSPACE, run, target, useFeishuDataTableEmulator } from './setup';

const TABLE = CONTACTS.name;

/** Names a filter value must match literally: PostgREST and query-string syntax, quotes, escapes. */
const TRICKY_NAMES = [
	'Smith, J.',
	'a&b',
	'a&name=neq.x',
	'(x)',
	'x),name.neq.(',
	'say "hi"',
	'x",name.neq."',
	'back\\slash',
	'50%',
	'50%25',
	'a+b',
	'x;y',
	'#tag',
	'dot.ted',
	'名字,中文',
];
const PLAIN_NAMES = ['Smith', 'J.', 'a', 'b', 'x', 'say', 'hi', 'back', '50', 'a b', 'y', 'tag', 'dot', 'ted'];

function condition(column: string, operator: string, value?: unknown) {
	return { column, operator, ...(value === undefined ? {} : { value }) };
}

function byConditions(conditions: IDataObject[], combinator = 'and'): INodeParameters {
	return { filterType: 'conditions', combinator, conditions: { condition: conditions } } as INodeParameters;
}

describe('Feishu Data Table: filters, delete, update by filter, get many', () => {
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	async function seedContacts(names: string[]) {
		await dataTable.emulator.insertRows(
			WORKSPACE,
			TABLE,
			names.map((name, index) => ({ email: `c${index}@example.com`, name, score: index })),
		);
	}

	const names = async () => (await dataTable.emulator.rows(WORKSPACE, TABLE, ['score'])).map((row) => row.name as string);

	it('deletes exactly the rows whose value equals a value full of reserved characters, one per item', async () => {
		await seedContacts([...TRICKY_NAMES, ...PLAIN_NAMES]);
		const parameters = { ...target(TABLE), operation: 'delete', ...byConditions([condition('name', 'eq', '={{ $json.name }}')]) };

		const result = await run(dataTable.env, parameters, TRICKY_NAMES.map((name) => ({ name })));

		expect(result.error).toBeUndefined();
		expect(result.outputs[0]).toHaveLength(TRICKY_NAMES.length);
		result.outputs[0].forEach((item, index) => {
			expect(item.json.deleted).toBe(true);
			expect(item.pairedItem).toEqual({ item: index });
		});
		expect(await names()).toEqual(PLAIN_NAMES);
	});

	it('updates by filter only the rows that match literally, and an injection attempt matches nothing', async () => {
		await seedContacts(['a&b', 'a', 'b', 'x",name.neq."', 'x']);
		const parameters = {
			...target(TABLE),
			operation: 'update',
			updateBy: 'filter',
			...byConditions([condition('name', 'eq', '={{ $json.match }}')]),
			columns: { mappingMode: 'defineBelow', value: { score: '={{ $json.score }}' }, matchingColumns: [], schema: [] },
		};

		const result = await run(dataTable.env, parameters as INodeParameters, [
			{ match: 'a&b', score: 100 },
			{ match: 'x",name.neq."', score: 200 },
			{ match: 'nobody",name.eq."a', score: 300 },
		]);

		expect(result.error).toBeUndefined();
		const rows = await dataTable.emulator.rows(WORKSPACE, TABLE, ['email']);
		expect(rows.map((row) => [row.name, row.score])).toEqual([
			['a&b', 100],
			['a', 1],
			['b', 2],
			['x",name.neq."', 200],
			['x', 4],
		]);
		expect(result.outputs[0].map((item) => item.json.updatedRows)).toEqual([1, 1, 0]);
	});

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

	it('refuses a delete whose filter is empty or has an empty value, before deleting anything', async () => {
		await seedContacts(['alpha', 'beta']);
		dataTable.emulator.server.reset();
		const parameters = { ...target(TABLE), operation: 'delete', ...byConditions([condition('name', 'eq', '={{ $json.name }}')]) };

		const emptyValue = await run(dataTable.env, parameters, [{ name: 'alpha' }, { other: 1 }]);
		expect(emptyValue.status).toBe('error');
		expect(emptyValue.error?.message).toContain('Item 1: The condition on "name" has no value');

		const noCondition = await run(dataTable.env, { ...target(TABLE), operation: 'delete', ...byConditions([]) }, [{}]);
		expect(noCondition.status).toBe('error');
		expect(noCondition.error?.message).toContain('The filter is empty');

		expect(dataTable.emulator.server.requests).toHaveLength(0);
		expect(await names()).toEqual(['alpha', 'beta']);
	});
});
