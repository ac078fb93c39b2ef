import type { IDataObject, INodeListSearchResult, INodePropertyOptions, ResourceMapperFields } from 'n8n-workflow';

import { callNodeMethod } from '../harness/loadOptions';
import {
	columns,
	environment,
	F,
	requestsTo,
	runKintone,
	sampleRecord,
	tokenCredential,
	useKintoneEmulator,
	valueOf,
} from './setup';

describe('Kintone node: field mapping, app list and auto-map', () => {
	const kintone = useKintoneEmulator();

	const call = async <T>(kind: 'resourceMapping' | 'listSearch' | 'loadOptions', name: string, operation: string, ...args: unknown[]) =>
		await callNodeMethod<T>(
			environment(tokenCredential(kintone.emulator, kintone.sample)),
			{
				type: 'kintone',
				parameters: { resource: 'record', operation, app: { __rl: true, mode: 'list', value: String(kintone.sample.app) } },
				credentialTypes: ['kintoneApi'],
			},
			kind,
			name,
			...args,
		);

	/** Updates the records by $id with auto-map, and returns the entries of the (single) PUT request. */
	const updateAutoMapped = async (items: IDataObject[]) => {
		const result = await runKintone(
			kintone.emulator,
			kintone.sample,
			{ operation: 'update', columns: columns(null, { mappingMode: 'autoMapInputData', matchingColumns: ['$id'] }) },
			items,
		);
		expect(result.error).toBeUndefined();
		const [put] = requestsTo(kintone.emulator, 'PUT', 'records');
		return (put.body as { records: Array<{ id: string; record: Record<string, unknown> }> }).records;
	};

	it('lists the writable fields of the app with n8n types and the fields that can match records', async () => {
		const { fields } = await call<ResourceMapperFields>('resourceMapping', 'getMappingFields', 'update');
		const byId = Object.fromEntries(fields.map((field) => [field.id, field]));

		expect(fields.map((field) => field.id)).toEqual([
			'$id',
			F.code,
			F.serial,
			F.text,
			F.text2,
			F.note,
			F.quantity,
			F.price,
			F.checkBox,
			F.multiSelect,
			F.dropDown,
			F.radio,
			F.date,
			F.dateTime,
			F.time,
			F.user,
			F.organization,
			F.link,
			F.table,
			F.customerCode,
		]);
		// Matching: the record ID and the unique Text and Number fields, nothing else.
		expect(fields.filter((field) => field.canBeUsedToMatch).map((field) => field.id)).toEqual(['$id', F.code, F.serial]);
		expect(byId.$id).toMatchObject({ defaultMatch: true, displayName: 'Record ID ($id)' });
		expect(byId[F.code]).toMatchObject({ displayName: 'Code (code)', type: 'string', required: false });
		expect(Object.fromEntries(fields.map((field) => [field.id, field.type]))).toMatchObject({
			[F.serial]: 'number',
			[F.quantity]: 'number',
			[F.checkBox]: 'array',
			[F.dropDown]: 'options',
			[F.date]: 'dateTime',
			[F.dateTime]: 'dateTime',
			[F.time]: 'time',
			[F.user]: 'array',
			[F.table]: 'array',
		});
		expect(byId[F.dropDown].options).toEqual([
			{ name: '高', value: '高' },
			{ name: '中', value: '中' },
			{ name: '低', value: '低' },
		]);
	});

	it('offers creator and time fields and marks required fields only when creating', async () => {
		const { fields } = await call<ResourceMapperFields>('resourceMapping', 'getMappingFields', 'create');
		const ids = fields.map((field) => field.id);

		expect(ids).not.toContain('$id');
		expect(ids).toEqual(expect.arrayContaining([F.creator, F.modifier, F.createdTime, F.updatedTime]));
		for (const hidden of [F.recordNumber, F.status, F.assignee, F.category, F.amount, F.tableTotal, F.customerName]) {
			expect(ids).not.toContain(hidden);
		}
		expect(fields.filter((field) => field.required).map((field) => field.id)).toEqual([F.code]);
		expect(fields.some((field) => field.canBeUsedToMatch)).toBe(false);
	});

	it('lists the apps the credential can use, filtered by name', async () => {
		const all = await call<INodeListSearchResult>('listSearch', 'searchApps', 'update');
		expect(all.results.map((app) => app.value)).toEqual([String(kintone.sample.customersApp), String(kintone.sample.app)]);
		expect(all.results[1]).toEqual({
			name: `案件管理 (${kintone.sample.app})`,
			value: String(kintone.sample.app),
			url: `${kintone.emulator.url}/k/${kintone.sample.app}/`,
		});

		const filtered = await call<INodeListSearchResult>('listSearch', 'searchApps', 'update', '顧客');
		expect(filtered.results.map((app) => app.name)).toEqual([`顧客マスタ (${kintone.sample.customersApp})`]);
	});

	it('lists every readable field for Get Many', async () => {
		const options = await call<INodePropertyOptions[]>('loadOptions', 'getReadableFields', 'getAll');
		const values = options.map((option) => option.value);
		expect(values.slice(0, 2)).toEqual(['$id', '$revision']);
		expect(values).toEqual(expect.arrayContaining([F.amount, F.status, F.table, F.customerName, F.recordNumber]));
	});

	it('auto-maps input items: Get Many output, changed, goes back by $id; other keys are ignored', async () => {
		const row = { value: { [F.tableItem]: { value: 'ねじ' }, [F.tableQuantity]: { value: '2' } } };
		const ids = kintone.emulator.seedRecords(kintone.sample.app, [sampleRecord(1, { [F.table]: [row] }), sampleRecord(2)]);
		const rowId = (kintone.emulator.record(kintone.sample.app, ids[0])!.record[F.table].value as Array<{ id: string }>)[0].id;
		const read = await runKintone(kintone.emulator, kintone.sample, { operation: 'getAll', query: 'order by $id asc' }, [{}]);
		const items = read.outputs[0].map((item) => ({
			...item.json,
			[F.text]: `${item.json[F.text] as string} (auto)`,
			[F.checkBox]: 'B',
			unrelated: 'not a field',
			// Names of inherited object properties are not fields either.
			constructor: 'not a field',
			toString: 'not a field',
		}));
		kintone.emulator.server.reset();

		const [first] = await updateAutoMapped(items);
		expect(first.id).toBe(ids[0]);
		// Only writable fields of the app: no $revision, record number, creator, CALC, lookup copy or unknown keys.
		for (const skipped of ['$id', '$revision', F.recordNumber, F.creator, F.createdTime, F.amount, F.customerName, F.status, 'unrelated', 'constructor', 'toString']) {
			expect(Object.keys(first.record)).not.toContain(skipped);
		}
		expect(first.record[F.checkBox]).toEqual({ value: ['B'] });
		// Table rows keep their IDs (so kintone keeps the rows) and drop the calculated column.
		expect(first.record[F.table]).toEqual({
			value: [{ id: rowId, value: { [F.tableItem]: { value: 'ねじ' }, [F.tableQuantity]: { value: '2' } } }],
		});
		expect((kintone.emulator.record(kintone.sample.app, ids[0])!.record[F.table].value as Array<{ id: string }>)[0].id).toBe(rowId);
		expect(valueOf(kintone.emulator, kintone.sample, ids[0], F.text)).toBe('original 1 (auto)');
		expect(valueOf(kintone.emulator, kintone.sample, ids[1], F.checkBox)).toEqual(['B']);
	});

	it('auto-map: a field that one item has and the next item lacks is left as it is in the next record', async () => {
		const ids = kintone.emulator.seedRecords(kintone.sample.app, [sampleRecord(0), sampleRecord(1), sampleRecord(2)]);
		const items = [
			{ $id: ids[0], [F.text]: 'changed 0', [F.note]: 'note 0' },
			{ $id: ids[1], [F.note]: 'note 1' },
			{ $id: ids[2], [F.text]: null, [F.note]: 'note 2' },
		];

		const sent = (await updateAutoMapped(items)).map((entry) => entry.record);
		expect(sent).toEqual([
			{ [F.text]: { value: 'changed 0' }, [F.note]: { value: 'note 0' } },
			{ [F.note]: { value: 'note 1' } },
			{ [F.note]: { value: 'note 2' } },
		]);
		expect(Object.keys(sent[1])).toEqual([F.note]);
		expect([0, 1, 2].map((index) => valueOf(kintone.emulator, kintone.sample, ids[index], F.text))).toEqual([
			'changed 0',
			'original 1',
			'original 2',
		]);
	});
});
