import type { IDataObject, INodeListSearchResult, INodePropertyOptions, ResourceMapperFields } from 'n8n-workflow';

import { createSampleApp } from '../emulators/kintone';
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
		// Update Many matches on the record ID by default: shown at once, the other fields added from the list.
		expect(fields.filter((field) => field.defaultMatch).map((field) => field.id)).toEqual(['$id']);
		expect(fields.filter((field) => !field.removed).map((field) => field.id)).toEqual(['$id']);
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

	describe('what the field list says about the app', () => {
		/** getMappingFields or getReadableFields for these parameters and credential. */
		const fieldsFor = async <T>(
			method: 'getMappingFields' | 'getReadableFields',
			parameters: { operation: string; app?: string; guestSpaceId?: string },
			credential = tokenCredential(kintone.emulator, kintone.sample),
		) =>
			await callNodeMethod<T>(
				environment(credential),
				{
					type: 'kintone',
					parameters: {
						resource: 'record',
						operation: parameters.operation,
						app: { __rl: true, mode: 'id', value: parameters.app ?? String(kintone.sample.app) },
						options: parameters.guestSpaceId ? { guestSpaceId: parameters.guestSpaceId } : {},
					},
					credentialTypes: ['kintoneApi'],
				},
				method === 'getMappingFields' ? 'resourceMapping' : 'loadOptions',
				method,
			);
		const mapping = async (parameters: Parameters<typeof fieldsFor>[1], credential?: Parameters<typeof fieldsFor>[2]) =>
			await fieldsFor<ResourceMapperFields>('getMappingFields', parameters, credential);

		it('sends nothing and lists nothing while no app is chosen', async () => {
			expect(await mapping({ operation: 'update', app: '' })).toEqual({ fields: [] });
			expect(await fieldsFor('getReadableFields', { operation: 'getAll', app: '' })).toEqual([]);
			expect(kintone.emulator.server.requests).toHaveLength(0);
		});

		it('offers the record ID only to match on: read-only as a value, and never written', async () => {
			for (const operation of ['update', 'upsert']) {
				const recordId = (await mapping({ operation })).fields.find((field) => field.id === '$id');
				expect(recordId).toMatchObject({ canBeUsedToMatch: true, readOnly: true, display: true });
			}
			expect((await mapping({ operation: 'create' })).fields.map((field) => field.id)).not.toContain('$id');
		});

		it('Create or Update matches on the first unique field, shown at once; on the record ID when the app has none', async () => {
			const { fields } = await mapping({ operation: 'upsert' });
			expect(fields.filter((field) => field.defaultMatch).map((field) => field.id)).toEqual([F.code]);
			expect(fields.filter((field) => !field.removed).map((field) => field.id)).toEqual([F.code]);
			expect(fields.filter((field) => field.canBeUsedToMatch).map((field) => field.id)).toEqual(['$id', F.code, F.serial]);

			const plain = kintone.emulator.addApp({ name: 'メモ', fields: { メモ: { type: 'MULTI_LINE_TEXT', label: 'メモ' } } });
			kintone.emulator.addApiToken('memo-token', [plain]);
			const memo = await mapping({ operation: 'upsert', app: String(plain) }, { ...tokenCredential(kintone.emulator, kintone.sample), apiToken: 'memo-token' });
			expect(memo.fields.map((field) => [field.id, field.defaultMatch, field.removed])).toEqual([
				['$id', true, false],
				['メモ', false, true],
			]);
		});

		it('says, with kintone\'s code and the fix, that the app does not exist', async () => {
			expect(await mapping({ operation: 'update', app: '9999' })).toEqual({
				fields: [],
				emptyFieldsNotice:
					'Could not read the fields of app 9999: [GAIA_AP01] The app (ID: 9999) not found. The app may have been deleted. The app ID does not exist, or the app is in a guest space (set Options &gt; Guest Space ID).',
			});
			await expect(fieldsFor('getReadableFields', { operation: 'getAll', app: '9999' })).rejects.toThrow(
				'Could not read the fields of app 9999: [GAIA_AP01] The app (ID: 9999) not found. The app may have been deleted. The app ID does not exist, or the app is in a guest space (set Options > Guest Space ID).',
			);
		});

		it('says that the app is in a guest space when the Guest Space ID is missing or wrong', async () => {
			const guest = createSampleApp(kintone.emulator, { name: 'ゲスト案件', guestSpaceId: 7 });
			const credential = { ...tokenCredential(kintone.emulator, kintone.sample), apiToken: guest.tokens };
			const expected =
				'Could not read the fields of app {app}: [GAIA_IL23] You need to send a request to the URL: "/k/guest/&lt;Space ID&gt;/v1/..." to execute apps in Guest Spaces. This app is in a guest space: set Options &gt; Guest Space ID to the space\'s ID.';
			for (const guestSpaceId of [undefined, '8']) {
				expect(await mapping({ operation: 'create', app: String(guest.app), guestSpaceId }, credential)).toEqual({
					fields: [],
					emptyFieldsNotice: expected.replace('{app}', String(guest.app)),
				});
			}
			const right = await mapping({ operation: 'create', app: String(guest.app), guestSpaceId: '7' }, credential);
			expect(right.fields.map((field) => field.id)).toContain(F.code);
		});

		it('says that the credential was refused, and what to check', async () => {
			const wrongToken = { ...tokenCredential(kintone.emulator, kintone.sample), apiToken: 'not-a-token' };
			const { fields, emptyFieldsNotice } = await mapping({ operation: 'update' }, wrongToken);
			expect(fields).toEqual([]);
			expect(emptyFieldsNotice).toBe(
				`Could not read the fields of app ${kintone.sample.app}: [GAIA_IA02] The specified API token does not match the API token generated via an app. Check the API token in the credential: it must be generated in the app (kintone app settings &gt; API Token) and have the permissions the operations need. For several apps, enter one token per app, comma-separated (up to 9).`,
			);
			expect(emptyFieldsNotice).not.toContain('not-a-token');

			const noToken = await mapping({ operation: 'update' }, { ...wrongToken, apiToken: '' });
			expect(noToken.emptyFieldsNotice).toContain('Enter an API token in the Kintone credential');
		});

		it('says when the app has no field the operation can write', async () => {
			const computed = kintone.emulator.addApp({
				name: '集計',
				fields: { 番号: { type: 'RECORD_NUMBER', label: '番号' }, 合計: { type: 'CALC', label: '合計', expression: '1+1' } },
			});
			kintone.emulator.addApiToken('computed-token', [computed]);
			const credential = { ...tokenCredential(kintone.emulator, kintone.sample), apiToken: 'computed-token' };
			for (const operation of ['create', 'update']) {
				expect(await mapping({ operation, app: String(computed) }, credential)).toEqual({
					fields: [],
					emptyFieldsNotice: `App ${computed} has no field this operation can write: kintone fills or calculates all of them itself. Choose another app, or add fields to its form in kintone.`,
				});
			}
		});
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
