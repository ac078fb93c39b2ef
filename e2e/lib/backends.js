'use strict';
/**
 * Embedded backends: the three service emulators (test/emulators/*) running in THIS process, seeded
 * with realistic sample data, plus n8n credentials that point at them. Used by `npm run demo`, the
 * e2e tests and the browser test. Everything listens on 127.0.0.1 only.
 *
 *   npm run build:emulators        # compiles test/emulators/** to e2e/.build (tsconfig.emulators.json)
 *
 *   const { startBackends } = require('./lib/backends');
 *   const backends = await startBackends({ ports: { kintone: 0 }, latencyMs: 0 });
 *   await n8n.importCredentials(userFolder, backends.credentials);
 *   ...
 *   await backends.close();
 *
 * startBackends({ ports?: {kintone?, apaas?, dataTable?}, latencyMs?, emulators?: {kintone?, apaas?, dataTable?} })
 * (`emulators`: more options for each emulator's start, e.g. `{apaas: {strictRateLimits: true}}`) resolves with:
 *   kintone     KintoneEmulator (test/emulators/kintone): `.url`, `.server.requests`, `.records(app)` ...
 *   apaas       FeishuApaasEmulator (test/emulators/feishuApaas): `.url`, `.records(namespace, object)` ...
 *   dataTable   FeishuDataTableEmulator (test/emulators/feishuDataTable, PGlite): `.url`, `.rows(ws, table)` ...
 *   seed        what was seeded (see SEED below plus the kintone sample app's ids and tokens)
 *   credentials [{id, name, type, data}] for `n8n import:credentials` (ids/names in CREDENTIALS below,
 *               the ones the example workflows in examples/ reference)
 *   requestCounts()             {kintone, apaas, dataTable, total}: requests each emulator received so far
 *   snapshot()                  async; the state of every seeded app/object/table
 *   recordsWrittenSince(snap)   async; {kintone, apaas, dataTable, total}: records created, changed or
 *                               deleted since `snap`, read from the emulators' state (not from the requests)
 *   close()                     stops the three emulators (and PGlite)
 *
 * Seeded data:
 *   kintone     the sample app "案件管理" (app 2; CJK field codes such as 單行文字方塊_0, 数量, 優先度, 備考;
 *               unique update key `code`) with 20 projects PRJ-0001..PRJ-0020, and its lookup source
 *               "顧客マスタ" (app 1); "請求書" (app 3, unique `invoice_no`, attachment field 請求書PDF).
 *               API tokens of the three apps in the credential.
 *   apaas       namespace `ops_demo__c`, object `sales_order__c` with Chinese labels (订单编号, 客户名称,
 *               金额, 状态, 城市, 已付款, 交付日期), 30 orders, 12 of them in status 待确认.
 *   dataTable   workspace `workspace_demo01`, table `inventory` (unique key (warehouse, sku)) with 10
 *               rows, and table `price_list` (unique `sku`).
 *
 * Requires the compiled emulators (`npm run build:emulators`; `npm run demo` and `npm run test:e2e` do it).
 * Runs under Node 20 or 24.
 */
const fs = require('node:fs');
const path = require('node:path');

const BUILD_DIR = path.resolve(__dirname, '..', '.build', 'test', 'emulators');

/** Fixed credential ids and names: the example workflows reference these. */
const CREDENTIALS = {
	kintone: { id: 'bulkDemoKintone1', name: 'Kintone (demo emulator)', type: 'kintoneApi' },
	apaas: { id: 'bulkDemoApaas001', name: 'Feishu aPaaS (demo emulator)', type: 'feishuApaasApi' },
	dataTable: { id: 'bulkDemoDataTbl1', name: 'Feishu Data Table (demo emulator)', type: 'feishuDataTableOAuth2Api' },
};

const SEED = {
	apaas: { namespace: 'ops_demo__c', object: 'sales_order__c' },
	dataTable: { workspace: 'workspace_demo01', inventory: 'inventory', priceList: 'price_list' },
};

function loadEmulator(name) {
	const file = path.join(BUILD_DIR, name, 'index.js');
	if (!fs.existsSync(file)) {
		throw new Error(`Emulators are not compiled (${path.relative(process.cwd(), file)} missing). Run: npm run build:emulators`);
	}
	return require(file);
}

const CITIES = ['上海', '北京', '深圳', '杭州', '成都', '广州'];
const CUSTOMERS = ['华东贸易有限公司', '北京星河科技', '深圳前海物流', '杭州云栖数据', '成都天府食品', '广州南方电子'];

function seedKintone(emulator) {
	const { createSampleApp } = loadEmulator('kintone');
	const sample = createSampleApp(emulator);
	const F = sample.fields;
	const priorities = ['高', '中', '低'];
	emulator.seedRecords(
		sample.app,
		Array.from({ length: 20 }, (_, i) => ({
			[F.code]: { value: `PRJ-${String(i + 1).padStart(4, '0')}` },
			[F.text]: { value: `案件 ${i + 1}` },
			[F.quantity]: { value: String(10 + i) },
			[F.price]: { value: String(1200 + i * 50) },
			[F.dropDown]: { value: priorities[i % 3] },
			[F.customerCode]: { value: `C00${(i % 3) + 1}` },
		})),
	);
	// Invoices with an attachment field, for the example that reads PDF files and attaches them.
	const invoicesApp = emulator.addApp({
		name: '請求書',
		fields: {
			レコード番号: { type: 'RECORD_NUMBER' },
			invoice_no: { type: 'SINGLE_LINE_TEXT', label: '請求書番号', unique: true, required: true },
			取引先: { type: 'SINGLE_LINE_TEXT' },
			請求書PDF: { type: 'FILE' },
		},
	});
	const invoicesToken = `invoices-token-${invoicesApp}`;
	emulator.addApiToken(invoicesToken, [invoicesApp]);
	return { ...sample, invoicesApp, tokens: `${sample.tokens},${invoicesToken}` };
}

function seedApaas(emulator) {
	const { namespace, object } = SEED.apaas;
	emulator.defineObject(namespace, object, [
		{ api_name: 'order_no', type: 'text', label: { zh_cn: '订单编号', en_us: 'Order No.' } },
		{ api_name: 'customer', type: 'text', label: { zh_cn: '客户名称', en_us: 'Customer' } },
		{ api_name: 'amount', type: 'decimal', label: { zh_cn: '金额', en_us: 'Amount' } },
		{ api_name: 'status', type: 'option', label: { zh_cn: '状态', en_us: 'Status' } },
		{ api_name: 'city', type: 'text', label: '城市' },
		{ api_name: 'paid', type: 'boolean', label: '已付款' },
		{ api_name: 'delivery_date', type: 'date', label: '交付日期' },
		{ api_name: 'serial', type: 'autoNumber', label: '流水号' },
	]);
	emulator.seedRecords(
		namespace,
		object,
		Array.from({ length: 30 }, (_, i) => ({
			order_no: `SO-2024${String(i + 1).padStart(4, '0')}`,
			customer: CUSTOMERS[i % CUSTOMERS.length],
			amount: String(1000 + i * 137.5),
			status: i % 5 < 2 ? '待确认' : '已发货',
			city: CITIES[i % CITIES.length],
			paid: i % 3 === 0,
			delivery_date: `2024-07-${String((i % 28) + 1).padStart(2, '0')}`,
		})),
	);
}

async function seedDataTable(emulator) {
	const { workspace, inventory, priceList } = SEED.dataTable;
	await emulator.createWorkspace(workspace);
	await emulator.createTable(workspace, {
		name: inventory,
		description: '库存 Inventory per warehouse',
		columns: [
			{ name: 'warehouse', data_type: 'varchar', is_allow_null: false, description: '仓库' },
			{ name: 'sku', data_type: 'varchar', is_allow_null: false, description: 'SKU' },
			{ name: 'product_name', data_type: 'varchar', description: '商品名称' },
			{ name: 'qty', data_type: 'int4', default_value: '0', is_allow_null: false, description: '数量' },
			{ name: 'unit_price', data_type: 'numeric', description: '单价' },
			{ name: 'status', data_type: 'varchar', default_value: "'active'", description: '状态' },
			{ name: 'updated_by', data_type: 'varchar', description: '更新人' },
		],
		uniqueConstraints: [['warehouse', 'sku']],
	});
	await emulator.createTable(workspace, {
		name: priceList,
		description: '价目表 Price list',
		columns: [
			{ name: 'sku', data_type: 'varchar', is_unique: true, is_allow_null: false },
			{ name: 'price', data_type: 'numeric' },
			{ name: 'currency', data_type: 'varchar', default_value: "'CNY'" },
		],
	});
	const products = ['无线鼠标', '机械键盘', '显示器支架', 'USB-C 扩展坞', '降噪耳机'];
	await emulator.insertRows(
		workspace,
		inventory,
		Array.from({ length: 10 }, (_, i) => ({
			warehouse: i < 5 ? 'SH-01' : 'BJ-02',
			sku: `SKU-${1001 + (i % 5)}`,
			product_name: products[i % 5],
			qty: 50 + i * 5,
			unit_price: 99 + (i % 5) * 40,
			updated_by: 'seed',
		})),
	);
}

function credentialsFor(kintone, sample, apaas, dataTable) {
	return [
		{
			...CREDENTIALS.kintone,
			data: { domain: 'custom', baseUrl: kintone.url, authentication: 'apiToken', apiToken: sample.tokens },
		},
		{
			...CREDENTIALS.apaas,
			data: { platform: 'custom', baseUrl: apaas.url, appId: apaas.appId, appSecret: apaas.appSecret },
		},
		{
			...CREDENTIALS.dataTable,
			data: {
				platform: 'custom',
				baseUrl: dataTable.url,
				clientId: dataTable.clientId,
				clientSecret: dataTable.clientSecret,
				// With the SQL scope, so that Create or Update offers the inventory's key warehouse + sku.
				compositeKeys: true,
				// As if the user had clicked "Connect" (the browser test does the real flow).
				oauthTokenData: {
					...dataTable.issueUserToken('offline_access app_engine:workspace.sql_commands:write'),
					token_type: 'Bearer',
				},
			},
		},
	];
}

/**
 * Starts the three emulators on 127.0.0.1, seeds them and builds the n8n credentials.
 * @param {{ports?: {kintone?: number, apaas?: number, dataTable?: number}, latencyMs?: number, emulators?: {kintone?: object, apaas?: object, dataTable?: object}}} [options]
 */
async function startBackends(options = {}) {
	const ports = options.ports || {};
	const latencyMs = options.latencyMs || 0;
	const more = options.emulators || {};
	const { startKintoneEmulator } = loadEmulator('kintone');
	const { startFeishuApaasEmulator } = loadEmulator('feishuApaas');
	const { startFeishuDataTableEmulator } = loadEmulator('feishuDataTable');

	const started = [];
	try {
		const kintone = await startKintoneEmulator({ port: ports.kintone, latencyMs, ...more.kintone });
		started.push(kintone);
		const apaas = await startFeishuApaasEmulator({ port: ports.apaas, latencyMs, ...more.apaas });
		started.push(apaas);
		const dataTable = await startFeishuDataTableEmulator({ port: ports.dataTable, latencyMs, ...more.dataTable });
		started.push(dataTable);

		const sample = seedKintone(kintone);
		seedApaas(apaas);
		await seedDataTable(dataTable);

		const seed = {
			kintone: { app: sample.app, customersApp: sample.customersApp, invoicesApp: sample.invoicesApp, fields: sample.fields },
			apaas: { ...SEED.apaas },
			dataTable: { ...SEED.dataTable },
		};

		const requestCounts = () => {
			const counts = {
				kintone: kintone.server.requests.length,
				apaas: apaas.server.requests.length,
				dataTable: dataTable.server.requests.length,
			};
			return { ...counts, total: counts.kintone + counts.apaas + counts.dataTable };
		};

		/** Per backend: record key -> version marker. */
		const snapshot = async () => {
			const kintoneState = new Map();
			for (const app of [sample.app, sample.customersApp, sample.invoicesApp]) {
				for (const r of kintone.records(app)) kintoneState.set(`${app}/${r.id}`, r.revision);
			}
			const apaasState = new Map();
			for (const r of apaas.records(SEED.apaas.namespace, SEED.apaas.object).values()) apaasState.set(r._id, r.writes);
			const dataTableState = new Map();
			for (const table of [SEED.dataTable.inventory, SEED.dataTable.priceList]) {
				for (const row of await dataTable.rows(SEED.dataTable.workspace, table)) {
					dataTableState.set(`${table}/${row._id}`, JSON.stringify(row));
				}
			}
			return { kintone: kintoneState, apaas: apaasState, dataTable: dataTableState };
		};

		const recordsWrittenSince = async (before) => {
			const now = await snapshot();
			const changed = (a, b) => {
				let n = 0;
				for (const [key, version] of b) if (a.get(key) !== version) n++; // created or changed
				for (const key of a.keys()) if (!b.has(key)) n++; // deleted
				return n;
			};
			const counts = {
				kintone: changed(before.kintone, now.kintone),
				apaas: changed(before.apaas, now.apaas),
				dataTable: changed(before.dataTable, now.dataTable),
			};
			return { ...counts, total: counts.kintone + counts.apaas + counts.dataTable };
		};

		return {
			kintone,
			apaas,
			dataTable,
			seed,
			credentials: credentialsFor(kintone, sample, apaas, dataTable),
			requestCounts,
			snapshot,
			recordsWrittenSince,
			close: async () => {
				await Promise.allSettled(started.map((e) => e.close()));
			},
		};
	} catch (error) {
		await Promise.allSettled(started.map((e) => e.close()));
		throw error;
	}
}

module.exports = { startBackends, CREDENTIALS, SEED, BUILD_DIR };
