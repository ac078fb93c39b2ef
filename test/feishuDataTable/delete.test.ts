import { CONTACTS, WORKSPACE, byConditions, condition, contactRows, run, target, useFeishuDataTableEmulator } from './setup';

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

describe('Feishu Data Table: Delete', () => {
	const dataTable = useFeishuDataTableEmulator([CONTACTS]);

	async function seedContacts(names: string[]) {
		await dataTable.emulator.insertRows(WORKSPACE, TABLE, contactRows(names));
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

	it('deletes every row an item\'s filter matches, one request per item, each result paired with its item', async () => {
		await seedContacts(['alpha', 'beta', 'gamma', 'delta', 'epsilon']);
		dataTable.emulator.server.reset();
		const parameters = {
			...target(TABLE),
			operation: 'delete',
			...byConditions([condition('score', 'gte', '={{ $json.from }}'), condition('score', 'lte', '={{ $json.to }}')]),
		};

		const result = await run(dataTable.env, parameters, [
			{ from: 0, to: 1 },
			{ from: 3, to: 3 },
		]);

		expect(result.error).toBeUndefined();
		const deletes = dataTable.emulator.server.requests.filter((request) => request.method === 'DELETE');
		expect(deletes.map((request) => request.query.get('filter'))).toEqual([
			'and=(score.gte."0",score.lte."1")',
			'and=(score.gte."3",score.lte."3")',
		]);
		const [output] = result.outputs;
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output.every((item) => item.json.deleted === true)).toBe(true);
		expect(await names()).toEqual(['gamma', 'epsilon']);
	});

	it('resends a delete whose answer was lost: deleting what a filter matches twice leaves the same table', async () => {
		await seedContacts(['alpha', 'beta', 'gamma']);
		dataTable.emulator.server.reset();
		dataTable.emulator.server.inject({ match: (request) => request.method === 'DELETE', action: { kind: 'resetAfterHandling' } });
		const parameters = { ...target(TABLE), operation: 'delete', filterType: 'expression', filterExpression: 'name=eq.beta' };

		const result = await run(dataTable.env, parameters, [{}]);

		expect(result.error).toBeUndefined();
		expect(dataTable.emulator.server.requests.filter((request) => request.method === 'DELETE')).toHaveLength(2);
		expect(result.outputs[0]).toHaveLength(1);
		expect(result.outputs[0][0].json.deleted).toBe(true);
		expect(result.outputs[0][0].pairedItem).toEqual({ item: 0 });
		expect(await names()).toEqual(['alpha', 'gamma']);
	});

	it('a filter the service refuses fails its own item, and the other items still delete their rows', async () => {
		await seedContacts(['alpha', 'beta', 'gamma']);
		dataTable.emulator.server.reset();
		const parameters = { ...target(TABLE), operation: 'delete', filterType: 'expression', filterExpression: '={{ $json.filter }}' };

		const result = await run(
			dataTable.env,
			parameters,
			[{ filter: 'name=eq.alpha' }, { filter: 'colour=eq.red' }, { filter: 'name=eq.gamma' }],
			{ onError: 'continueErrorOutput' },
		);

		const [success, errors] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 1 });
		expect(errors[0].json.details).toMatchObject({ itemIndex: 1, outcome: 'failed', code: '2320001' });
		expect(String(errors[0].json.error)).toContain('colour');
		expect(await names()).toEqual(['beta']);
	});
});
