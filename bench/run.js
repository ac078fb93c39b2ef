#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: throughput, request count, CPU and memory of this package's three nodes against
 * the ways people do the same today, side by side, all in one run against the emulators
 * (test/emulators/*, in this process, 127.0.0.1 only) with simulated latency and the documented
 * rate limits enforced. The nodes and the n8n peers run in a real n8n 2.41.1 (e2e harness).
 *
 *   npm run bench                                   # N = 1,000, 10,000, 100,000; every row
 *   npm run bench -- --n 1000 --rows kintone        # quick: one N, one service
 *   npm run bench -- --n 200 --rows k,kc,p,d --out /tmp/bench-dev
 *
 * Flags:
 *   --n <list>                 record counts (default 1000,10000,100000)
 *   --rows <list>              row codes (k kA ka kb kc ks ku ksm p pa pb ps psm d da db ds du dsm) or services
 *                              (kintone, apaas, datatable), or kinds (node, sync, a, b, c); default all
 *   --latency-ms <ms>          emulator latency per request (default 20)
 *   --runs <k>                 runs of each node row and of peer (c), in interleaved rounds; the median is
 *                              reported (default 3: these rows take seconds, and one short run on a shared
 *                              machine can be off by several percent)
 *   --max-peer-minutes <min>   skip a per-item peer (a) expected to take longer (default 20); reported as not run
 *   --out <dir>                where results.md, results.json and records-per-second.png go (default bench/)
 *   --keep                     keep the n8n user folder (path printed)
 *   --no-profile               skip the second, profiled pass of the node rows at the largest N (CPU breakdown)
 *   --report-only              rewrite results.md and the chart from <out>/results.json (no runs)
 *   --analysis <file>          the hand-written Analysis section of results.md (default bench/analysis.md)
 *
 * Peer (a) runs at N <= 10,000 only (issue 7). Needs `bash e2e/setup.sh` once.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, execFile } = require('node:child_process');

const n8n = require('../e2e/lib/n8n');
const { buildWorkflow, peerABatching, syncDesired, SERVICES, SYNC, KINTONE_FIELDS, PRIORITIES, STATUSES } = require('./lib/workflows');
const { executionWindow, cpuInWindow, surfacedErrors, requestCounts, mergeRuns } = require('./lib/measure');
const { writeReport } = require('./lib/report');
const { profileFileOf, cpuBreakdown } = require('./lib/profile');

const REPO = path.resolve(__dirname, '..');
const PROBE = path.join(__dirname, 'lib', 'probe.js');
const PEER_C = path.join(__dirname, 'lib', 'kintoneClientPeer.js');

/** Every row of the table; `code` names it on the command line and in workflow ids. */
const ROWS = [
	{ code: 'k', service: 'kintone', kind: 'node', label: 'Kintone node: update' },
	{ code: 'kA', service: 'kintone', kind: 'node', atomic: true, label: 'Kintone node: update, atomic (bulkRequest of 2,000)' },
	{ code: 'ka', service: 'kintone', kind: 'a', label: '(a) HTTP Request, one request per item' },
	{ code: 'kb', service: 'kintone', kind: 'b', label: '(b) Loop Over Items + Code + HTTP Request' },
	{ code: 'kc', service: 'kintone', kind: 'c', label: '(c) @kintone/rest-api-client updateAllRecords' },
	{ code: 'ks', service: 'kintone', kind: 'sync', label: 'Kintone node: sync, 1% changed' },
	{ code: 'ku', service: 'kintone', kind: 'sync', operation: 'upsert', label: 'Kintone node: create or update of the same items as ks (full write)' },
	{ code: 'ksm', service: 'kintone', kind: 'sync', mirror: true, label: 'Kintone node: sync, 1% changed, 0.5% new, 0.5% gone, mirror on' },
	{ code: 'p', service: 'apaas', kind: 'node', label: 'Feishu aPaaS node: update' },
	{ code: 'pa', service: 'apaas', kind: 'a', label: '(a) HTTP Request, one request per item' },
	{ code: 'pb', service: 'apaas', kind: 'b', label: '(b) Loop Over Items + Code + HTTP Request' },
	{ code: 'ps', service: 'apaas', kind: 'sync', label: 'Feishu aPaaS node: sync, 1% changed' },
	{ code: 'psm', service: 'apaas', kind: 'sync', mirror: true, label: 'Feishu aPaaS node: sync, 1% changed, 0.5% new, 0.5% gone, mirror on' },
	{ code: 'd', service: 'dataTable', kind: 'node', label: 'Feishu data table node: upsert' },
	{ code: 'da', service: 'dataTable', kind: 'a', label: '(a) HTTP Request, one request per item' },
	{ code: 'db', service: 'dataTable', kind: 'b', label: '(b) Loop Over Items + Code + HTTP Request' },
	{ code: 'ds', service: 'dataTable', kind: 'sync', label: 'Feishu data table node: sync, 1% changed' },
	{ code: 'du', service: 'dataTable', kind: 'sync', operation: 'upsert', label: 'Feishu data table node: create or update of the same items as ds (full write)' },
	{ code: 'dsm', service: 'dataTable', kind: 'sync', mirror: true, label: 'Feishu data table node: sync, 1% changed, 0.5% new, 0.5% gone, mirror on' },
];

const DEFAULTS = { n: [1000, 10000, 100000], latencyMs: 20, runs: 3, maxPeerMinutes: 20, out: __dirname, analysis: path.join(__dirname, 'analysis.md') };

/**
 * Rows run `--runs` times: the nodes and peer (c), which the targets hold to a few percent. Peers
 * (a) and (b) take minutes per run (their own length averages out short disturbances) and run once.
 */
const isRepeated = (row) => row.kind === 'node' || row.kind === 'sync' || row.kind === 'c';

function parseArgs(argv) {
	const options = { ...DEFAULTS, rows: ROWS.map((row) => row.code), keep: false, profile: true };
	const value = (i) => {
		if (argv[i + 1] === undefined) throw new Error(`${argv[i]} needs a value`);
		return argv[i + 1];
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--n') options.n = value(i++).split(',').map((s) => Number(s.replace(/_/g, '')));
		else if (arg === '--rows') options.rows = selectRows(value(i++));
		else if (arg === '--latency-ms') options.latencyMs = Number(value(i++));
		else if (arg === '--runs') options.runs = Number(value(i++));
		else if (arg === '--max-peer-minutes') options.maxPeerMinutes = Number(value(i++));
		else if (arg === '--out') options.out = path.resolve(value(i++));
		else if (arg === '--keep') options.keep = true;
		else if (arg === '--no-profile') options.profile = false;
		else if (arg === '--report-only') options.reportOnly = true;
		else if (arg === '--analysis') options.analysis = path.resolve(value(i++));
		else throw new Error(`Unknown flag ${arg} (see the header of bench/run.js)`);
	}
	if (options.n.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--n takes positive whole numbers');
	if (!(options.latencyMs >= 0)) throw new Error('--latency-ms takes a number of milliseconds');
	if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs takes a positive whole number');
	options.n.sort((a, b) => a - b);
	return options;
}

function selectRows(text) {
	const codes = new Set();
	for (const word of text.split(',').map((s) => s.trim())) {
		const service = { kintone: 'kintone', apaas: 'apaas', datatable: 'dataTable' }[word.toLowerCase()];
		const matches = ROWS.filter((row) => row.code === word || row.service === service || row.kind === word);
		if (matches.length === 0) throw new Error(`--rows: unknown row "${word}"`);
		matches.forEach((row) => codes.add(row.code));
	}
	return ROWS.filter((row) => codes.has(row.code)).map((row) => row.code);
}

// ---------------------------------------------------------------------------------------------
// Emulators: the embedded backends plus a benchmark app/object/table seeded with max(N) records
// ---------------------------------------------------------------------------------------------

const BENCH = {
	kintoneToken: 'bench-kintone-token',
	apaas: { namespace: 'bench__c', object: 'bench_order__c' },
	dataTable: { workspace: 'workspace_bench01', table: 'bench_stock' },
	apaasLimits: [
		{ limit: 50, intervalMs: 1000 },
		{ limit: 1000, intervalMs: 60_000 },
	],
	dataTableLimit: 10,
};

/** The columns of the benchmark's data tables: `sku` is the unique key. */
const TABLE_COLUMNS = [
	{ name: 'sku', data_type: 'varchar', is_unique: true, is_allow_null: false },
	{ name: 'qty', data_type: 'int4' },
	{ name: 'status', data_type: 'varchar' },
	{ name: 'note', data_type: 'text' },
];

/** A kintone app with the benchmark's fields (code unique), readable with the benchmark's API token. */
function addBenchApp(kintone, name) {
	const options = (...names) => Object.fromEntries(names.map((option, index) => [option, { label: option, index: String(index) }]));
	const app = kintone.addApp({
		name,
		fields: {
			レコード番号: { type: 'RECORD_NUMBER' },
			[KINTONE_FIELDS.code]: { type: 'SINGLE_LINE_TEXT', unique: true, required: true },
			[KINTONE_FIELDS.quantity]: { type: 'NUMBER' },
			[KINTONE_FIELDS.priority]: { type: 'DROP_DOWN', options: options(...PRIORITIES), defaultValue: '' },
			[KINTONE_FIELDS.note]: { type: 'SINGLE_LINE_TEXT' },
			[KINTONE_FIELDS.due]: { type: 'DATE' },
		},
	});
	kintone.addApiToken(BENCH.kintoneToken, [app]);
	return app;
}

async function prepareBackends(latencyMs, maxN) {
	const { startBackends } = require('../e2e/lib/backends');
	const backends = await startBackends({ latencyMs });
	const { kintone, apaas, dataTable } = backends;

	const app = addBenchApp(kintone, 'ベンチマーク');
	for (let start = 0; start < maxN; start += 10_000) {
		const count = Math.min(10_000, maxN - start);
		kintone.seedRecords(
			app,
			Array.from({ length: count }, (_, k) => ({
				[KINTONE_FIELDS.code]: { value: `B-${start + k}` },
				[KINTONE_FIELDS.note]: { value: 'seed' },
			})),
		);
	}

	const { namespace, object } = BENCH.apaas;
	apaas.defineObject(namespace, object, [
		{ api_name: 'qty', type: 'number', label: '数量' },
		{ api_name: 'status', type: 'option', label: '状态' },
		{ api_name: 'note', type: 'text', label: '备注' },
		{ api_name: 'due', type: 'date', label: '交付日期' },
	]);
	const ids = apaas.seedRecords(
		namespace,
		object,
		Array.from({ length: maxN }, () => ({ note: 'seed' })),
	);
	const firstId = Number(ids[0]);
	if (ids.some((id, index) => Number(id) !== firstId + index)) throw new Error('aPaaS emulator ids are not consecutive');

	const { workspace, table } = BENCH.dataTable;
	await dataTable.createWorkspace(workspace);
	await dataTable.createTable(workspace, {
		name: table,
		description: '库存 benchmark',
		columns: TABLE_COLUMNS,
	});
	await dataTable.insertRows(
		workspace,
		table,
		Array.from({ length: maxN }, (_, i) => ({ sku: `SKU-${i}`, qty: 0, status: 'new', note: 'seed' })),
	);

	// Peers authenticate with a header credential holding a token fetched beforehand (not timed).
	const tenant = await postJson(`${apaas.url}/open-apis/auth/v3/tenant_access_token/internal`, {
		app_id: apaas.appId,
		app_secret: apaas.appSecret,
	});
	const headerCredentials = {
		kintone: { id: 'benchHdrKintone1', name: 'Bench header: kintone', value: { name: 'X-Cybozu-API-Token', value: BENCH.kintoneToken } },
		apaas: { id: 'benchHdrApaas001', name: 'Bench header: aPaaS', value: { name: 'Authorization', value: `Bearer ${tenant.tenant_access_token}` } },
		dataTable: {
			id: 'benchHdrDataTbl1',
			name: 'Bench header: data table',
			value: { name: 'Authorization', value: `Bearer ${dataTable.issueUserToken().access_token}` },
		},
	};
	const nodeCredentials = backends.credentials.map((credential) =>
		credential.type === 'kintoneApi' ? { ...credential, data: { ...credential.data, apiToken: BENCH.kintoneToken } } : credential,
	);
	const credentials = [
		...nodeCredentials,
		...Object.values(headerCredentials).map(({ id, name, value }) => ({ id, name, type: 'httpHeaderAuth', data: value })),
	];
	const ref = (credential) => ({ id: credential.id, name: credential.name });
	const byType = (type) => ref(nodeCredentials.find((credential) => credential.type === type));

	const ctx = {
		kintone: { url: kintone.url, app },
		apaas: { url: apaas.url, namespace, object, firstId },
		dataTable: { url: dataTable.url, workspace, table },
		credentials: {
			kintone: byType('kintoneApi'),
			apaas: byType('feishuApaasApi'),
			dataTable: byType('feishuDataTableOAuth2Api'),
			header: Object.fromEntries(Object.entries(headerCredentials).map(([service, credential]) => [service, ref(credential)])),
		},
	};
	return { backends, ctx, credentials };
}

function postJson(url, body) {
	return n8n.httpJson('POST', url, body).then((res) => {
		if (res.status !== 200) throw new Error(`POST ${url}: HTTP ${res.status}`);
		return res.json;
	});
}

/**
 * Forgets the request logs and starts every rate-limit window afresh, so rows do not share a
 * budget. Each row also starts on settled emulators, so one row's leftovers do not slow the next:
 * their heap is collected (the emulators run in this process), and the data table is vacuumed, as
 * a real PostgreSQL's autovacuum would have done by then (PGlite has none).
 */
async function resetBetweenRows({ kintone, apaas, dataTable }, ctx) {
	kintone.server.reset();
	apaas.server.reset();
	apaas.answers.length = 0;
	apaas.setRateLimits(BENCH.apaasLimits);
	dataTable.server.reset();
	dataTable.rateLimitPerSecond = BENCH.dataTableLimit;
	await dataTable.db.query(`VACUUM ANALYZE "${ctx.dataTable.workspace}"."${ctx.dataTable.table}"`);
	global.gc?.();
}

/** Which logged requests are the writes of a row (the rest: token, form fields...). */
function isWrite(service) {
	// Long kintone reads go as POST with `X-HTTP-Method-Override: GET`: reads.
	if (service === 'kintone') return (r) => r.method !== 'GET' && !r.headers['x-http-method-override'] && /\/(records?|bulkRequest)\.json$/.test(r.path);
	if (service === 'apaas') return (r) => /\/records\/batch_(update|create|delete)$/.test(r.path);
	return (r) => (r.method === 'POST' && r.path.endsWith('/records')) || r.path.endsWith('/records_batch_update') || (r.method === 'DELETE' && r.path.endsWith('/records'));
}

/** Records (of the first n) that hold exactly their own item's note `<tag>#<index>`. */
async function verifiedRecords(service, backends, ctx, n, tag) {
	if (service === 'kintone') {
		let ok = 0;
		for (const view of backends.kintone.records(ctx.kintone.app)) {
			const index = Number(view.id) - 1;
			if (index < n && view.record[KINTONE_FIELDS.note].value === `${tag}#${index}`) ok++;
		}
		return ok;
	}
	if (service === 'apaas') {
		const records = backends.apaas.records(ctx.apaas.namespace, ctx.apaas.object);
		let ok = 0;
		for (let i = 0; i < n; i++) if (records.get(String(ctx.apaas.firstId + i))?.values.note === `${tag}#${i}`) ok++;
		return ok;
	}
	const { workspace, table } = ctx.dataTable;
	const result = await backends.dataTable.db.query(
		`select count(*)::int as ok from "${workspace}"."${table}" where note = $1 || '#' || substring(sku from 5)`,
		[tag],
	);
	return result.rows[0].ok;
}

// ---------------------------------------------------------------------------------------------
// Sync rows: each row and N has its own target (app, object, table) holding exactly its records
// ---------------------------------------------------------------------------------------------

/** A Sync target's seeded record `i` in the service's write shape: the items of a run describe the same values. */
function syncRecord(service, i) {
	const due = `2025-0${1 + (i % 9)}-1${i % 10}`;
	if (service === 'kintone') {
		const values = { code: `S-${i}`, quantity: String(i % 1000), priority: PRIORITIES[i % 3], note: `base#${i}`, due };
		return Object.fromEntries(Object.entries(values).map(([field, value]) => [KINTONE_FIELDS[field], { value }]));
	}
	if (service === 'apaas') return { code: `S-${i}`, qty: i % 1000, status: STATUSES[i % 3], note: `base#${i}`, due, grp: 'bench' };
	return { sku: `S-${i}`, qty: i % 1000, status: STATUSES[i % 3], note: `base#${i}` };
}

/** Creates and seeds the target of every Sync row and N (not timed); `ctx.syncTargets[code-N]` says where. */
async function prepareSyncTargets(backends, ctx, rows, ns) {
	ctx.syncTargets = {};
	for (const row of rows.filter((candidate) => candidate.kind === 'sync')) {
		for (const n of ns) {
			const name = `${row.code}-${n}`;
			ctx.syncTargets[name] = await createSyncTarget(backends, row.service, name.replace('-', '_'), n);
		}
	}
}

async function createSyncTarget({ kintone, apaas, dataTable }, service, name, n) {
	const records = (from, count) => Array.from({ length: count }, (_, k) => syncRecord(service, from + k));
	const inChunks = async (seed) => {
		for (let start = 0; start < n; start += 10_000) await seed(records(start, Math.min(10_000, n - start)));
	};
	if (service === 'kintone') {
		const app = addBenchApp(kintone, `同期 ${name}`);
		await inChunks(async (chunk) => kintone.seedRecords(app, chunk, { keepOnReset: true }));
		return { app };
	}
	if (service === 'apaas') {
		const object = `sync_${name.toLowerCase()}__c`;
		apaas.defineObject(BENCH.apaas.namespace, object, [
			{ api_name: 'code', type: 'text', label: '编号' },
			{ api_name: 'qty', type: 'number', label: '数量' },
			{ api_name: 'status', type: 'option', label: '状态' },
			{ api_name: 'note', type: 'text', label: '备注' },
			{ api_name: 'due', type: 'date', label: '交付日期' },
			{ api_name: 'grp', type: 'text', label: '分组' },
		]);
		await inChunks(async (chunk) => apaas.seedRecords(BENCH.apaas.namespace, object, chunk));
		return { object };
	}
	const table = `sync_${name.toLowerCase()}`;
	await dataTable.createTable(BENCH.dataTable.workspace, {
		name: table,
		description: 'Sync benchmark',
		columns: TABLE_COLUMNS,
	});
	await inChunks(async (chunk) => await dataTable.insertRows(BENCH.dataTable.workspace, table, chunk));
	return { table };
}

/** The records of a Sync target as `key -> note`. */
async function syncTargetState(service, backends, target) {
	if (service === 'kintone') {
		return new Map(backends.kintone.records(target.app).map((view) => [view.record[KINTONE_FIELDS.code].value, view.record[KINTONE_FIELDS.note].value]));
	}
	if (service === 'apaas') {
		return new Map([...backends.apaas.records(BENCH.apaas.namespace, target.object).values()].map((record) => [record.values.code, record.values.note]));
	}
	const result = await backends.dataTable.db.query(`select sku, note from "${BENCH.dataTable.workspace}"."${target.table}"`);
	return new Map(result.rows.map((row) => [row.sku, row.note]));
}

/** Desired records the target holds exactly, less any record it holds that the items do not name. */
async function verifiedSync(row, n, tag, run, backends, ctx) {
	const desired = syncDesired(n, tag, run - 1, !!row.mirror);
	const state = await syncTargetState(row.service, backends, ctx.syncTargets[`${row.code}-${n}`]);
	let verified = 0;
	for (const [key, note] of desired) if (state.get(key) === note) verified++;
	for (const key of state.keys()) if (!desired.has(key)) verified--;
	return verified;
}

/**
 * Requests a Sync run needs at most: reads of every key (or, with the mirror, of the whole target
 * plus the new keys), and writes of the changed records (plus the new and the gone ones).
 */
function syncExpectations(row, n, run) {
	const { batch, readPage, wholePage, scopePage, deleteBatch } = SERVICES[row.service];
	const changed = n / SYNC.changedEvery;
	const moved = n / SYNC.goneEvery;
	const inBatches = (count, size) => Math.ceil(count / size);
	// The full write of the same items, for comparison: every record, no read.
	if (row.operation === 'upsert') return { expectedReads: 0, expectedRequests: inBatches(n, batch), changed };
	// aPaaS counts the object's records first, and reads it whole when that takes fewer requests.
	const byKey = (keys, total) => {
		const reads = inBatches(keys, readPage);
		if (!wholePage || reads <= 1) return reads;
		return 1 + Math.min(reads, total <= 4 * keys ? inBatches(total, wholePage) : Infinity);
	};
	if (!row.mirror) return { expectedReads: byKey(n, n), expectedRequests: inBatches(changed, batch), changed };
	return {
		// kintone first finds the highest record ID, then reads pages of 500 IDs up to it: each earlier
		// run of the row added `moved` records after the seeded ones.
		expectedReads: row.service === 'kintone' ? 1 + inBatches(n + (run - 1) * moved, scopePage) + byKey(moved, n) : inBatches(n, scopePage) + byKey(moved, n),
		expectedRequests: inBatches(changed, batch) + inBatches(moved, batch) + inBatches(moved, deleteBatch),
		changed: changed + 2 * moved,
	};
}

/** Which logged requests read records (the rest of the non-writes: token, form fields, table schema). */
function isRead(service) {
	if (service === 'kintone') return (r) => /\/records(\/cursor)?\.json$/.test(r.path) && (r.method === 'GET' || !!r.headers['x-http-method-override'] || r.path.endsWith('cursor.json'));
	if (service === 'apaas') return (r) => r.path.endsWith('/records/batch_query');
	return (r) => r.method === 'GET' && r.path.endsWith('/records');
}

// ---------------------------------------------------------------------------------------------
// Ceilings
// ---------------------------------------------------------------------------------------------

/** Records per request of a row: 1 for per-item requests. */
function batchSizeOf(row) {
	if (row.kind === 'a') return 1;
	if (row.kind === 'c' || row.atomic) return SERVICES.kintone.bulkBatch;
	return SERVICES[row.service].batch;
}

/**
 * Requests per second the service allows for a run of `requests` requests. kintone limits
 * concurrency (100 per domain), not rate: by Little's law that allows 100 / latency per second.
 * aPaaS allows 50/s, and 1,000/min once a run needs more than 1,000 requests.
 */
function allowedRps(service, requests, latencyMs) {
	if (service === 'kintone') return latencyMs > 0 ? 100 / (latencyMs / 1000) : Infinity;
	if (service === 'apaas') return requests <= 1000 ? 50 : 1000 / 60;
	return BENCH.dataTableLimit;
}

/** Minutes a per-item peer needs at least with its batching settings. */
function peerAMinutes(service, n) {
	const { batchSize, batchInterval } = peerABatching(service, n);
	return (Math.ceil(n / batchSize) * batchInterval) / 60_000;
}

// ---------------------------------------------------------------------------------------------
// Running rows
// ---------------------------------------------------------------------------------------------

async function runN8nRow(row, n, tag, workflowInfo, env, cpuProfDir, runIndex = 1) {
	const { userFolder, backends, ctx } = env;
	const probeFile = path.join(userFolder, `probe-${row.code}-${n}.json`);
	fs.rmSync(probeFile, { force: true });
	const expectedMinutes = row.kind === 'a' ? peerAMinutes(row.service, n) : n / 5000 / 60;
	const run = await n8n.executeWorkflow(userFolder, workflowInfo.workflow.id, {
		env: {
			NODE_OPTIONS: `--require ${PROBE}${cpuProfDir ? ` --cpu-prof --cpu-prof-dir=${cpuProfDir}` : ''}`,
			BENCH_PROBE_FILE: probeFile,
		},
		timeoutMs: Math.ceil((expectedMinutes * 3 + 15) * 60_000),
	});
	const probe = fs.existsSync(probeFile) ? JSON.parse(fs.readFileSync(probeFile, 'utf8')) : undefined;
	const window = executionWindow(run, workflowInfo.measured);
	if (!window) throw new Error(`n8n run of ${row.code} N=${n} has no data for ${workflowInfo.measured.join(', ')}: ${JSON.stringify(n8n.runError(run) || {}).slice(0, 500)}`);
	const surfaced = surfacedErrors(run, workflowInfo.measured[workflowInfo.measured.length - 1]);
	return {
		wallMs: window.end - window.start,
		cpuMs: cpuInWindow(probe, window),
		vmHwmKb: probe && probe.vmHwmKb,
		surfaced,
		runStatus: run.status,
		verified: row.kind === 'sync' ? await verifiedSync(row, n, tag, runIndex, backends, ctx) : await verifiedRecords(row.service, backends, ctx, n, tag),
		window,
		probe,
	};
}

/**
 * A second run of a node row with V8's CPU profiler on, to see where the CPU of the write goes
 * (the profiler itself costs a little, so the main table comes from the unprofiled run).
 */
async function profileRow(row, n, tag, workflowInfo, env) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cpuprof-'));
	try {
		await resetBetweenRows(env.backends, env.ctx);
		const measured = await runN8nRow(row, n, tag, workflowInfo, env, dir);
		const file = measured.probe && profileFileOf(dir, measured.probe.pid);
		if (!file) throw new Error('no CPU profile was written');
		return {
			code: row.code,
			service: row.service,
			label: row.label,
			n,
			wallMs: measured.wallMs,
			cpuMs: measured.cpuMs,
			breakdown: cpuBreakdown(file, measured.window, measured.probe.clocks),
		};
	} catch (error) {
		return { code: row.code, service: row.service, label: row.label, n, error: String(error.message).slice(0, 500) };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function runClientRow(row, n, tag, env) {
	const { backends, ctx } = env;
	const input = {
		baseUrl: ctx.kintone.url.replace('127.0.0.1', 'localhost'),
		apiToken: BENCH.kintoneToken,
		app: ctx.kintone.app,
		n,
		tag,
		fields: KINTONE_FIELDS,
	};
	const stdout = await new Promise((resolve, reject) =>
		execFile(n8n.node24Bin(), [PEER_C, JSON.stringify(input)], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
			error && !out ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
		),
	);
	const result = JSON.parse(stdout);
	const errorText = result.error;
	return {
		wallMs: result.wallMs,
		cpuMs: result.cpuMs,
		vmHwmKb: result.vmHwmKb,
		surfaced: {
			errorItems: errorText ? n - (result.records || 0) : 0,
			rateLimited: errorText && /429|GAIA_TO04/.test(errorText) ? 1 : 0,
			runError: errorText,
			samples: [],
		},
		runStatus: errorText ? 'error' : 'success',
		verified: await verifiedRecords(row.service, backends, ctx, n, tag),
	};
}

async function runRow(row, n, tag, workflowInfo, env, options, run) {
	const base = { code: row.code, service: row.service, kind: row.kind, mirror: row.mirror, operation: row.operation, label: row.label, n, batchSize: batchSizeOf(row) };
	const expectedRequests = row.kind === 'sync' ? syncExpectations(row, n, run).expectedRequests : Math.ceil(n / base.batchSize);
	const rps = allowedRps(row.service, expectedRequests, options.latencyMs);
	base.ceilingRecordsPerSecond = rps * base.batchSize;
	base.expectedRequests = expectedRequests;
	if (row.kind === 'sync') Object.assign(base, syncExpectations(row, n, run));
	if (row.kind === 'a' && n > 10_000) return { ...base, status: 'not run', note: 'peer (a) runs at N ≤ 10,000 only' };
	if (row.kind === 'a') {
		const minutes = peerAMinutes(row.service, n);
		const atLimit = n / rps / 60;
		if (minutes > options.maxPeerMinutes) {
			return {
				...base,
				status: 'not run',
				note: `would take ≥ ${atLimit.toFixed(1)} min at the documented limit (${formatRate(rps)} requests/s); over --max-peer-minutes ${options.maxPeerMinutes}`,
				boundRecordsPerSecond: rps,
			};
		}
	}
	await resetBetweenRows(env.backends, env.ctx);
	const started = Date.now();
	let measured;
	try {
		measured = row.kind === 'c' ? await runClientRow(row, n, tag, env) : await runN8nRow(row, n, tag, workflowInfo, env, undefined, run);
	} catch (error) {
		return { ...base, status: 'failed', note: String(error.message).slice(0, 2000) };
	}
	const server = env.backends[row.service].server;
	const counts = requestCounts(server.requests, isWrite(row.service));
	if (row.kind === 'sync') {
		counts.reads = server.requests.filter(isRead(row.service)).length;
		counts.others -= counts.reads;
	}
	const recordsPerSecond = n / (measured.wallMs / 1000);
	return {
		...base,
		status: 'ok',
		totalMs: Date.now() - started,
		wallMs: measured.wallMs,
		recordsPerSecond,
		ratio: recordsPerSecond / base.ceilingRecordsPerSecond,
		writes: counts.writes,
		otherRequests: counts.others,
		reads: counts.reads,
		tooManyReceived: counts.tooMany,
		tooManySurfaced: measured.surfaced.rateLimited,
		errorItems: measured.surfaced.errorItems,
		runError: measured.surfaced.runError,
		errorSamples: measured.surfaced.samples,
		runStatus: measured.runStatus,
		vmHwmKb: measured.vmHwmKb,
		cpuMs: measured.cpuMs,
		cpuMsPer1000: measured.cpuMs === undefined ? undefined : (measured.cpuMs / n) * 1000,
		verified: measured.verified,
	};
}

/**
 * Builds, packs and installs the package, and checks that every node and credential of the
 * installed copy loads: the working tree is shared, and a build running elsewhere at the same time
 * (it empties dist/ first) can leave a tarball with files missing. Tries three times.
 */
function installPackage(userFolder) {
	for (let attempt = 1; ; attempt++) {
		const installed = n8n.packAndInstall(userFolder);
		const files = [...installed.nodes, ...installed.credentials].map((file) => path.join(installed.installDir, file));
		try {
			execFileSync(n8n.node24Bin(), ['-e', 'for (const f of process.argv.slice(1)) require(f)', ...files], {
				env: { ...process.env, NODE_PATH: path.join(n8n.E2E_DIR, 'node_modules') },
				stdio: ['ignore', 'ignore', 'pipe'],
			});
			return installed;
		} catch (error) {
			if (attempt >= 3) throw new Error(`The installed package does not load: ${String(error.stderr || error.message).slice(0, 1000)}`);
			log(`the installed package does not load (a build elsewhere at the same time?); packing again`);
		}
	}
}

function formatRate(rps) {
	return rps >= 100 ? Math.round(rps).toLocaleString('en-US') : String(Number(rps.toFixed(1)));
}

function machine(loadAtStart) {
	const cpus = os.cpus();
	const n8nVersion = JSON.parse(fs.readFileSync(path.join(n8n.E2E_DIR, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	const node24 = execFileSync(n8n.node24Bin(), ['--version'], { encoding: 'utf8' }).trim();
	return {
		nproc: cpus.length,
		cpuModel: cpus[0] ? cpus[0].model : 'unknown',
		memoryGiB: os.totalmem() / 1024 ** 3,
		kernel: `${os.type()} ${os.release()}`,
		n8nVersion,
		n8nNode: node24,
		benchNode: process.version,
		loadAverage: { start: loadAtStart, end: os.loadavg() },
	};
}

function log(message) {
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	if (options.reportOnly) {
		const saved = JSON.parse(fs.readFileSync(path.join(options.out, 'results.json'), 'utf8'));
		const report = await writeReport({
			...saved,
			options: { ...saved.options, analysis: options.analysis },
			outDir: options.out,
			startedAt: new Date(saved.startedAt),
			finishedAt: new Date(saved.finishedAt || Date.now()),
		});
		log(`wrote ${report.files.join(', ')}`);
		return;
	}
	if (!n8n.isInstalled()) throw new Error('The n8n e2e harness is not installed. Run: bash e2e/setup.sh');
	const rows = ROWS.filter((row) => options.rows.includes(row.code));
	const maxN = Math.max(...options.n);
	const startedAt = new Date();
	const loadAtStart = os.loadavg();

	log('compiling the emulators (tsconfig.emulators.json -> e2e/.build)');
	execFileSync(path.join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.emulators.json'], { cwd: REPO, stdio: 'inherit' });

	log('building, packing and installing the package into a fresh n8n user folder');
	const userFolder = await n8n.createMigratedUserFolder('n8n-bench-');
	let backends;
	try {
		installPackage(userFolder);
		log(`starting the emulators (latency ${options.latencyMs} ms) and seeding ${maxN.toLocaleString('en-US')} records per service`);
		const prepared = await prepareBackends(options.latencyMs, maxN);
		backends = prepared.backends;
		const env = { userFolder, backends, ctx: prepared.ctx };
		if (rows.some((row) => row.kind === 'sync')) {
			log('creating and seeding the targets of the Sync rows');
			await prepareSyncTargets(backends, prepared.ctx, rows, options.n);
		}
		await n8n.importCredentials(userFolder, prepared.credentials);

		// Repeated rows run in rounds (all rows, then the repeated ones again), so that a slow stretch
		// of the machine falls on several rows rather than on every run of one. Each run writes its own
		// tag, so its records are verified afresh.
		const plan = [];
		for (const n of options.n) {
			for (let run = 1; run <= options.runs; run++) {
				for (const row of rows.filter((candidate) => run === 1 || isRepeated(candidate))) {
					const tag = `${row.code}-${n}-${run}-${startedAt.getTime().toString(36)}`;
					const workflowInfo = row.kind === 'c' ? undefined : buildWorkflow(row, n, tag, prepared.ctx, run);
					plan.push({ row, n, run, tag, workflowInfo });
				}
			}
		}
		const workflows = plan.filter((p) => p.workflowInfo).map((p) => p.workflowInfo.workflow);
		if (workflows.length) await n8n.importWorkflow(userFolder, workflows);

		const runs = [];
		const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
		// Saved after every run, so a failure later loses nothing (see --report-only).
		const save = (profiles = []) => {
			fs.mkdirSync(options.out, { recursive: true });
			const data = { startedAt, finishedAt: new Date(), command, machine: machine(loadAtStart), options, results: mergeRuns(runs), profiles };
			fs.writeFileSync(path.join(options.out, 'results.json'), JSON.stringify(data, null, 2));
		};
		for (const { row, n, run, tag, workflowInfo } of plan) {
			const of = isRepeated(row) && options.runs > 1 ? ` (run ${run} of ${options.runs})` : '';
			log(`N=${n.toLocaleString('en-US')} ${row.code}: ${SERVICES[row.service].label} ${row.label}${of}`);
			const result = await runRow(row, n, tag, workflowInfo, env, options, run);
			runs.push(result);
			log(
				result.status === 'ok'
					? `  ${(result.wallMs / 1000).toFixed(2)} s, ${formatRate(result.recordsPerSecond)} records/s, ${result.writes} writes${result.reads === undefined ? '' : `, ${result.reads} reads`} (+${result.otherRequests}), 429: ${result.tooManyReceived} received / ${result.tooManySurfaced} surfaced, verified ${result.verified}/${n}, CPU ${result.cpuMsPer1000 === undefined ? '?' : result.cpuMsPer1000.toFixed(1)} ms/1k, RSS ${result.vmHwmKb ? Math.round(result.vmHwmKb / 1024) : '?'} MB`
					: `  ${result.status}: ${result.note}`,
			);
			save();
		}

		const profiles = [];
		if (options.profile) {
			for (const { row, n, tag, workflowInfo } of plan.filter((p) => (p.row.kind === 'node' || p.row.kind === 'sync') && p.n === maxN && p.run === 1)) {
				log(`profiling N=${n.toLocaleString('en-US')} ${row.code} (CPU breakdown)`);
				profiles.push(await profileRow(row, n, tag, workflowInfo, env));
				save(profiles);
			}
		}

		const report = await writeReport({
			outDir: options.out,
			results: mergeRuns(runs),
			profiles,
			options,
			machine: machine(loadAtStart),
			startedAt,
			finishedAt: new Date(),
			command,
		});
		log(`wrote ${report.files.map((f) => path.relative(process.cwd(), f) || f).join(', ')}`);
	} finally {
		if (backends) await backends.close();
		if (options.keep) log(`kept n8n user folder ${userFolder}`);
		else n8n.removeUserFolder(userFolder);
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack || error}\n`);
	process.exitCode = 1;
});
