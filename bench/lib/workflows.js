'use strict';
/**
 * The workflows the benchmark runs in n8n, one per row kind and N. Each is
 *   Manual Trigger -> "Generate" (Code: N items shaped like the records) -> the write under test,
 * and the write under test is one of:
 *   node   this package's node (Kintone update, Feishu aPaaS update, Feishu data-table upsert)
 *   sync   this package's node running Sync on its own target (see SYNC)
 *   (a)    HTTP Request, one request per item, with n8n's "Batching" option set to stay within the
 *          documented limit (see PEER_A_BATCHING)
 *   (b)    Loop Over Items (batch = the API's maximum) -> Code (builds the batch body) -> HTTP Request
 *          (Retry On Fail: 5 tries, 1 s apart) -> back to the loop
 * Peer (c) (@kintone/rest-api-client) runs outside n8n: see kintoneClientPeer.js.
 *
 * Every item carries `<tag>#<index>` in one field, so the benchmark can check afterwards that each
 * record holds exactly its own item's values.
 */

const { MANUAL_TRIGGER } = require('../../e2e/lib/n8n/workflows');

const PRIORITIES = ['高', '中', '低'];
const STATUSES = ['pending', 'shipped', 'paid'];

/** Field codes of the kintone benchmark app (CJK codes, as real apps have them). */
const KINTONE_FIELDS = { code: 'コード', quantity: '数量', priority: '優先度', note: '備考', due: '期日' };

/** What each service allows, as documented (apis.md) and as the emulators enforce it. */
const SERVICES = {
	// Sync: keys read per request (aPaaS: 10 "equal" conditions, or its whole object, 500 a page, when
	// that takes fewer requests), records per page of a scope, records per delete request.
	kintone: { label: 'Kintone', batch: 100, bulkBatch: 2000, readPage: 500, scopePage: 500, deleteBatch: 100 },
	apaas: { label: 'Feishu aPaaS', batch: 500, readPage: 10, wholePage: 500, scopePage: 500, deleteBatch: 500 },
	dataTable: { label: 'Feishu data table', batch: 500, readPage: 500, scopePage: 500, deleteBatch: 100 },
};

/**
 * The Sync rows' data: every run changes 1% of the records (i % 100 = 50, to the run's tag); with the
 * mirror on, each run also drops 0.5% of the keys from the source (i % 200 = 199 - run index: those
 * of earlier runs are gone already) and adds 0.5% new keys, so every run has N items and the same
 * amount of work. The target holds exactly the records of its row and N: key `S-<i>`, note `base#<i>`.
 */
const SYNC = { changedEvery: 100, goneEvery: 200 };

/** A Sync row's item (and seeded record) of index `i`, as JS over `i` and `note`. */
const syncItemJs = {
	kintone: `'${KINTONE_FIELDS.code}': 'S-' + i, '${KINTONE_FIELDS.quantity}': i % 1000, '${KINTONE_FIELDS.priority}': P[i % 3], '${KINTONE_FIELDS.note}': note, '${KINTONE_FIELDS.due}': '2025-0' + (1 + (i % 9)) + '-1' + (i % 10)`,
	// `grp` puts every record of the object in the mirror's scope (aPaaS documents only "equal").
	apaas: `code: 'S-' + i, qty: i % 1000, status: S[i % 3], note, due: '2025-0' + (1 + (i % 9)) + '-1' + (i % 10), grp: 'bench'`,
	dataTable: `sku: 'S-' + i, qty: i % 1000, status: S[i % 3], note`,
};

/** The Code node making a Sync row's items for run `runIndex` (0-based). */
function syncGenerator(service, n, tag, runIndex, mirror, ctx) {
	return code(
		'Generate',
		[
			`const N = ${n};`,
			`const TAG = ${JSON.stringify(tag)};`,
			`const RUN = ${runIndex};`,
			`const MIRROR = ${mirror};`,
			preludeFor(service, ctx),
			`const item = (i, note) => ({ json: { ${syncItemJs[service]} } });`,
			'const out = [];',
			'for (let i = 0; i < N; i++) {',
			`  if (MIRROR && i % ${SYNC.goneEvery} >= ${SYNC.goneEvery - 1} - RUN) continue;`,
			`  out.push(item(i, i % ${SYNC.changedEvery} === ${SYNC.changedEvery / 2} ? TAG + '#' + i : 'base#' + i));`,
			'}',
			`if (MIRROR) for (let i = N; i < N + ((RUN + 1) * N) / ${SYNC.goneEvery}; i++) out.push(item(i, 'base#' + i));`,
			'return out;',
		].join('\n'),
	);
}

/** The state a Sync row's items describe, as `key -> note`, computed as the generator computes it. */
function syncDesired(n, tag, runIndex, mirror) {
	const desired = new Map();
	for (let i = 0; i < n; i++) {
		if (mirror && i % SYNC.goneEvery >= SYNC.goneEvery - 1 - runIndex) continue;
		desired.set(`S-${i}`, i % SYNC.changedEvery === SYNC.changedEvery / 2 ? `${tag}#${i}` : `base#${i}`);
	}
	if (mirror) for (let i = n; i < n + ((runIndex + 1) * n) / SYNC.goneEvery; i++) desired.set(`S-${i}`, `base#${i}`);
	return desired;
}

/**
 * Peer (a): n8n's HTTP Request node starts every item's request without waiting for earlier answers;
 * its Batching option (items per batch, pause between batches) is the only throttle it has. These
 * are the fastest settings that stay within each documented limit with a 10% margin for timing
 * jitter (a user who leaves Batching off gets all N requests at once and mostly 429s).
 */
function peerABatching(service, n) {
	if (service === 'kintone') return { batchSize: 50, batchInterval: 100 }; // <= ~25 in flight at 20 ms, limit 100
	if (service === 'dataTable') return { batchSize: 10, batchInterval: 1100 }; // 10/s
	// aPaaS: 50/s while the whole run fits in 1,000 requests, 1,000/min beyond.
	return n <= 1000 ? { batchSize: 50, batchInterval: 1100 } : { batchSize: 50, batchInterval: 3300 };
}

function code(name, jsCode) {
	return { name, type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode } };
}

/** The Code node that makes the N input items. `itemJs` is the body of an object literal using `i` and `TAG`. */
function generator(n, tag, itemJs, prelude = '') {
	return code(
		'Generate',
		[
			`const N = ${n};`,
			`const TAG = ${JSON.stringify(tag)};`,
			prelude,
			'const out = new Array(N);',
			`for (let i = 0; i < N; i++) out[i] = { json: { ${itemJs} } };`,
			'return out;',
		]
			.filter(Boolean)
			.join('\n'),
	);
}

const itemJs = {
	kintone: `'$id': String(i + 1), '${KINTONE_FIELDS.quantity}': i % 1000, '${KINTONE_FIELDS.priority}': P[i % 3], '${KINTONE_FIELDS.note}': TAG + '#' + i, '${KINTONE_FIELDS.due}': '2025-0' + (1 + (i % 9)) + '-1' + (i % 10)`,
	apaas: `_id: String(FIRST_ID + i), qty: i % 1000, status: S[i % 3], note: TAG + '#' + i, due: '2025-0' + (1 + (i % 9)) + '-1' + (i % 10)`,
	dataTable: `sku: 'SKU-' + i, qty: i % 1000, status: S[i % 3], note: TAG + '#' + i`,
};

function preludeFor(service, ctx) {
	if (service === 'kintone') return `const P = ${JSON.stringify(PRIORITIES)};`;
	if (service === 'apaas') return `const S = ${JSON.stringify(STATUSES)};\nconst FIRST_ID = ${ctx.apaas.firstId};`;
	return `const S = ${JSON.stringify(STATUSES)};`;
}

const autoMap = (matchingColumns) => ({
	mappingMode: 'autoMapInputData',
	value: null,
	matchingColumns,
	schema: [],
	attemptToConvertTypes: false,
	convertFieldsToString: false,
});

/** The package's node type, its credential type and the resource of its records, per service. */
const PACKAGE_NODES = {
	kintone: { type: 'kintone', credential: 'kintoneApi', resource: 'record' },
	apaas: { type: 'feishuApaas', credential: 'feishuApaasApi', resource: 'objectRecord' },
	dataTable: { type: 'feishuDataTable', credential: 'feishuDataTableOAuth2Api', resource: 'row' },
};

/** The parameters that choose a target: an app, an object, a table. */
function targetParameters(service, target) {
	if (service === 'kintone') return { app: { __rl: true, mode: 'id', value: String(target.app) } };
	if (service === 'apaas') return { namespace: target.namespace, objectApiName: target.object };
	return { workspace: { __rl: true, mode: 'id', value: target.workspace }, table: { __rl: true, mode: 'name', value: target.table } };
}

/** The node under test: `operation` on `target`, auto-mapping the items and matching on `key`. */
function writeNode(service, ctx, target, operation, key, extra = {}) {
	const node = PACKAGE_NODES[service];
	return {
		name: 'Write',
		type: `n8n-nodes-bulk-records.${node.type}`,
		typeVersion: 1,
		parameters: { resource: node.resource, operation, ...targetParameters(service, target), columns: autoMap([key]), options: {}, ...extra },
		credentials: { [node.credential]: ctx.credentials[service] },
	};
}

/** The matching key of each service's items: the record ID for the seed operations, the key field for Sync. */
const SYNC_KEYS = { kintone: KINTONE_FIELDS.code, apaas: 'code', dataTable: 'sku' };

/**
 * The node under test running Sync on a row's own target, matched on the key, mirroring the whole
 * target or not; or (`operation` upsert) writing the same items in full, for comparison.
 */
function syncNode(service, ctx, target, mirror, operation = 'sync') {
	const where = { kintone: target, apaas: { namespace: ctx.apaas.namespace, ...target }, dataTable: { workspace: ctx.dataTable.workspace, ...target } }[service];
	// Every record of the target is in scope (aPaaS documents only "equal": the `grp` all records share).
	const scope = {
		kintone: { scope: '$id > 0' },
		apaas: { scope: { conditions: [{ field: 'grp', operator: 'equal', value: 'bench' }] } },
		dataTable: { filterType: 'expression', filterExpression: '_id=not.is.null' },
	}[service];
	return writeNode(service, ctx, where, operation, SYNC_KEYS[service], mirror ? { removeMissing: true, ...scope } : {});
}

/** The node under test, configured as a user would for the seed operation (defaults otherwise). */
function packageNode(service, ctx, { atomic = false } = {}) {
	if (service === 'kintone') return writeNode(service, ctx, ctx.kintone, 'update', '$id', { options: atomic ? { atomic: true } : {} });
	if (service === 'apaas') return writeNode(service, ctx, ctx.apaas, 'update', '_id');
	return writeNode(service, ctx, ctx.dataTable, 'upsert', 'sku', { resolution: 'merge-duplicates' });
}

/** Where and how a hand-built request goes: method, URL, query, extra headers. */
function endpoint(service, ctx, perItem) {
	if (service === 'kintone') {
		return { method: 'PUT', url: `${ctx.kintone.url}/k/v1/${perItem ? 'record' : 'records'}.json` };
	}
	if (service === 'apaas') {
		const { url, namespace, object } = ctx.apaas;
		return { method: 'PATCH', url: `${url}/open-apis/apaas/v1/applications/${namespace}/objects/${object}/records/batch_update` };
	}
	const { url, workspace, table } = ctx.dataTable;
	return {
		method: 'POST',
		url: `${url}/open-apis/apaas/v1/workspaces/${workspace}/tables/${table}/records`,
		query: [
			{ name: 'on_conflict', value: 'sku' },
			{ name: 'columns', value: 'sku,qty,status,note' },
		],
		headers: [{ name: 'Prefer', value: 'resolution=merge-duplicates' }],
	};
}

function httpRequest(name, service, ctx, { perItem, jsonBody, options = {}, settings = {} }) {
	const target = endpoint(service, ctx, perItem);
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: target.method,
			url: target.url,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendQuery: !!target.query,
			queryParameters: { parameters: target.query || [] },
			sendHeaders: !!target.headers,
			headerParameters: { parameters: target.headers || [] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody,
			options,
		},
		credentials: { httpHeaderAuth: ctx.credentials.header[service] },
		...settings,
	};
}

/** One record's body for a request, as an n8n expression over `$json` (peer a) or JS over `j` (peer b). */
const recordJs = {
	kintone: (j) =>
		`{ id: ${j}['$id'], record: { ${[KINTONE_FIELDS.quantity, KINTONE_FIELDS.priority, KINTONE_FIELDS.note, KINTONE_FIELDS.due]
			.map((f) => `'${f}': { value: ${j}['${f}'] }`)
			.join(', ')} } }`,
	apaas: (j) => j,
	dataTable: (j) => j,
};

function perItemBody(service, ctx) {
	if (service === 'kintone') {
		return `={{ JSON.stringify(Object.assign({ app: ${ctx.kintone.app} }, ${recordJs.kintone('$json')})) }}`;
	}
	return '={{ JSON.stringify({ records: JSON.stringify([$json]) }) }}';
}

function batchBodyCode(service, ctx) {
	const records = `$input.all().map((item) => { const j = item.json; return ${recordJs[service]('j')}; })`;
	if (service === 'kintone') return `return [{ json: { app: ${ctx.kintone.app}, records: ${records} } }];`;
	return `return [{ json: { records: JSON.stringify(${records}) } }];`;
}

/** Workflow JSON with the given nodes and connections (positions are cosmetic). */
function workflow(id, name, nodes, connections) {
	const all = [{ ...MANUAL_TRIGGER }, ...nodes].map((node, index) => ({ id: `n${index}`, position: [220 * index, 0], ...node }));
	return { id, name, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

const link = (node, index = 0) => [{ node, type: 'main', index }];

/**
 * Builds the workflow of one row for N items.
 * @param {{kind: 'node'|'sync'|'a'|'b', service: string, atomic?: boolean, mirror?: boolean}} row
 * @param {number} run which run of the row (a row run several times needs a workflow per run)
 * @returns {{workflow: object, measured: string[]}} the nodes whose execution window is measured
 */
function buildWorkflow(row, n, tag, ctx, run = 1) {
	const { service, kind } = row;
	const id = `bench-${row.code}-${n}${run > 1 ? `-r${run}` : ''}`;
	const name = `Bench ${row.label} N=${n}${run > 1 ? ` (run ${run})` : ''}`;
	const gen = kind === 'sync' ? syncGenerator(service, n, tag, run - 1, !!row.mirror, ctx) : generator(n, tag, itemJs[service], preludeFor(service, ctx));
	if (kind === 'node' || kind === 'sync') {
		const write =
			kind === 'sync' ? syncNode(service, ctx, ctx.syncTargets[`${row.code}-${n}`], !!row.mirror, row.operation) : packageNode(service, ctx, { atomic: row.atomic });
		return {
			workflow: workflow(id, name, [gen, write], { 'Manual Trigger': { main: [link('Generate')] }, Generate: { main: [link('Write')] } }),
			measured: ['Write'],
		};
	}
	if (kind === 'a') {
		const write = httpRequest('Write', service, ctx, {
			perItem: true,
			jsonBody: perItemBody(service, ctx),
			options: { batching: { batch: peerABatching(service, n) } },
			// Failed items become items with an `error` field instead of stopping the run, so they can be counted.
			settings: { onError: 'continueRegularOutput' },
		});
		return {
			workflow: workflow(id, name, [gen, write], { 'Manual Trigger': { main: [link('Generate')] }, Generate: { main: [link('Write')] } }),
			measured: ['Write'],
		};
	}
	const batch = service === 'kintone' ? SERVICES.kintone.batch : SERVICES[service].batch;
	const loop = { name: 'Loop', type: 'n8n-nodes-base.splitInBatches', typeVersion: 3, parameters: { batchSize: batch, options: {} } };
	const build = code('Build Body', batchBodyCode(service, ctx));
	const send = httpRequest('Send Batch', service, ctx, {
		perItem: false,
		jsonBody: '={{ JSON.stringify($json) }}',
		settings: { retryOnFail: true, maxTries: 5, waitBetweenTries: 1000 },
	});
	return {
		workflow: workflow(id, name, [gen, loop, build, send], {
			'Manual Trigger': { main: [link('Generate')] },
			Generate: { main: [link('Loop')] },
			// Loop Over Items: output 0 is "done", output 1 is "loop".
			Loop: { main: [[], link('Build Body')] },
			'Build Body': { main: [link('Send Batch')] },
			'Send Batch': { main: [link('Loop')] },
		}),
		measured: ['Loop', 'Build Body', 'Send Batch'],
	};
}

module.exports = { buildWorkflow, peerABatching, syncDesired, SERVICES, SYNC, KINTONE_FIELDS, PRIORITIES, STATUSES };
