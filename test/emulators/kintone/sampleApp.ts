import type { KintoneEmulator } from './index';
import type { FieldDef, ProcessDef } from './types';

/** Field codes of the sample app (CJK codes as real kintone apps have them). */
export const SAMPLE_FIELDS = {
	recordNumber: 'レコード番号',
	creator: '作成者',
	modifier: '更新者',
	createdTime: '作成日時',
	updatedTime: '更新日時',
	status: 'ステータス',
	assignee: '作業者',
	category: 'カテゴリー',
	/** SINGLE_LINE_TEXT, unique, required: the usual update key. */
	code: 'code',
	/** NUMBER, unique: an update key of the other allowed type. */
	serial: '管理番号',
	text: '單行文字方塊_0',
	text2: '單行文字方塊_1',
	note: '備考',
	quantity: '数量',
	price: '単価',
	/** CALC: 数量 * 単価 (not writable). */
	amount: '金額',
	checkBox: 'チェックボックス',
	multiSelect: '複数選択',
	dropDown: '優先度',
	radio: 'ラジオボタン',
	date: '日付',
	dateTime: '日時',
	time: '時刻',
	user: '担当者',
	organization: '組織',
	link: 'リンク',
	/** SUBTABLE with 品名 (text), 個数 (number) and 小計 (CALC). */
	table: '明細',
	tableItem: '品名',
	tableQuantity: '個数',
	tableSubtotal: '小計',
	/** CALC: SUM(個数). */
	tableTotal: '合計個数',
	/** Lookup key (SINGLE_LINE_TEXT) into the customers app. */
	customerCode: '顧客コード',
	/** Lookup copy destination (not writable). */
	customerName: '顧客名',
} as const;

/**
 * The sample app's process management: 未処理 -(処理開始)-> 処理中 -(完了する)-> 完了, and 差し戻す
 * back from 処理中. 処理中's assignee is chosen from sato and suzuki (the action needs `assignee`).
 */
export const SAMPLE_PROCESS: ProcessDef = {
	enable: true,
	states: [
		{ name: '未処理', index: 0 },
		{ name: '処理中', index: 1, assignee: { type: 'ONE', entities: ['sato', 'suzuki'] } },
		{ name: '完了', index: 2 },
	],
	actions: [
		{ name: '処理開始', from: '未処理', to: '処理中' },
		{ name: '完了する', from: '処理中', to: '完了' },
		{ name: '差し戻す', from: '処理中', to: '未処理' },
	],
};

/** Field codes of the lookup source app. */
export const CUSTOMER_FIELDS = { code: '顧客番号', name: '会社名' } as const;

const options = (...names: string[]) =>
	Object.fromEntries(names.map((name, index) => [name, { label: name, index: String(index) }]));

const F = SAMPLE_FIELDS;

/** The sample app's form, as `/k/v1/app/form/fields.json` would return it (before defaults are filled). */
export function sampleForm(customersApp: number): Record<string, FieldDef> {
	return {
		[F.recordNumber]: { type: 'RECORD_NUMBER', label: 'レコード番号' },
		[F.creator]: { type: 'CREATOR', label: '作成者' },
		[F.modifier]: { type: 'MODIFIER', label: '更新者' },
		[F.createdTime]: { type: 'CREATED_TIME', label: '作成日時' },
		[F.updatedTime]: { type: 'UPDATED_TIME', label: '更新日時' },
		[F.status]: {
			type: 'STATUS',
			label: 'ステータス',
			enabled: true,
			states: { 未処理: { name: '未処理', index: '0' }, 処理中: { name: '処理中', index: '1' }, 完了: { name: '完了', index: '2' } },
		},
		[F.assignee]: { type: 'STATUS_ASSIGNEE', label: '作業者', enabled: true },
		[F.category]: { type: 'CATEGORY', label: 'カテゴリー', enabled: false },
		[F.code]: { type: 'SINGLE_LINE_TEXT', label: 'Code', required: true, unique: true, maxLength: '64', minLength: '' },
		[F.serial]: { type: 'NUMBER', label: '管理番号', unique: true, minValue: '', maxValue: '' },
		[F.text]: { type: 'SINGLE_LINE_TEXT', label: '單行文字方塊', maxLength: '', minLength: '' },
		[F.text2]: { type: 'SINGLE_LINE_TEXT', label: '單行文字方塊 2', maxLength: '', minLength: '' },
		[F.note]: { type: 'MULTI_LINE_TEXT', label: '備考' },
		[F.quantity]: { type: 'NUMBER', label: '数量', minValue: '0', maxValue: '' },
		[F.price]: { type: 'NUMBER', label: '単価', minValue: '', maxValue: '' },
		[F.amount]: { type: 'CALC', label: '金額', expression: `${F.quantity} * ${F.price}`, format: 'NUMBER' },
		[F.checkBox]: { type: 'CHECK_BOX', label: 'チェックボックス', options: options('A', 'B', 'C'), defaultValue: [] },
		[F.multiSelect]: { type: 'MULTI_SELECT', label: '複数選択', options: options('赤', '青', '緑'), defaultValue: [] },
		[F.dropDown]: { type: 'DROP_DOWN', label: '優先度', options: options('高', '中', '低'), defaultValue: '' },
		[F.radio]: { type: 'RADIO_BUTTON', label: 'ラジオボタン', options: options('はい', 'いいえ'), defaultValue: 'はい' },
		[F.date]: { type: 'DATE', label: '日付' },
		[F.dateTime]: { type: 'DATETIME', label: '日時' },
		[F.time]: { type: 'TIME', label: '時刻' },
		[F.user]: { type: 'USER_SELECT', label: '担当者' },
		[F.organization]: { type: 'ORGANIZATION_SELECT', label: '組織' },
		[F.link]: { type: 'LINK', label: 'リンク', protocol: 'WEB' },
		[F.table]: {
			type: 'SUBTABLE',
			label: '明細',
			fields: {
				[F.tableItem]: { type: 'SINGLE_LINE_TEXT', label: '品名' },
				[F.tableQuantity]: { type: 'NUMBER', label: '個数' },
				[F.tableSubtotal]: { type: 'CALC', label: '小計', expression: `${F.tableQuantity} * ${F.price}`, format: 'NUMBER' },
			},
		},
		[F.tableTotal]: { type: 'CALC', label: '合計個数', expression: `SUM(${F.tableQuantity})`, format: 'NUMBER' },
		[F.customerCode]: {
			type: 'SINGLE_LINE_TEXT',
			label: '顧客コード',
			lookup: {
				relatedApp: { app: String(customersApp), code: '' },
				relatedKeyField: CUSTOMER_FIELDS.code,
				fieldMappings: [{ field: F.customerName, relatedField: CUSTOMER_FIELDS.name }],
				lookupPickerFields: [CUSTOMER_FIELDS.code, CUSTOMER_FIELDS.name],
				filterCond: '',
				sort: 'レコード番号 desc',
			},
		},
		[F.customerName]: { type: 'SINGLE_LINE_TEXT', label: '顧客名' },
	};
}

export interface SampleApp {
	/** The sample app (all field types above). */
	app: number;
	/** API token of the sample app. Lookups also need `customersToken` (kintone wants a token per app involved). */
	token: string;
	/** The lookup source app (顧客マスタ), seeded with customers C001..C003 (kept on `reset()`). */
	customersApp: number;
	customersToken: string;
	/** Both tokens, comma-separated, as a credential would hold them. */
	tokens: string;
	fields: typeof SAMPLE_FIELDS;
}

/**
 * Creates the sample app and its lookup source on an emulator, registers one API token for each,
 * and adds users `sato` and `suzuki` (passwords `sato-pass`, `suzuki-pass`) for USER_SELECT values
 * and password authentication. The sample app has `SAMPLE_PROCESS` (records start 未処理, no assignee).
 */
export function createSampleApp(
	emulator: KintoneEmulator,
	options: { name?: string; guestSpaceId?: number; token?: string } = {},
): SampleApp {
	const customersApp = emulator.addApp({
		name: '顧客マスタ',
		guestSpaceId: options.guestSpaceId,
		fields: {
			レコード番号: { type: 'RECORD_NUMBER' },
			[CUSTOMER_FIELDS.code]: { type: 'SINGLE_LINE_TEXT', unique: true, required: true },
			[CUSTOMER_FIELDS.name]: { type: 'SINGLE_LINE_TEXT' },
		},
	});
	const app = emulator.addApp({
		name: options.name ?? '案件管理',
		guestSpaceId: options.guestSpaceId,
		fields: sampleForm(customersApp),
		process: SAMPLE_PROCESS,
	});
	const token = options.token ?? `sample-token-${app}`;
	const customersToken = `customers-token-${customersApp}`;
	emulator.addApiToken(token, [app]);
	emulator.addApiToken(customersToken, [customersApp]);
	emulator.addUser({ code: 'sato', name: '佐藤 昇', password: 'sato-pass' });
	emulator.addUser({ code: 'suzuki', name: '鈴木 花子', password: 'suzuki-pass' });
	emulator.seedRecords(
		customersApp,
		[
			{ [CUSTOMER_FIELDS.code]: { value: 'C001' }, [CUSTOMER_FIELDS.name]: { value: 'サイボウズ株式会社' } },
			{ [CUSTOMER_FIELDS.code]: { value: 'C002' }, [CUSTOMER_FIELDS.name]: { value: '株式会社ジャスミン' } },
			{ [CUSTOMER_FIELDS.code]: { value: 'C003' }, [CUSTOMER_FIELDS.name]: { value: '台灣資訊有限公司' } },
		],
		{ keepOnReset: true },
	);
	return { app, token, customersApp, customersToken, tokens: `${token},${customersToken}`, fields: SAMPLE_FIELDS };
}
