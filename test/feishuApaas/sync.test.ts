import type { IDataObject, INodeParameters, ResourceMapperFields } from 'n8n-workflow';

import { FeishuApaas } from '../../nodes/FeishuApaas/FeishuApaas.node';
import { callNodeMethod } from '../harness/loadOptions';
import { NS, apaasEnvironment, sentRecords, useFeishuApaasEmulator } from './setup';
import {
	PRODUCTS,
	defineProducts,
	hintsOf,
	jsonOf,
	mirrorParameters,
	queries,
	revisions,
	runSync,
	syncParameters,
	writeRequests,
} from './syncSetup';

describe('Feishu aPaaS node: Sync', () => {
	const apaas = useFeishuApaasEmulator({}, defineProducts);
	const seed = (records: IDataObject[]) => apaas.emulator.seedRecords(NS, PRODUCTS, records);
	const stored = () => apaas.emulator.records(NS, PRODUCTS);
	const writes = () => writeRequests(apaas.emulator);

	it('creates the missing, updates only the changed fields, leaves the rest untouched, and a second run writes nothing', async () => {
		const [one, two] = seed([
			{ code: 'P-1', name: 'one', price: 1.5 },
			{ code: 'P-2', name: 'two', price: 3 },
		]);
		const before = revisions(apaas.emulator);
		const items = [
			{ code: 'P-1', name: 'one', price: '1.50' },
			{ code: 'P-2', name: 'changed', price: 3 },
			{ code: 'NEW-1', name: 'new', price: 7 },
		];
		apaas.emulator.server.reset();
		const run = await runSync(apaas.emulator, syncParameters(), items);

		expect(run.error).toBeUndefined();
		const [unchanged, updated, created] = jsonOf(run);
		expect(unchanged).toEqual({ sync: 'unchanged', _id: one, code: 'P-1' });
		expect(updated).toEqual({ sync: 'updated', _id: two, name: 'changed', changes: { name: { old: 'two', new: 'changed' } } });
		expect(created).toEqual({ sync: 'created', _id: expect.any(String), code: 'NEW-1', name: 'new', price: 7 });
		// Only the changed field goes to the record that changed; the new record with every mapped field.
		const sent = writes().map((request) => [request.method, request.path.split('/').pop(), sentRecords(request.body)]);
		expect(sent).toEqual([
			['PATCH', 'batch_update', [{ _id: two, name: 'changed' }]],
			['POST', 'batch_create', [{ code: 'NEW-1', name: 'new', price: 7 }]],
		]);
		expect(revisions(apaas.emulator).get(one)).toBe(before.get(one));
		expect(revisions(apaas.emulator).get(two)).not.toBe(before.get(two));
		expect(hintsOf(run)).toContain('Sync: 1 created, 1 updated, 1 unchanged, 0 removed.');

		const after = revisions(apaas.emulator);
		apaas.emulator.server.reset();
		const again = await runSync(apaas.emulator, syncParameters(), items);
		expect(jsonOf(again).map((json) => json.sync)).toEqual(['unchanged', 'unchanged', 'unchanged']);
		expect(writes()).toEqual([]);
		expect(revisions(apaas.emulator)).toEqual(after);
		expect(hintsOf(again)).toContain('Sync: 0 created, 0 updated, 3 unchanged, 0 removed.');
	});

	it('reads the keys 10 per batch_query, as "equal" conditions joined by "or" (no "in" is documented), 500 per page', async () => {
		// Many more records than items: reading them all would take more requests than reading the keys.
		seed(Array.from({ length: 200 }, (_, index) => ({ code: `P-${index}`, qty: index })));
		const items = Array.from({ length: 23 }, (_, index) => ({ code: `P-${index}`, qty: index }));
		apaas.emulator.server.reset();
		const run = await runSync(apaas.emulator, syncParameters(), items);

		expect(jsonOf(run).every((json) => json.sync === 'unchanged')).toBe(true);
		const [count, ...reads] = queries(apaas.emulator) as Array<{ filter: { conditions: IDataObject[]; logic_expression: string }; page_size: number; select: string[] }>;
		// First the object's records are counted: 200 are more than reading the 23 keys would cost.
		expect(count).toEqual({ select: ['_id'], page_size: 1, need_total_count: true });
		expect(reads.map((body) => body.filter.conditions.length).sort()).toEqual([10, 10, 3]);
		const three = reads.find((body) => body.filter.conditions.length === 3)!;
		expect(three.filter.logic_expression).toBe('1 or 2 or 3');
		expect(three.filter.conditions.map((condition) => condition.operator)).toEqual(['equal', 'equal', 'equal']);
		expect(three.filter.conditions[0].left).toEqual({
			type: 'metadataVariable',
			settings: JSON.stringify({ fieldPath: [{ fieldApiName: 'code', objectApiName: PRODUCTS }] }),
		});
		expect(reads.every((body) => body.page_size === 500)).toBe(true);
		// Only the fields the items map are read, with the ID and the key.
		expect(three.select).toEqual(['_id', 'code', 'qty']);
		expect(writes()).toEqual([]);
	});

	it('reads the whole object instead, 500 per page, when that takes fewer requests than reading 10 keys at a time', async () => {
		seed(Array.from({ length: 60 }, (_, index) => ({ code: `P-${index}`, qty: index })));
		const items = Array.from({ length: 45 }, (_, index) => ({ code: `P-${index}`, qty: index === 7 ? 70 : index }));
		apaas.emulator.server.reset();
		const run = await runSync(apaas.emulator, syncParameters(), items);

		expect(jsonOf(run).map((json) => json.sync).filter((sync) => sync !== 'unchanged')).toEqual(['updated']);
		const reads = queries(apaas.emulator) as Array<{ filter?: unknown; page_size: number; need_total_count?: boolean; select: string[] }>;
		// One request counts the records (45 keys would take 5 reads; 60 records take 1 page of 500 and the count).
		expect(reads).toEqual([
			{ select: ['_id'], page_size: 1, need_total_count: true },
			{ select: ['_id', 'code', 'qty'], page_size: 500, use_page_token: true },
		]);
		expect(writes()).toHaveLength(1);
	});

	it('two items naming one record both fail, naming each other; nothing is written for that record', async () => {
		const [id] = seed([{ code: 'P-1', name: 'one' }]);
		const run = await runSync(apaas.emulator, syncParameters(), [
			{ code: 'P-1', name: 'a' },
			{ code: 'P-2', name: 'b' },
			{ code: 'P-1', name: 'c' },
		]);

		expect(jsonOf(run).map((json) => json.sync)).toEqual(['created']);
		const errors = run.outputs[1];
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(errors[0].json.error).toContain('Items 0, 2 name the same record (code "P-1")');
		expect(errors[1].json.error).toContain('Items 2, 0 name the same record (code "P-1")');
		expect(stored().get(id)?.values).toEqual({ code: 'P-1', name: 'one' });
	});

	it('two records holding one key: the item fails naming both record IDs and nothing is written for it; the others sync', async () => {
		const [first, second] = seed([
			{ code: 'TWIN', name: 'a' },
			{ code: 'TWIN', name: 'b' },
			{ code: 'P-1', name: 'one' },
		]);
		const before = revisions(apaas.emulator);
		const items = [{ code: 'TWIN', name: 'c' }, { code: 'P-1', name: 'changed' }];
		const run = await runSync(apaas.emulator, syncParameters(), items);

		expect(jsonOf(run)).toEqual([expect.objectContaining({ sync: 'updated', name: 'changed' })]);
		const [error] = run.outputs[1];
		expect(error.pairedItem).toEqual({ item: 0 });
		expect(error.json.error).toBe(
			`Records _id ${first} and _id ${second} of object "${PRODUCTS}" all hold code "TWIN", so Sync cannot tell which one this item describes; nothing was written for it. Make the key unique there (edit or delete the extra records), or match on another one`,
		);
		expect(error.json.details).toMatchObject({ itemIndex: 0, record: 'code "TWIN"', outcome: 'notSent' });
		expect(revisions(apaas.emulator).get(first)).toBe(before.get(first));
		expect(revisions(apaas.emulator).get(second)).toBe(before.get(second));

		// With On Error = Stop Workflow the run stops before anything is written.
		apaas.emulator.server.reset();
		const strict = await runSync(apaas.emulator, syncParameters(), [{ code: 'P-1', name: 'again' }, items[0]], false);
		expect(strict.status).toBe('error');
		expect(strict.error?.message).toContain(`Item 1: Records _id ${first} and _id ${second}`);
		expect(strict.error?.description).toContain('Nothing was sent');
		expect(writes()).toEqual([]);
	});

	it('a bad item fails alone with Continue (using error output): an empty key, a value Feishu refuses', async () => {
		const [id] = seed([{ code: 'P-1', qty: 1 }]);
		const run = await runSync(apaas.emulator, syncParameters(), [
			{ code: '', qty: 2 },
			{ code: 'P-1', qty: 'many' },
			{ code: 'P-2', qty: 3 },
		]);

		expect(jsonOf(run).map((json) => json.sync)).toEqual(['created']);
		const errors = run.outputs[1];
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(errors[0].json.error).toBe('"code" is empty, so the record of this item cannot be found: map "code" (Record to Match) to the value that identifies it');
		expect(errors[1].json.details).toMatchObject({ itemIndex: 1, fields: ['qty'], subCode: 'field_type_mismatch' });
		expect(stored().get(id)?.values).toEqual({ code: 'P-1', qty: 1 });
		expect(hintsOf(run)).toContain('Sync: 1 created, 0 updated, 0 unchanged, 0 removed, 2 failed.');
	});

	it('matched on _id: updates the records found; an ID the object lacks fails its item (Feishu assigns IDs)', async () => {
		const [id] = seed([{ code: 'P-1', name: 'one' }]);
		const run = await runSync(apaas.emulator, syncParameters('_id'), [{ _id: id, name: 'renamed' }, { _id: '42', name: 'x' }]);

		expect(jsonOf(run)).toEqual([{ sync: 'updated', _id: id, name: 'renamed', changes: { name: { old: 'one', new: 'renamed' } } }]);
		expect(run.outputs[1][0].json.error).toBe(
			`Record _id 42 does not exist in object "${PRODUCTS}". Sync by record ID cannot create it (Feishu assigns IDs): match on a field with unique values to create missing records`,
		);
		expect(sentRecords(writes()[0].body)).toEqual([{ _id: id, name: 'renamed' }]);
		expect(stored().size).toBe(1);
	});

	it('with the mapping form as the editor saves it: values converted by its types compare as stored, fields it lacks are not sent', async () => {
		const [id] = seed([{ code: 'P-1', price: 1.5, active: true, name: 'one' }]);
		const { fields } = await callNodeMethod<ResourceMapperFields>(
			apaasEnvironment(apaas.emulator),
			{ type: 'feishuApaas', parameters: { resource: 'objectRecord', operation: 'sync', namespace: NS, objectApiName: PRODUCTS }, credentialTypes: ['feishuApaasApi'] },
			'resourceMapping',
			'getMappingFields',
		);
		const columns = { mappingMode: 'autoMapInputData', value: null, matchingColumns: ['code'], schema: fields };
		apaas.emulator.server.reset();
		const run = await runSync(apaas.emulator, syncParameters('code', { columns }), [
			// As Get Many returns records: the ID and system fields come along.
			{ _id: id, _updatedAt: 1, code: 'P-1', price: '1.50', active: 'true', name: 'one' },
			{ code: 'P-2', price: '2.50', active: 'false' },
		]);

		expect(jsonOf(run)).toEqual([
			// A field the form does not offer (a system field) is named on the item, never sent.
			{ sync: 'unchanged', _id: id, code: 'P-1', _ignoredFields: ['_updatedAt'] },
			{ sync: 'created', _id: expect.any(String), code: 'P-2', price: 2.5, active: false },
		]);
		expect(writes().map((request) => sentRecords(request.body))).toEqual([[{ code: 'P-2', price: 2.5, active: false }]]);
	});

	it('mapper: Sync matches on _id or a field of single values, and says the field must hold unique values', async () => {
		const { fields } = await callNodeMethod<ResourceMapperFields>(
			apaasEnvironment(apaas.emulator),
			{ type: 'feishuApaas', parameters: { resource: 'objectRecord', operation: 'sync', namespace: NS, objectApiName: PRODUCTS }, credentialTypes: ['feishuApaasApi'] },
			'resourceMapping',
			'getMappingFields',
		);
		const byId = new Map(fields.map((field) => [field.id, field]));
		expect(byId.get('_id')).toMatchObject({ defaultMatch: true, canBeUsedToMatch: true, required: false });
		const matchable = fields.filter((field) => field.canBeUsedToMatch).map((field) => field.id);
		expect(matchable).toEqual(['_id', 'code', 'name', 'region', 'price', 'qty', 'serial', 'launch', 'checked_at', 'color']);
		expect(byId.has('seq')).toBe(false);

		const columns = new FeishuApaas().description.properties.find(
			(property) => property.name === 'columns' && property.displayOptions?.show?.operation?.includes('sync'),
		);
		expect(columns?.typeOptions?.resourceMapper?.mode).toBe('upsert');
		expect(columns?.typeOptions?.loadOptionsDependsOn).toContain('operation');
		expect(columns?.typeOptions?.resourceMapper?.matchingFieldsLabels?.hint).toBe(
			'The record ID (_id), or a field whose values are unique: two records holding one value fail the item',
		);
	});

	it('a second output "Removed" only with the mirror on; the node says it syncs', () => {
		const { description } = new FeishuApaas();
		expect(description.outputs).toEqual(expect.stringContaining('$parameter.operation === "sync" && $parameter.removeMissing === true'));
		expect(description.description).toContain('sync');
		const operation = description.properties.find((property) => property.name === 'operation');
		expect(operation?.options).toContainEqual(expect.objectContaining({ name: 'Sync', value: 'sync', action: 'Sync records' }));
	});

	describe('compares each field type as aPaaS stores it: no write when only the format differs, a write when the value does', () => {
		// field, as stored, the same value in another form, another value
		type Value = IDataObject[string];
		const cases: Array<[string, Value | undefined, Value, Value]> = [
			['name', undefined, '', 'x'],
			['price', 1.5, '1.50', '1.51'],
			['qty', '3', 3, 4],
			['serial', '9007199254740993', '09007199254740993', '9007199254740992'],
			['active', true, 'true', false],
			['launch', '2024-05-01', '2024-05-01', '2024-05-02'],
			['checked_at', 1714521600000, '1714521600000', 1714521600001],
			['color', 'red', { api_name: 'red', label: { zh_cn: '红' } }, 'blue'],
			['tags', ['a', 'b'], ['b', 'a'], ['a']],
			['owner', { _id: '1001', _name: 'Ann' }, '1001', '1002'],
			['watchers', ['1001', '1002'], [{ _id: '1002' }, { _id: '1001' }], ['1001']],
			['title', { zh_cn: '书', en_us: 'Book' }, { en_us: 'Book', zh_cn: '书', ja_jp: '' }, { zh_cn: '书' }],
			// An upload's token is never what aPaaS answers for the stored file: only "no files" is no change.
			['manual', [], null, [{ token: 'boxcn1' }]],
		];

		it.each(cases)('%s', async (field, current, same, other) => {
			const [, changed] = seed([
				{ code: 'SAME', ...(current === undefined ? {} : { [field]: current }) },
				{ code: 'DIFF', ...(current === undefined ? {} : { [field]: current }) },
			]);
			const before = revisions(apaas.emulator);
			apaas.emulator.server.reset();
			const run = await runSync(apaas.emulator, syncParameters(), [
				{ code: 'SAME', [field]: same },
				{ code: 'DIFF', [field]: other },
			]);

			expect(run.outputs[1] ?? []).toEqual([]);
			expect(jsonOf(run).map((json) => json.sync)).toEqual(['unchanged', 'updated']);
			expect(writes().map((request) => sentRecords(request.body))).toEqual([[{ _id: changed, [field]: other }]]);
			const after = revisions(apaas.emulator);
			expect([...after.values()].filter((revision, index) => revision !== [...before.values()][index])).toHaveLength(1);
			expect(after.get(changed)).not.toBe(before.get(changed));
		});

		it('attachments already stored are written again: the node cannot tell a stored file from an upload', async () => {
			const [id] = seed([{ code: 'P-1', manual: [{ token: 'boxcn1' }] }]);
			const run = await runSync(apaas.emulator, syncParameters(), [{ code: 'P-1', manual: [{ token: 'boxcn1' }] }]);
			expect(jsonOf(run).map((json) => json.sync)).toEqual(['updated']);
			expect(sentRecords(writes()[0].body)).toEqual([{ _id: id, manual: [{ token: 'boxcn1' }] }]);
		});

		it('a number key finds its record as a number: "1.50" is the record of 1.5, found with the constant "1.5"', async () => {
			const [id] = seed([{ code: 'P-1', price: 1.5, name: 'one' }]);
			apaas.emulator.server.reset();
			const run = await runSync(apaas.emulator, syncParameters('price'), [{ price: '1.50', name: 'one' }]);

			expect(jsonOf(run)).toEqual([{ sync: 'unchanged', _id: id, price: '1.50' }]);
			const [read] = queries(apaas.emulator) as Array<{ filter: { conditions: Array<{ right: { settings: string } }> } }>;
			expect(read.filter.conditions[0].right.settings).toBe(JSON.stringify({ data: '1.5' }));
			expect(writes()).toEqual([]);
		});
	});

	describe('Remove Records Not in Input', () => {
		function seedRegions() {
			return seed([
				{ code: 'E-1', region: 'EMEA', name: 'kept' },
				{ code: 'E-2', region: 'EMEA', name: 'gone' },
				{ code: 'E-3', region: 'EMEA', name: 'gone too' },
				{ code: 'A-1', region: 'APAC', name: 'out of scope' },
			]);
		}

		it('removes the records in scope no item names, on the second output; records out of scope are never touched', async () => {
			const [kept, gone, goneToo, apac] = seedRegions();
			const before = revisions(apaas.emulator);
			apaas.emulator.server.reset();
			const run = await runSync(apaas.emulator, syncParameters('code', mirrorParameters('EMEA')), [
				{ code: 'E-1', region: 'EMEA', name: 'kept' },
				{ code: 'E-4', region: 'EMEA', name: 'new' },
			]);

			expect(run.error).toBeUndefined();
			expect(jsonOf(run).map((json) => json.sync)).toEqual(['unchanged', 'created']);
			expect(jsonOf(run, 1)).toEqual([
				{ sync: 'removed', _id: gone, code: 'E-2' },
				{ sync: 'removed', _id: goneToo, code: 'E-3' },
			]);
			expect([...stored().keys()]).toEqual(expect.arrayContaining([kept, apac]));
			expect(stored().has(gone) || stored().has(goneToo)).toBe(false);
			expect(revisions(apaas.emulator).get(apac)).toBe(before.get(apac));
			const deletes = writes().filter((request) => request.method === 'DELETE');
			expect(deletes.map((request) => request.body)).toEqual([{ ids: [gone, goneToo] }]);
			// The scope is read with the user's condition, only the ID and the key.
			expect(queries(apaas.emulator)).toContainEqual(
				// The mapped fields too: the records in scope are compared with the items, not read again.
				expect.objectContaining({ select: ['_id', 'code', 'region', 'name'], filter: expect.objectContaining({ logic_expression: '1' }) }),
			);
			expect(hintsOf(run)).toContain('Sync: 1 created, 0 updated, 1 unchanged, 2 removed.');
		});

		it('the safety limit stops the run before any request that writes', async () => {
			seedRegions();
			apaas.emulator.server.reset();
			const run = await runSync(apaas.emulator, syncParameters('code', mirrorParameters('EMEA', { maxRemovedShare: 50 })), [
				{ code: 'E-1', region: 'EMEA', name: 'changed' },
				{ code: 'E-9', region: 'EMEA', name: 'new' },
			]);

			expect(run.status).toBe('error');
			expect(run.error?.message).toBe(
				`Sync stopped before writing anything: it would remove 2 of the 3 records in scope of object "${PRODUCTS}" (66.7%), more than Max Share Removed allows 50%`,
			);
			expect(writes()).toEqual([]);
			expect(stored().size).toBe(4);
		});

		it('an item that failed preparation means nothing is removed', async () => {
			const [, gone] = seedRegions();
			const run = await runSync(apaas.emulator, syncParameters('code', mirrorParameters('EMEA')), [
				{ code: 'E-1', region: 'EMEA', name: 'changed' },
				{ code: null, region: 'EMEA', name: 'no key' },
			]);

			expect(run.status).toBe('success');
			expect(jsonOf(run).map((json) => json.sync)).toEqual(['updated']);
			expect(jsonOf(run, 1)).toEqual([]);
			expect(run.outputs[2].map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
			expect(stored().has(gone)).toBe(true);
			expect(writes().filter((request) => request.method === 'DELETE')).toEqual([]);
			expect(hintsOf(run).some((hint) => hint.startsWith('No record was removed: 1 item could not be synced'))).toBe(true);
		});

		it('needs a Scope, and refuses one of more than 10 conditions, before anything is read', async () => {
			seedRegions();
			apaas.emulator.server.reset();
			const none = await runSync(apaas.emulator, syncParameters('code', { removeMissing: true }), [{ code: 'E-1' }]);
			expect(none.error?.message).toBe('Enter the Scope of the records to remove');
			const conditions = Array.from({ length: 11 }, () => ({ field: 'region', operator: 'equal', value: 'EMEA' }));
			const many = await runSync(apaas.emulator, syncParameters('code', { removeMissing: true, scope: { conditions } }), [{ code: 'E-1' }]);
			expect(many.error?.message).toBe('At most 10 conditions are allowed in Scope, got 11');
			expect(queries(apaas.emulator)).toEqual([]);
			expect(writes()).toEqual([]);
		});

		it('Scope conditions combine as Get Many\'s do: any may match (OR)', async () => {
			const [, , , apac] = seedRegions();
			const scope = {
				conditions: [
					{ field: 'region', operator: 'equal', value: 'EMEA' },
					{ field: 'region', operator: 'equal', value: 'APAC' },
				],
			};
			const run = await runSync(
				apaas.emulator,
				syncParameters('code', { removeMissing: true, scope, combineScope: 'or', maxRemovedShare: 100 }),
				[{ code: 'E-1' }],
			);
			expect(jsonOf(run, 1).map((json) => json.code).sort()).toEqual(['A-1', 'E-2', 'E-3']);
			expect(stored().has(apac)).toBe(false);
		});
	});

	describe('Dry Run', () => {
		it('sends no write; its preview is what the real run then does: the same actions, records and removals', async () => {
			seed([
				{ code: 'E-1', region: 'EMEA', name: 'same' },
				{ code: 'E-2', region: 'EMEA', name: 'old' },
				{ code: 'E-3', region: 'EMEA', name: 'gone' },
				{ code: 'E-5', region: 'EMEA', name: 'kept' },
			]);
			const items = [
				{ code: 'E-1', region: 'EMEA', name: 'same' },
				{ code: 'E-2', region: 'EMEA', name: 'new name' },
				{ code: 'E-4', region: 'EMEA', name: 'created' },
				{ code: 'E-5', region: 'EMEA', name: 'kept' },
			];
			const parameters = (dryRun: boolean): INodeParameters => syncParameters('code', { ...mirrorParameters('EMEA'), options: { dryRun } });
			const before = revisions(apaas.emulator);
			apaas.emulator.server.reset();

			const dry = await runSync(apaas.emulator, parameters(true), items);
			expect(dry.error).toBeUndefined();
			expect(writes()).toEqual([]);
			expect(revisions(apaas.emulator)).toEqual(before);
			const preview = jsonOf(dry);
			expect(preview.map((json) => json.action)).toEqual(['none', 'update', 'create', 'none']);
			expect(preview[1]).toMatchObject({
				dryRun: true,
				action: 'update',
				batch: 1,
				request: `PATCH /open-apis/apaas/v1/applications/${NS}/objects/${PRODUCTS}/records/batch_update`,
				changes: { name: { old: 'old', new: 'new name' } },
			});
			expect(jsonOf(dry, 1).map((json) => json.action)).toEqual(['delete']);
			expect(hintsOf(dry)).toContainEqual(expect.stringContaining('Dry run: nothing was written. Sync would create 1, update 1, leave 2 unchanged and remove 1, in 3 requests'));

			apaas.emulator.server.reset();
			const real = await runSync(apaas.emulator, parameters(false), items);
			const actionOf: Record<string, string> = { created: 'create', updated: 'update', unchanged: 'none' };
			expect(jsonOf(real).map((json) => actionOf[json.sync as string])).toEqual(preview.map((json) => json.action));
			const sent = writes().map((request) => (request.method === 'DELETE' ? (request.body as { ids: string[] }).ids : sentRecords(request.body)));
			expect(sent).toEqual([[preview[1].record], [preview[2].record], [jsonOf(dry, 1)[0].record]]);
			expect(jsonOf(real, 1).map((json) => json._id)).toEqual([jsonOf(dry, 1)[0].record]);
		});
	});
});
