'use strict';
/**
 * Every example workflow of examples/ in a real n8n 2.41.1 with the packed package installed, against
 * the embedded emulators (e2e/lib/backends.js): each runs with `n8n execute`; the run data must show
 * one output item per input item with its pairedItem, and the emulators' state the records written.
 *
 *   npm run test:e2e                     (builds the emulators, installs n8n when missing)
 *   node --test e2e/examples.test.js     (the same, when run alone)
 *
 * Everything listens on / talks to 127.0.0.1 only.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const n8n = require('./lib/n8n');
const { BUILD_DIR } = require('./lib/backends');
const examples = require('./lib/examples');

let userFolder;
let backends;
const EXAMPLES = examples.loadExamples();

before(async () => {
	if (!n8n.isInstalled()) {
		execFileSync('bash', [path.join(n8n.E2E_DIR, 'setup.sh')], { stdio: 'inherit', env: { ...process.env, CI: process.env.CI || 'true' } });
	}
	if (!fs.existsSync(path.join(BUILD_DIR, 'kintone', 'index.js'))) {
		execFileSync('npm', ['run', 'build:emulators'], { cwd: n8n.REPO_DIR, stdio: 'inherit' });
	}
	const { startBackends } = require('./lib/backends');
	backends = await startBackends();
	userFolder = await n8n.createMigratedUserFolder('n8n-e2e-examples-');
	n8n.packAndInstall(userFolder);
	await n8n.importCredentials(userFolder, backends.credentials);
	await n8n.importWorkflow(userFolder, EXAMPLES.map((example) => example.workflow));
});

after(async () => {
	if (backends) await backends.close();
	n8n.removeUserFolder(userFolder);
});

/** Runs an example and checks what every example must show. */
async function runChecked(file) {
	const { workflow } = EXAMPLES.find((example) => example.file === file);
	const result = await examples.runExample(userFolder, backends, workflow);
	console.log(
		`# ${file}: ${result.run.status}, ${result.summary.itemsIn} items in, ${result.summary.itemsOut} out, ` +
			`${result.summary.failures} failed, ${result.requests} requests, ${result.recordsWritten} records written, ` +
			`${result.seconds}s run (${result.cliSeconds}s with the n8n CLI)`,
	);
	assert.equal(result.run.status, 'success', JSON.stringify(n8n.runError(result.run) || result.run.data.resultData).slice(0, 2000));
	const { summary } = result;
	assert.ok(summary.itemsIn > 0, 'the write node received no items');
	assert.equal(summary.itemsOut, summary.itemsIn, 'every input item must yield exactly one output item');
	// Each input item is paired with exactly one output item, across both outputs.
	const paired = summary.items.map((item) => item.pairedItem && item.pairedItem.item).sort((a, b) => a - b);
	assert.deepEqual(paired, Array.from({ length: summary.itemsIn }, (_, index) => index));
	// No secret of the credentials leaks into the run data (outputs, errors, logs of the run).
	const runText = JSON.stringify(result.run.data);
	for (const credential of backends.credentials) {
		for (const secret of secretsOf(credential.data)) assert.ok(!runText.includes(secret), `a secret of ${credential.name} is in the run data`);
	}
	return result;
}

function secretsOf(data) {
	const secrets = [data.apiToken, data.appSecret, data.clientSecret, data.oauthTokenData && data.oauthTokenData.access_token, data.oauthTokenData && data.oauthTokenData.refresh_token];
	return secrets.filter(Boolean).flatMap((secret) => String(secret).split(','));
}

/** The output items of one node, in order. */
const outputOf = (result, branch = 0) => result.summary.items.filter((item) => item.branch === branch);

test('every example workflow in examples/ is covered below', () => {
	assert.ok(EXAMPLES.length >= 3, 'at least one example per node');
	const covered = [
		'kintone-update-by-update-key.json',
		'kintone-upsert-orders.json',
		'kintone-sync-projects.json',
		'kintone-attach-invoice-files.json',
		'kintone-start-high-priority-projects.json',
		'feishu-data-table-upsert.json',
		'feishu-data-table-sync-inventory.json',
		'feishu-apaas-get-transform-update.json',
		'feishu-apaas-create-error-output.json',
		'feishu-apaas-sync-orders.json',
	];
	assert.deepEqual(EXAMPLES.map((example) => example.file).sort(), [...covered].sort());
	for (const { workflow } of EXAMPLES) {
		assert.ok(workflow.id.length <= 21, `${workflow.id}: id longer than 21 characters`);
		assert.ok(workflow.nodes.some((node) => node.type === 'n8n-nodes-base.manualTrigger'), `${workflow.name}: no Manual Trigger`);
		for (const node of examples.writeNodes(workflow)) {
			const [credential] = Object.values(node.credentials || {});
			assert.ok(credential && backends.credentials.some((c) => c.id === credential.id && c.name === credential.name), `${node.name}: credential not provided by backends.js`);
		}
	}
});

test('Kintone: 20 rows update their records by the update key `code`, in one PUT', { timeout: 180_000 }, async () => {
	const app = backends.seed.kintone.app;
	const before = new Map(backends.kintone.records(app).map((r) => [r.record.code.value, r]));
	const requestsBefore = backends.kintone.server.requests.length;
	const result = await runChecked('kintone-update-by-update-key.json');

	assert.equal(result.summary.itemsIn, 20);
	assert.equal(result.summary.failures, 0);
	assert.equal(result.recordsWritten, 20);
	const puts = backends.kintone.server.requests.slice(requestsBefore).filter((r) => r.method === 'PUT' && r.path.endsWith('/records.json'));
	assert.equal(puts.length, 1);
	assert.equal(puts[0].body.records.length, 20);
	assert.deepEqual(puts[0].body.records[0].updateKey, { field: 'code', value: 'PRJ-0001' });

	const output = outputOf(result);
	const priorities = ['高', '中', '低'];
	for (let i = 0; i < 20; i++) {
		const code = `PRJ-${String(i + 1).padStart(4, '0')}`;
		const stored = backends.kintone.records(app).find((r) => r.record.code.value === code);
		assert.equal(stored.record['優先度'].value, priorities[(i + 1) % 3]);
		assert.equal(stored.record['数量'].value, String(20 + i * 2));
		assert.equal(stored.record['備考'].value, `2024年度 第3四半期の見直し (#${i + 1})`);
		assert.equal(stored.record['單行文字方塊_0'].value, before.get(code).record['單行文字方塊_0'].value, 'unmapped field changed');
		assert.equal(Number(stored.revision), Number(before.get(code).revision) + 1);
		// The record written: its id and revision, the update key and the values sent.
		assert.equal(output[i].json.id, stored.id);
		assert.equal(output[i].json.revision, stored.revision);
		assert.equal(output[i].json.code, code);
		assert.equal(output[i].json['備考'], stored.record['備考'].value);
		assert.deepEqual(output[i].pairedItem, { item: i });
	}
});

test('Kintone: upsert updates 3 existing projects and creates 3 (with a lookup), matched on `code`', { timeout: 180_000 }, async () => {
	const app = backends.seed.kintone.app;
	const countBefore = backends.kintone.records(app).length;
	const result = await runChecked('kintone-upsert-orders.json');

	assert.equal(result.summary.itemsIn, 6);
	assert.equal(result.recordsWritten, 6);
	assert.equal(backends.kintone.records(app).length, countBefore + 3);
	const output = outputOf(result);
	assert.deepEqual(output.map((item) => item.json.operation), ['updated', 'updated', 'updated', 'inserted', 'inserted', 'inserted']);
	const byCode = (code) => backends.kintone.records(app).find((r) => r.record.code.value === code);
	assert.equal(byCode('PRJ-0002').record['單行文字方塊_0'].value, '物流センター自動化');
	const created = byCode('PRJ-0103');
	assert.equal(created.record['顧客コード'].value, 'C003');
	assert.equal(created.record['顧客名'].value, '台灣資訊有限公司', 'lookup copy not filled');
	assert.equal(created.record['数量'].value, '300');
	assert.equal(output[5].json.id, created.id);
});

test('Kintone: Sync writes only what changed in the planning sheet, removes the closed projects, and a second run writes nothing', { timeout: 240_000 }, async () => {
	const app = backends.seed.kintone.app;
	const byCode = () => new Map(backends.kintone.records(app).map((r) => [r.record.code.value, r]));
	const before = byCode();
	const writes = (from) => backends.kintone.server.requests.slice(from).filter((r) => r.method !== 'GET' && !r.headers['x-http-method-override'] && /\/records\.json$/.test(r.path));
	const requestsBefore = backends.kintone.server.requests.length;
	const result = await runChecked('kintone-sync-projects.json');

	const source = result.run.data.resultData.runData['Planning sheet projects'][0].data.main[0].map((item) => item.json);
	assert.equal(source.length, 20);
	const same = (record, project) =>
		record.record['單行文字方塊_0'].value === project.title && Number(record.record['数量'].value) === project.quantity && record.record['優先度'].value === project.priority;
	const output = outputOf(result);
	const expected = source.map((project) => (!before.has(project.code) ? 'created' : same(before.get(project.code), project) ? 'unchanged' : 'updated'));
	assert.deepEqual(output.map((item) => item.json.sync), expected);
	assert.ok(expected.filter((sync) => sync === 'updated').length >= 3, 'the renamed, re-quantified and re-prioritised projects');
	assert.deepEqual(expected.filter((sync) => sync === 'created').length, 2);
	const after = byCode();
	for (const project of source) assert.ok(same(after.get(project.code), project), `${project.code} does not hold the sheet's values`);
	for (const [index, item] of output.entries()) {
		if (item.json.sync === 'unchanged') assert.equal(after.get(source[index].code).revision, before.get(source[index].code).revision);
	}
	// Closed projects in the scope (code like "PRJ-00") are removed; projects outside it (PRJ-01xx) stay.
	assert.deepEqual(result.summary.removedItems.map((item) => item.json.code).sort(), ['PRJ-0019', 'PRJ-0020']);
	assert.ok(!after.has('PRJ-0019') && !after.has('PRJ-0020'));
	for (const [code, record] of before) if (code.startsWith('PRJ-01')) assert.equal(after.get(code).revision, record.revision);
	const changed = expected.filter((sync) => sync !== 'unchanged').length;
	assert.equal(result.recordsWritten, changed + 2);
	// Reads of the scope, then one update request, one add request, one delete request.
	assert.deepEqual(writes(requestsBefore).map((r) => r.method), ['PUT', 'POST', 'DELETE']);

	const secondFrom = backends.kintone.server.requests.length;
	const again = await runChecked('kintone-sync-projects.json');
	assert.ok(outputOf(again).every((item) => item.json.sync === 'unchanged'));
	assert.equal(again.summary.removedItems.length, 0);
	assert.equal(again.recordsWritten, 0);
	assert.deepEqual(writes(secondFrom), []);
});

test('Kintone: three invoice PDFs read from a folder are uploaded and attached to their records, byte for byte', { timeout: 180_000 }, async () => {
	const app = backends.seed.kintone.invoicesApp;
	const requestsBefore = backends.kintone.server.requests.length;
	const result = await runChecked('kintone-attach-invoice-files.json');

	assert.equal(result.summary.itemsIn, 3);
	assert.equal(result.summary.failures, 0);
	assert.equal(result.recordsWritten, 3);
	const requests = backends.kintone.server.requests.slice(requestsBefore);
	assert.equal(requests.filter((r) => r.method === 'POST' && r.path.endsWith('/file.json')).length, 3);
	assert.equal(requests.filter((r) => r.path.endsWith('/records.json') && r.method === 'PUT').length, 1);
	const folder = path.join(n8n.REPO_DIR, 'examples', 'files', 'invoices');
	for (const file of fs.readdirSync(folder)) {
		const stored = backends.kintone.records(app).find((r) => r.record.invoice_no.value === file.replace(/\.pdf$/, ''));
		assert.ok(stored, `no record for ${file}`);
		const [attached, ...more] = stored.record['請求書PDF'].value;
		assert.equal(more.length, 0);
		assert.equal(attached.name, file);
		assert.equal(attached.contentType, 'application/pdf');
		assert.deepEqual(backends.kintone.fileBytes(attached.fileKey), fs.readFileSync(path.join(folder, file)));
	}
});

test('Kintone: Get Many → Filter → Update Status starts work on the high-priority projects, assigning sato', { timeout: 180_000 }, async () => {
	const app = backends.seed.kintone.app;
	const status = (r) => r.record['ステータス'].value;
	const chosen = backends.kintone
		.records(app)
		.filter((r) => status(r) === '未処理' && r.record['優先度'].value === '高' && Number(r.record['数量'].value) >= 15);
	assert.ok(chosen.length > 0, 'the seed holds projects to start');
	const chosenIds = new Set(chosen.map((r) => r.id));
	const others = new Map(backends.kintone.records(app).filter((r) => !chosenIds.has(r.id)).map((r) => [r.id, status(r)]));
	const requestsBefore = backends.kintone.server.requests.length;
	const result = await runChecked('kintone-start-high-priority-projects.json');

	assert.equal(result.summary.itemsIn, chosen.length);
	assert.equal(result.summary.failures, 0);
	const puts = backends.kintone.server.requests.slice(requestsBefore).filter((r) => r.method === 'PUT' && r.path.endsWith('/records/status.json'));
	assert.equal(puts.length, 1);
	assert.equal(puts[0].body.records.length, chosen.length);
	for (const record of chosen) {
		const now = backends.kintone.record(app, record.id);
		assert.equal(status(now), '処理中');
		assert.deepEqual(now.record['作業者'].value.map((user) => user.code), ['sato']);
		assert.equal(Number(now.revision), Number(record.revision) + 2);
	}
	for (const [id, before] of others) assert.equal(status(backends.kintone.record(app, id)), before, `record ${id} changed status`);
	assert.deepEqual(outputOf(result).map((item) => item.json.action), chosen.map(() => '処理開始'));
});

test('Feishu Data Table: 25 rows upserted with merge-duplicates on (warehouse, sku): 10 updated, 15 inserted', { timeout: 180_000 }, async () => {
	const { workspace, inventory } = backends.seed.dataTable;
	const requestsBefore = backends.dataTable.server.requests.length;
	const result = await runChecked('feishu-data-table-upsert.json');

	assert.equal(result.summary.itemsIn, 25);
	assert.equal(result.summary.failures, 0);
	assert.equal(result.recordsWritten, 25);
	const writes = backends.dataTable.server.requests.slice(requestsBefore).filter((r) => r.method === 'POST' && r.path.endsWith('/records'));
	assert.equal(writes.length, 1, 'one request for 25 rows');
	assert.match(String(writes[0].headers.prefer), /resolution=merge-duplicates/);
	assert.equal(writes[0].query.get('on_conflict'), 'warehouse,sku');

	const rows = await backends.dataTable.rows(workspace, inventory);
	assert.equal(rows.length, 25);
	const row = (warehouse, sku) => rows.find((r) => r.warehouse === warehouse && r.sku === sku);
	assert.equal(row('SH-01', 'SKU-1001').qty, 48);
	assert.equal(row('SH-01', 'SKU-1001').updated_by, 'n8n stock sync');
	assert.equal(row('BJ-02', 'SKU-1005').qty, 80);
	assert.equal(row('CD-05', 'SKU-1004').qty, 0);
	assert.equal(row('CD-05', 'SKU-1004').status, 'active', 'column default not applied to a new row');

	const output = outputOf(result);
	assert.equal(output.filter((item) => item.json._action === 'updated').length, 10);
	assert.equal(output.filter((item) => item.json._action === 'inserted').length, 15);
	output.forEach((item, index) => {
		assert.deepEqual(item.pairedItem, { item: index });
		const stored = rows.find((r) => r._id === item.json._id);
		assert.ok(stored, `output ${index} names a row that does not exist`);
	});
});

test('Feishu Data Table: Sync keeps warehouse SH-01 in step with the stock list, deletes the discontinued SKU, never touches other warehouses, and a second run writes nothing', { timeout: 240_000 }, async () => {
	const { workspace, inventory } = backends.seed.dataTable;
	const keyOf = (row) => `${row.warehouse}/${row.sku}`;
	const byKey = async () => new Map((await backends.dataTable.rows(workspace, inventory)).map((row) => [keyOf(row), row]));
	const before = await byKey();
	const writes = (from) => backends.dataTable.server.requests.slice(from).filter((r) => r.method !== 'GET' && /\/tables\/[^/]+\/(records|records_batch_update)$/.test(r.path));
	const requestsBefore = backends.dataTable.server.requests.length;
	const result = await runChecked('feishu-data-table-sync-inventory.json');

	const source = result.run.data.resultData.runData['Stock list SH-01 (from WMS)'][0].data.main[0].map((item) => item.json);
	assert.ok(source.length > 0 && source.every((item) => item.warehouse === 'SH-01'), 'the stock list is of warehouse SH-01 only');
	// The mapped columns whose values differ, numbers compared as numbers (numeric may come back as text).
	const changedColumns = (row, item) =>
		['product_name', 'qty', 'unit_price'].filter((column) => (column === 'product_name' ? row[column] !== item[column] : Number(row[column]) !== Number(item[column])));
	const output = outputOf(result);
	const expected = source.map((item) => (!before.has(keyOf(item)) ? 'created' : changedColumns(before.get(keyOf(item)), item).length === 0 ? 'unchanged' : 'updated'));
	assert.deepEqual(output.map((item) => item.json.sync), expected);
	assert.equal(expected.filter((sync) => sync === 'created').length, 2, 'SKU-1006 and SKU-1007 are new');
	assert.ok(expected.includes('updated'), 'some counts or prices changed');
	const after = await byKey();
	for (const [index, item] of output.entries()) {
		const key = keyOf(source[index]);
		const row = after.get(key);
		assert.ok(row, `${key} is missing`);
		assert.deepEqual(changedColumns(row, source[index]), [], `${key} does not hold the stock list's values`);
		assert.equal(item.json._id, row._id);
		// A row that needed no write is exactly as it was; a changed one names its changed columns.
		if (item.json.sync === 'unchanged') assert.deepEqual(row, before.get(key), `${key} needed no write but was written`);
		if (item.json.sync === 'updated') assert.deepEqual(Object.keys(item.json.changes).sort(), changedColumns(before.get(key), source[index]).sort());
	}
	// The rows of SH-01 that left the list are deleted (on the "Removed" output); the scope holds exactly the list now.
	const gone = [...before.values()].filter((row) => row.warehouse === 'SH-01' && !source.some((item) => item.sku === row.sku));
	assert.ok(gone.some((row) => row.sku === 'SKU-1005'), 'the discontinued SKU-1005');
	assert.deepEqual(result.summary.removedItems.map((item) => item.json._id).sort(), gone.map((row) => row._id).sort());
	for (const item of result.summary.removedItems) assert.equal(item.json.sync, 'removed');
	assert.deepEqual([...after.values()].filter((row) => row.warehouse === 'SH-01').map((row) => row.sku).sort(), source.map((item) => item.sku).sort());
	// Other warehouses are out of scope: not one of their rows is written.
	for (const [key, row] of before) if (row.warehouse !== 'SH-01') assert.deepEqual(after.get(key), row, `${key} out of scope was written`);
	const changed = expected.filter((sync) => sync !== 'unchanged').length;
	assert.equal(result.recordsWritten, changed + gone.length);
	// The updates by _id (one request per set of changed columns), then the insert, then the delete.
	const kinds = writes(requestsBefore).map((r) => r.method).filter((method, index, all) => method !== all[index - 1]);
	assert.deepEqual(kinds, [...(expected.includes('updated') ? ['PATCH'] : []), 'POST', ...(gone.length ? ['DELETE'] : [])]);

	const secondFrom = backends.dataTable.server.requests.length;
	const again = await runChecked('feishu-data-table-sync-inventory.json');
	assert.ok(outputOf(again).every((item) => item.json.sync === 'unchanged'));
	assert.equal(again.summary.removedItems.length, 0);
	assert.equal(again.recordsWritten, 0);
	assert.deepEqual(writes(secondFrom), []);
});

test('Feishu aPaaS: Get Many → transform → Update Many confirms the 12 pending orders', { timeout: 180_000 }, async () => {
	const { namespace, object } = backends.seed.apaas;
	const before = new Map([...backends.apaas.records(namespace, object).values()].map((r) => [r._id, { ...r, values: { ...r.values } }]));
	const result = await runChecked('feishu-apaas-get-transform-update.json');

	assert.equal(n8n.nodeOutput(result.run, 'Get pending orders').length, 12);
	assert.equal(result.summary.itemsIn, 12);
	assert.equal(result.summary.failures, 0);
	assert.equal(result.recordsWritten, 12);
	const pendingBefore = [...before.values()].filter((r) => r.values.status === '待确认');
	assert.equal(pendingBefore.length, 12);
	for (const old of pendingBefore) {
		const now = backends.apaas.records(namespace, object).get(old._id);
		assert.equal(now.values.status, '已确认');
		const expected = old.values.paid ? Number(old.values.amount) : Math.round(Number(old.values.amount) * 0.95 * 100) / 100;
		assert.equal(Number(now.values.amount), expected);
		assert.equal(now.values.order_no, old.values.order_no);
		assert.equal(now.writes, old.writes + 1, 'written more than once');
	}
	const output = outputOf(result);
	assert.deepEqual(output.map((item) => item.json._id), pendingBefore.map((r) => r._id));
});

test('Feishu aPaaS: a bad record goes to the error output, the other 5 are created', { timeout: 180_000 }, async () => {
	const { namespace, object } = backends.seed.apaas;
	const idsBefore = new Set(backends.apaas.records(namespace, object).keys());
	const result = await runChecked('feishu-apaas-create-error-output.json');

	assert.equal(result.summary.itemsIn, 6);
	assert.equal(result.summary.failures, 1);
	assert.equal(result.recordsWritten, 5);
	const created = [...backends.apaas.records(namespace, object).values()].filter((r) => !idsBefore.has(r._id));
	assert.deepEqual(created.map((r) => r.values.order_no).sort(), ['SO-20250001', 'SO-20250002', 'SO-20250003', 'SO-20250005', 'SO-20250006']);

	const success = outputOf(result, 0);
	assert.deepEqual(success.map((item) => item.pairedItem.item), [0, 1, 2, 4, 5]);
	for (const item of success) assert.ok(created.some((r) => r._id === item.json._id), 'success item names no created record');
	const [failed] = outputOf(result, 1);
	assert.deepEqual(failed.pairedItem, { item: 3 });
	assert.equal(failed.json.order_no, 'SO-20250004');
	assert.match(failed.json.error, /amount/);
	assert.equal(failed.json.details.itemIndex, 3);
	// The branches reached the nodes behind them.
	assert.equal(n8n.nodeOutput(result.run, 'Created').length, 5);
	assert.equal(n8n.nodeOutput(result.run, 'Needs review').length, 1);
});

test('Feishu aPaaS: Sync writes only what changed in the ERP export of the 上海 orders, removes the closed ones, and a second run writes nothing', { timeout: 240_000 }, async () => {
	const { namespace, object } = backends.seed.apaas;
	// Copies: the emulator updates its records in place.
	const state = () => new Map([...backends.apaas.records(namespace, object).values()].map((r) => [r._id, { ...r, values: { ...r.values } }]));
	const before = state();
	const byOrderNo = (records) => new Map([...records.values()].map((r) => [r.values.order_no, r]));
	const beforeByNo = byOrderNo(before);
	const inScope = (r) => r.values.city === '上海';
	const writes = (from) => backends.apaas.server.requests.slice(from).filter((r) => /\/records\/batch_(create|update|delete)$/.test(r.path));
	const requestsBefore = backends.apaas.server.requests.length;
	const result = await runChecked('feishu-apaas-sync-orders.json');

	const source = result.run.data.resultData.runData['ERP order export'][0].data.main[0].map((item) => item.json);
	assert.ok(source.length > 0 && source.every((order) => order.city === '上海'), 'the export holds the 上海 orders only');
	// Each order_no names at most one record (the examples before this one create each order once).
	assert.equal(beforeByNo.size, before.size);
	// The mapped fields as aPaaS compares them: amount as a number, paid as a yes/no, the rest as text.
	const TEXT = ['customer', 'status', 'city', 'delivery_date'];
	const sameField = (field, stored, sent) => (field === 'amount' ? Number(stored) === Number(sent) : String(stored ?? '') === String(sent ?? ''));
	const changedFields = (record, order) => [...TEXT, 'amount', 'paid'].filter((field) => !sameField(field, record.values[field], order[field]));
	const output = outputOf(result);
	const expected = source.map((order) => (!beforeByNo.has(order.order_no) ? 'created' : changedFields(beforeByNo.get(order.order_no), order).length === 0 ? 'unchanged' : 'updated'));
	assert.deepEqual(output.map((item) => item.json.sync), expected);
	assert.equal(expected.filter((sync) => sync === 'created').length, 2, 'SO-20240031 and SO-20240032 are new');
	assert.ok(expected.includes('updated'), 'the re-priced and the shipped order');
	const after = state();
	const afterByNo = byOrderNo(after);
	for (const [index, item] of output.entries()) {
		const order = source[index];
		const record = afterByNo.get(order.order_no);
		assert.ok(record, `${order.order_no} is missing`);
		assert.deepEqual(changedFields(record, order), [], `${order.order_no} does not hold the export's values`);
		assert.equal(item.json._id, record._id);
		const old = beforeByNo.get(order.order_no);
		// A record that needed no write keeps its write count and update time; a changed one is written once, with its changed fields.
		if (item.json.sync === 'unchanged') assert.deepEqual([record.writes, record.updatedAt], [old.writes, old.updatedAt]);
		if (item.json.sync === 'updated') {
			assert.equal(record.writes, old.writes + 1);
			assert.deepEqual(Object.keys(item.json.changes).sort(), changedFields(old, order).sort());
		}
	}
	// The orders of the scope (city 上海) the export no longer lists are removed, on the "Removed" output.
	const gone = [...before.values()].filter((r) => inScope(r) && !source.some((order) => order.order_no === r.values.order_no));
	assert.ok(gone.some((r) => r.values.order_no === 'SO-20240019') && gone.some((r) => r.values.order_no === 'SO-20240025'), 'the closed orders');
	assert.ok(gone.length <= 5, 'within the safety limit of the example (Max Records Removed 5)');
	assert.deepEqual(result.summary.removedItems.map((item) => item.json.order_no).sort(), gone.map((r) => r.values.order_no).sort());
	for (const item of result.summary.removedItems) {
		assert.equal(item.json.sync, 'removed');
		assert.ok(!after.has(item.json._id), `${item.json.order_no} is still there`);
	}
	assert.deepEqual([...after.values()].filter(inScope).map((r) => r.values.order_no).sort(), source.map((order) => order.order_no).sort());
	// Orders of other cities are out of scope: not one is written.
	for (const [id, r] of before) if (!inScope(r)) assert.deepEqual([after.get(id).writes, after.get(id).updatedAt], [r.writes, r.updatedAt], `${r.values.order_no} out of scope was written`);
	const changed = expected.filter((sync) => sync !== 'unchanged').length;
	assert.equal(result.recordsWritten, changed + gone.length);
	// The updates, then the creates, then the removals, through Update Many's, Create Many's and Delete Many's endpoints.
	const kinds = writes(requestsBefore).map((r) => r.path.split('/').pop()).filter((kind, index, all) => kind !== all[index - 1]);
	assert.deepEqual(kinds, [...(expected.includes('updated') ? ['batch_update'] : []), 'batch_create', ...(gone.length ? ['batch_delete'] : [])]);

	const secondFrom = backends.apaas.server.requests.length;
	const again = await runChecked('feishu-apaas-sync-orders.json');
	assert.ok(outputOf(again).every((item) => item.json.sync === 'unchanged'));
	assert.equal(again.summary.removedItems.length, 0);
	assert.equal(again.recordsWritten, 0);
	assert.deepEqual(writes(secondFrom), []);
});

/**
 * n8n offers "Custom API Call" in each node's Operation list because the credentials authenticate
 * requests (kintone: a function, aPaaS: a function after the tenant token, data table: OAuth2). It
 * sends the user to the HTTP Request node with the node's credential as "predefined credential
 * type": that must reach each service authenticated, or the choice would be a dead end.
 */
test('Custom API Call: the HTTP Request node reaches each service with the node credential', { timeout: 180_000 }, async () => {
	const { CREDENTIALS, SEED } = require('./lib/backends');
	const { namespace, object } = SEED.apaas;
	const { workspace, inventory } = SEED.dataTable;
	const request = (name, credential, position, parameters) => ({
		id: `custom-${name.toLowerCase().replace(/\W+/g, '-')}`,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [position, 0],
		parameters: { authentication: 'predefinedCredentialType', nodeCredentialType: credential.type, options: {}, ...parameters },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
	});
	const nodes = [
		{ id: 'custom-trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		request('kintone record', CREDENTIALS.kintone, 200, {
			url: `${backends.kintone.url}/k/v1/record.json`,
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'app', value: String(backends.seed.kintone.app) }, { name: 'id', value: '1' }] },
		}),
		request('aPaaS records', CREDENTIALS.apaas, 400, {
			method: 'POST',
			url: `${backends.apaas.url}/open-apis/apaas/v1/applications/${namespace}/objects/${object}/records/batch_query`,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: JSON.stringify({ select: ['_id', 'order_no'], page_size: 2 }),
		}),
		request('data table', CREDENTIALS.dataTable, 600, {
			url: `${backends.dataTable.url}/open-apis/apaas/v1/workspaces/${workspace}/tables/${inventory}`,
		}),
	];
	const workflow = {
		id: 'customApiCall01',
		name: 'Custom API Call with the package credentials',
		nodes,
		connections: {
			Start: { main: [[{ node: 'kintone record', type: 'main', index: 0 }]] },
			'kintone record': { main: [[{ node: 'aPaaS records', type: 'main', index: 0 }]] },
			'aPaaS records': { main: [[{ node: 'data table', type: 'main', index: 0 }]] },
		},
		settings: {},
		active: false,
	};
	await n8n.importWorkflow(userFolder, workflow);
	const run = await n8n.executeWorkflow(userFolder, workflow.id);
	assert.equal(run.status, 'success', JSON.stringify(n8n.runError(run) || run.data.resultData).slice(0, 2000));

	const [kintone] = n8n.nodeOutput(run, 'kintone record');
	assert.equal(kintone.record.$id.value, '1');
	const [apaas] = n8n.nodeOutput(run, 'aPaaS records');
	assert.equal(apaas.code, 0);
	assert.equal(JSON.parse(apaas.data.items).length, 2);
	const [table] = n8n.nodeOutput(run, 'data table');
	assert.equal(table.data.name, inventory);
	assert.ok(table.data.columns.some((column) => column.name === 'sku'));
	const runText = JSON.stringify(run.data);
	for (const credential of backends.credentials) {
		for (const secret of secretsOf(credential.data)) assert.ok(!runText.includes(secret), `a secret of ${credential.name} is in the run data`);
	}
});
