'use strict';
/**
 * n8n queue mode (issue #21): Redis + PostgreSQL + one main + two workers of the e2e n8n, the packed
 * package installed in their shared user folder, executions started concurrently through webhooks
 * (`n8n execute` would bypass the queue), against the emulators in this process in their strict mode
 * (refused calls count against the window; reset headers give the real seconds left).
 *
 * Scenarios (one n8n stack for all; see lib/queue.js for the stack):
 *   apaas      6 executions × 10,000 aPaaS creates, Batch Size 50: 1,200 requests over the 1,000/min window
 *   datatable  4 executions × 5,000 data-table upserts (10 requests/s per API, shared)
 *   kintone    12 executions × 5,000 kintone updates by key, adaptive concurrency (100 per domain)
 *   tokens     6 aPaaS + 6 data-table executions; the tenant token and the user token expire mid-run
 *   kill       one aPaaS execution; its worker is SIGKILLed in the middle
 *
 * Env: QUEUE_SCENARIOS=apaas,kintone (a subset, for development), QUEUE_SCALE=0.2 (fewer records per
 * execution, for development; the checks against the ideal schedule are only made at scale 1).
 * Prints one summary table at the end. Needs redis-server and PostgreSQL (`.ci/run` installs them).
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const n8n = require('./lib/n8n');
const { startBackends, CREDENTIALS, SEED } = require('./lib/backends');
const { startQueueStack, missingPrerequisites } = require('./lib/queue');

const PKG = 'n8n-nodes-bulk-records';
const SCALE = Number(process.env.QUEUE_SCALE || 1);
const ONLY = process.env.QUEUE_SCENARIOS ? new Set(process.env.QUEUE_SCENARIOS.split(',').map((s) => s.trim())) : undefined;
const wanted = (name) => !ONLY || ONLY.has(name);
const scaled = (n) => Math.max(1, Math.round(n * SCALE));

const APAAS_WINDOWS = [
	{ limit: 50, intervalMs: 1000 },
	{ limit: 1000, intervalMs: 60_000 },
];
const TAG = crypto.randomBytes(3).toString('hex');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The package node of an example workflow (its parameters were set up in the editor). */
function exampleNode(file, type) {
	const wf = JSON.parse(fs.readFileSync(path.join(n8n.REPO_DIR, 'examples', file), 'utf8'));
	const node = wf.nodes.find((n) => n.type === `${PKG}.${type}`);
	return JSON.parse(JSON.stringify(node));
}

/**
 * Webhook (POST, answers at once) → Code (makes `count` items from the body) → the package node
 * (errors to its error output) → Written / Failed.
 */
function webhookWorkflow(id, makeItemsJs, writeNode) {
	const nodes = [
		{
			id: 'webhook',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { httpMethod: 'POST', path: id, responseMode: 'onReceived', options: {} },
		},
		{ id: 'make', name: 'Make items', type: 'n8n-nodes-base.code', typeVersion: 2, position: [220, 0], parameters: { jsCode: makeItemsJs } },
		{ ...writeNode, id: 'write', name: 'Write', position: [440, 0], onError: 'continueErrorOutput' },
		{ id: 'ok', name: 'Written', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, -100], parameters: {} },
		{ id: 'failed', name: 'Failed', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [660, 100], parameters: {} },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Make items', type: 'main', index: 0 }]] },
		'Make items': { main: [[{ node: 'Write', type: 'main', index: 0 }]] },
		Write: { main: [[{ node: 'Written', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]] },
	};
	return { id, name: id, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

// Each Code node reads {execution, count, tag} from the webhook body. `run` differs between two runs
// of one execution (n8n re-running a job after a crash), so a record written by both is told apart
// from one the package wrote twice.
const BODY = `const { execution, count, tag } = $input.first().json.body;
const run = $execution.id + ':' + Date.now().toString(36);`;

const WORKFLOWS = {
	apaas: () => {
		const node = exampleNode('feishu-apaas-create-error-output.json', 'feishuApaas');
		node.parameters.options = { ...(node.parameters.options || {}), batchSize: 50 };
		return webhookWorkflow(
			'q-apaas',
			`${BODY}
return Array.from({ length: count }, (_, i) => ({ json: { order_no: tag + '-' + execution + '-' + i, customer: run, amount: String(i), status: '新建', city: '上海' } }));`,
			node,
		);
	},
	datatable: () => {
		const node = exampleNode('feishu-data-table-upsert.json', 'feishuDataTable');
		return webhookWorkflow(
			'q-datatable',
			`${BODY}
return Array.from({ length: count }, (_, i) => ({ json: { warehouse: tag + '-' + execution, sku: 'S-' + i, product_name: 'queue ' + i, qty: i, unit_price: 1, updated_by: run } }));`,
			node,
		);
	},
	kintone: () => {
		const node = exampleNode('kintone-update-by-update-key.json', 'kintone');
		// Max Concurrency at its maximum: each execution may grow to 80 in flight, 12 of them far
		// more than the domain's 100; only the adaptive concurrency keeps them within it.
		node.parameters.options = { ...(node.parameters.options || {}), concurrency: 100 };
		return webhookWorkflow(
			'q-kintone',
			`${BODY}
return Array.from({ length: count }, (_, i) => ({ json: { project_code: tag + '-' + execution + '-' + i, priority: '高', quantity: i, memo: run } }));`,
			node,
		);
	},
};

/**
 * The shortest time in which `requests` requests can start under the windows (each window: at most
 * `limit` starts within any `intervalMs`), all ready at 0: the schedule the service's limit sets.
 */
function idealSeconds(requests, windows) {
	const starts = [];
	for (let k = 0; k < requests; k++) {
		let t = 0;
		for (const { limit, intervalMs } of windows) if (k >= limit) t = Math.max(t, starts[k - limit] + intervalMs);
		starts.push(t);
	}
	return (starts[starts.length - 1] || 0) / 1000;
}

const summary = [];
function report(row) {
	summary.push(row);
	process.stdout.write(`[queue] ${JSON.stringify(row)}\n`);
}

/** Fires `count` executions at once and waits for them; returns runs with their Written/Failed counts. */
async function fireAndWait(stack, workflowId, bodies, timeoutMs) {
	const since = await stack.lastExecutionId();
	const firedAt = Date.now();
	await Promise.all(bodies.map((body) => stack.fire(workflowId, body)));
	const executions = await stack.waitForExecutions(workflowId, bodies.length, since, timeoutMs);
	const runs = [];
	for (const e of executions) {
		const run = await stack.readRun(e.id);
		const ran = run && run.data ? n8n.executedNodes(run) : [];
		const written = ran.includes('Write') ? n8n.nodeItems(run, 'Write', { outputIndex: 0 }).length : 0;
		const failedItems = ran.includes('Write') ? n8n.nodeItems(run, 'Write', { outputIndex: 1 }) : [];
		runs.push({
			id: e.id,
			status: e.status,
			written,
			failed: failedItems.length,
			firstError: failedItems[0] && failedItems[0].json && (failedItems[0].json.error || failedItems[0].json.message),
			runError: run && run.data ? (n8n.runError(run) || {}).message : undefined,
			stoppedAt: e.stoppedAt ? new Date(e.stoppedAt).getTime() : undefined,
		});
	}
	const lastStop = Math.max(...runs.map((r) => r.stoppedAt || Date.now()));
	return { runs, firedAt, seconds: (lastStop - firedAt) / 1000 };
}

function describeRuns(runs) {
	return runs
		.filter((r) => r.status !== 'success' || r.failed)
		.map((r) => `#${r.id} ${r.status}: ${r.failed} failed${r.firstError ? ` (${String(r.firstError).slice(0, 200)})` : ''}${r.runError ? ` run error: ${r.runError}` : ''}`)
		.join('\n');
}

// Opt-in for now (QUEUE_SUITE=1): its kintone scenario is not reliable yet (issue #21 stays open: once
// 55,000 of 60,000 records written with every execution reporting success, once a peak of 101 in flight).
// Without Redis or PostgreSQL it is skipped; in CI with QUEUE_SUITE=1 a missing one fails it.
const missing = missingPrerequisites();
const skip = process.env.QUEUE_SUITE !== '1' ? 'opt-in: QUEUE_SUITE=1 (see e2e/README.md)' : process.env.CI ? false : missing;

test('n8n queue mode: main + 2 workers on Redis and PostgreSQL, webhook executions against strict emulators', { skip, timeout: 30 * 60_000 }, async (t) => {
	if (missing) throw new Error(`queue mode needs ${missing}`);
	const suiteStarted = Date.now();
	const backends = await startBackends({
		emulators: {
			apaas: { strictRateLimits: true },
			dataTable: { strictRateLimits: true },
			// Requests take a little while, so that requests in flight add up as on a real domain.
			kintone: { latencyMs: 40 },
		},
	});
	t.after(() => backends.close());
	const { apaas, dataTable, kintone } = backends;
	const { namespace, object } = SEED.apaas;

	const workflows = Object.values(WORKFLOWS).map((make) => make());
	const stack = await startQueueStack({
		workers: 2,
		credentials: backends.credentials,
		workflows,
		log: (line) => process.stdout.write(`[queue] ${line}\n`),
	});
	t.after(() => stack.stop());
	process.stdout.write(`[queue] stack ready in ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s\n`);

	/** aPaaS records of this suite by order_no prefix: count, duplicates within one run, runs. */
	const apaasRecords = (prefix) => {
		const rows = [...apaas.records(namespace, object).values()].filter((r) => String(r.values.order_no).startsWith(prefix));
		const byKey = new Map();
		for (const r of rows) {
			const key = String(r.values.order_no);
			const runs = byKey.get(key) || [];
			runs.push(String(r.values.customer));
			byKey.set(key, runs);
		}
		let sameRun = 0;
		let acrossRuns = 0;
		for (const runs of byKey.values()) {
			sameRun += runs.length - new Set(runs).size;
			acrossRuns += new Set(runs).size - 1;
		}
		return { rows: rows.length, distinct: byKey.size, sameRun, acrossRuns, runs: new Set(rows.map((r) => String(r.values.customer))).size };
	};
	const apaas429 = () => apaas.answers.filter((a) => a.status === 429).length;

	if (wanted('apaas')) {
		await t.test('aPaaS: 6 executions × 10,000 creates, Batch Size 50, over the 1,000/min window', async () => {
			const executions = 6;
			const count = scaled(10_000);
			apaas.setRateLimits(APAAS_WINDOWS, true);
			const refusedBefore = apaas429();
			const requestsBefore = apaas.server.requests.length;
			const tag = `QA${TAG}`;
			const { runs, seconds } = await fireAndWait(
				stack,
				'q-apaas',
				Array.from({ length: executions }, (_, execution) => ({ execution, count, tag })),
				15 * 60_000,
			);
			const recs = apaasRecords(`${tag}-`);
			const requests = executions * Math.ceil(count / 50);
			const ideal = idealSeconds(requests, APAAS_WINDOWS);
			const failed = runs.reduce((s, r) => s + r.failed, 0);
			// The part the window governs: first create request in to last create answered (the wall
			// time adds n8n's own work: queueing, making 10,000 items, saving each run).
			const creates = apaas.server.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/records/batch_create'));
			const requestSpan = creates.length ? (Math.max(...creates.map((r) => r.receivedAt)) - Math.min(...creates.map((r) => r.receivedAt))) / 1000 : 0;
			report({
				scenario: 'aPaaS create 6×10,000 (Batch Size 50)',
				executions: runs.length,
				written: recs.rows,
				expected: executions * count,
				duplicates: recs.rows - recs.distinct,
				'429s': apaas429() - refusedBefore,
				failed,
				seconds: Number(seconds.toFixed(1)),
				ideal: Number(ideal.toFixed(1)),
				ratio: Number((seconds / Math.max(ideal, 1)).toFixed(2)),
				requestSpanSeconds: Number(requestSpan.toFixed(1)),
				requestSpanRatio: Number((requestSpan / Math.max(ideal, 1)).toFixed(2)),
			});
			assert.equal(runs.length, executions);
			assert.equal(describeRuns(runs), '', 'every execution succeeds with no failed item');
			assert.equal(failed, 0);
			assert.equal(recs.rows, executions * count);
			assert.equal(recs.distinct, executions * count, 'every record written exactly once');
			// Checked on the requests, which the window governs; the wall time (reported) adds n8n's
			// queueing, the Code node's 10,000 items and the saving of each run, about a second here.
			if (SCALE === 1) {
				assert.ok(requestSpan <= 1.15 * ideal, `the creates took ${requestSpan.toFixed(1)} s, more than 1.15 × the ideal ${ideal.toFixed(1)} s`);
			}
		});
	}

	if (wanted('datatable')) {
		await t.test('Data Table: 4 executions × 5,000 upserts (10/s per API, shared)', async () => {
			const executions = 4;
			const count = scaled(5_000);
			const tag = `QD${TAG}`;
			const before = dataTable.server.requests.length;
			const { runs, seconds } = await fireAndWait(
				stack,
				'q-datatable',
				Array.from({ length: executions }, (_, execution) => ({ execution, count, tag })),
				10 * 60_000,
			);
			const all = await dataTable.rows(SEED.dataTable.workspace, SEED.dataTable.inventory);
			const rows = all.filter((r) => String(r.warehouse).startsWith(`${tag}-`));
			const distinct = new Set(rows.map((r) => `${r.warehouse}|${r.sku}`)).size;
			// The limit is per API: the ideal is that of the API with the most accepted requests (with
			// "Report Inserted or Updated", as in the example, the key look-ups: one read per 100 rows).
			const perApi = new Map();
			for (const r of dataTable.server.requests.slice(before)) {
				if (r.status === 429 || !r.path.includes('/open-apis/apaas/')) continue;
				const api = `${r.method} ${r.path.replace(/\/tables\/[^/]+/, '/tables/:t')}`;
				perApi.set(api, (perApi.get(api) || 0) + 1);
			}
			const ideal = Math.max(0, ...[...perApi.values()].map((n) => idealSeconds(n, [{ limit: 10, intervalMs: 1000 }])));
			const requests = dataTable.server.requests.length - before;
			const failed = runs.reduce((s, r) => s + r.failed, 0);
			report({
				scenario: 'Data Table upsert 4×5,000',
				executions: runs.length,
				written: rows.length,
				expected: executions * count,
				duplicates: rows.length - distinct,
				'429s': dataTable429(dataTable, before),
				failed,
				seconds: Number(seconds.toFixed(1)),
				ideal: Number(ideal.toFixed(1)),
				ratio: Number((seconds / Math.max(ideal, 1)).toFixed(2)),
				requests,
				perApi: Object.fromEntries(perApi),
			});
			assert.equal(runs.length, executions);
			assert.equal(describeRuns(runs), '');
			assert.equal(failed, 0);
			assert.equal(rows.length, executions * count);
			assert.equal(distinct, rows.length, 'no duplicate rows');
		});
	}

	if (wanted('kintone')) {
		await t.test('Kintone: 12 executions × 5,000 updates by key, adaptive concurrency', async () => {
			const executions = 12;
			const count = scaled(5_000);
			const tag = `QK${TAG}`;
			const app = backends.seed.kintone.app;
			const F = backends.seed.kintone.fields;
			for (let e = 0; e < executions; e++) {
				kintone.seedRecords(
					app,
					Array.from({ length: count }, (_, i) => ({ [F.code]: { value: `${tag}-${e}-${i}` }, [F.text]: { value: 'queue' } })),
				);
			}
			const revisions = new Map(kintone.records(app).filter((r) => String(r.record[F.code].value).startsWith(`${tag}-`)).map((r) => [r.id, Number(r.revision)]));
			const requestsBefore = kintone.server.requests.length;
			const refusalsBefore = kintone.concurrencyRefusals();
			const { runs, seconds } = await fireAndWait(
				stack,
				'q-kintone',
				Array.from({ length: executions }, (_, execution) => ({ execution, count, tag })),
				10 * 60_000,
			);
			const after = kintone.records(app).filter((r) => revisions.has(r.id));
			const writes = after.map((r) => Number(r.revision) - revisions.get(r.id));
			const updatedOnce = writes.filter((w) => w === 1).length;
			const twice = writes.filter((w) => w > 1).length;
			const failed = runs.reduce((s, r) => s + r.failed, 0);
			const peakAfter = kintone.peakConcurrencyAfterFirstRefusal();
			report({
				scenario: 'Kintone update 12×5,000 (adaptive concurrency)',
				executions: runs.length,
				written: updatedOnce + twice,
				expected: executions * count,
				duplicates: twice,
				'429s': kintone.concurrencyRefusals() - refusalsBefore,
				failed,
				seconds: Number(seconds.toFixed(1)),
				ideal: null,
				ratio: null,
				requests: kintone.server.requests.length - requestsBefore,
				perExecution: runs.map((r) => `#${r.id} ${r.status} ${r.written}+${r.failed}`).join(', '),
				peakInFlight: kintone.peakConcurrency(),
				peakInFlightAfterFirst429: peakAfter ?? null,
			});
			assert.equal(runs.length, executions);
			assert.equal(describeRuns(runs), '');
			assert.equal(failed, 0);
			assert.equal(updatedOnce, executions * count, 'every record updated exactly once');
			if (peakAfter !== undefined) assert.ok(peakAfter <= 100, `${peakAfter} requests in flight after the first 429`);
		});
	}

	if (wanted('tokens')) {
		await t.test('Token renewal: the aPaaS tenant token and the data-table user token expire while 6 + 6 executions run', async () => {
			const executions = 6;
			const apaasCount = scaled(3_000);
			const dtCount = scaled(5_000);
			apaas.setRateLimits(APAAS_WINDOWS, true);
			const tagA = `QT${TAG}`;
			const tagD = `QU${TAG}`;
			const grantsBefore = apaas.answers.filter((a) => a.path.includes('tenant_access_token')).length;
			const userTokensBefore = dataTable.tokenRequests;
			const apaasBefore = apaas.answers.length;
			const dtBefore = dataTable.server.requests.length;
			const apaasRequests = executions * Math.ceil(apaasCount / 50);
			const dtRequests = executions * Math.ceil(dtCount / 500);
			// Expire both tokens once a third of each service's writes went through.
			let expiredTenant = false;
			let expiredUser = false;
			const watcher = (async () => {
				const deadline = Date.now() + 10 * 60_000;
				while ((!expiredTenant || !expiredUser) && Date.now() < deadline) {
					if (!expiredTenant && apaas.answers.length - apaasBefore >= apaasRequests / 3) {
						apaas.expireTokens();
						expiredTenant = true;
					}
					if (!expiredUser && dataTable.server.requests.length - dtBefore >= dtRequests / 3) {
						dataTable.expireAccessTokens();
						expiredUser = true;
					}
					await sleep(20);
				}
			})();
			const [a, d] = await Promise.all([
				fireAndWait(stack, 'q-apaas', Array.from({ length: executions }, (_, execution) => ({ execution, count: apaasCount, tag: tagA })), 10 * 60_000),
				fireAndWait(stack, 'q-datatable', Array.from({ length: executions }, (_, execution) => ({ execution, count: dtCount, tag: tagD })), 10 * 60_000),
			]);
			await watcher;
			const tenantGrants = apaas.answers.filter((x) => x.path.includes('tenant_access_token')).length - grantsBefore;
			const userGrants = dataTable.tokenRequests - userTokensBefore;
			const recs = apaasRecords(`${tagA}-`);
			const all = await dataTable.rows(SEED.dataTable.workspace, SEED.dataTable.inventory);
			const rows = all.filter((r) => String(r.warehouse).startsWith(`${tagD}-`));
			const failed = [...a.runs, ...d.runs].reduce((s, r) => s + r.failed, 0);
			report({
				scenario: 'Token renewal (6 aPaaS + 6 Data Table executions)',
				executions: a.runs.length + d.runs.length,
				written: recs.rows + rows.length,
				expected: executions * (apaasCount + dtCount),
				duplicates: recs.rows - recs.distinct + rows.length - new Set(rows.map((r) => `${r.warehouse}|${r.sku}`)).size,
				'429s': apaas.answers.slice(apaasBefore).filter((x) => x.status === 429).length + dataTable429(dataTable, dtBefore),
				failed,
				seconds: Number(Math.max(a.seconds, d.seconds).toFixed(1)),
				ideal: null,
				ratio: null,
				expired: { tenant: expiredTenant, user: expiredUser },
				tenantTokenGrants: tenantGrants,
				userTokenGrants: userGrants,
			});
			assert.ok(expiredTenant && expiredUser, 'both tokens were expired mid-run');
			assert.equal(describeRuns([...a.runs, ...d.runs]), '');
			assert.equal(failed, 0);
			assert.equal(recs.distinct, executions * apaasCount);
			assert.equal(recs.rows, recs.distinct);
			assert.equal(rows.length, executions * dtCount);
			// Each execution renews at most once per expiry (its requests wait for one renewal); the
			// first requests of an execution may fetch one too when the stored token is not yet there.
			assert.ok(tenantGrants <= 2 * executions, `${tenantGrants} tenant token grants for ${executions} executions`);
			assert.ok(userGrants <= executions, `${userGrants} user token refreshes for ${executions} executions`);
		});
	}

	if (wanted('kill')) {
		await t.test('A worker killed (SIGKILL) in the middle of an execution: no record written twice by the package', async () => {
			const count = scaled(10_000);
			// 10 requests/s, so that the execution lasts long enough to be cut in the middle.
			apaas.setRateLimits([{ limit: 10, intervalMs: 1000 }], true);
			const tag = `QX${TAG}`;
			const creates = () => apaas.answers.filter((x) => x.path.endsWith('/records/batch_create') && x.status === 200).length;
			const createsBefore = creates();
			const since = await stack.lastExecutionId();
			const firedAt = Date.now();
			await stack.fire('q-apaas', { execution: 0, count, tag });
			const expectedRequests = Math.ceil(count / 50);
			const deadline = Date.now() + 120_000;
			while (creates() - createsBefore < expectedRequests / 3 && Date.now() < deadline) await sleep(50);
			const [execution] = await stack.executions('q-apaas', since);
			assert.ok(execution, 'the execution started');
			const victim = stack.workers.find((w) => w.startedExecutions().includes(String(execution.id)));
			assert.ok(victim, `a worker logged "Worker started execution ${execution.id}"`);
			const writtenAtKill = apaasRecords(`${tag}-`).rows;
			await victim.kill();
			const killedAt = Date.now();
			// What n8n does next is n8n's: a stalled job may be run again by the other worker (Bull
			// notices after its lock expires), or the execution stays crashed/running. Wait for either.
			let last = -1;
			let stableSince = Date.now();
			let state;
			while (Date.now() - killedAt < 120_000) {
				const now = apaasRecords(`${tag}-`).rows;
				const [e] = await stack.executions('q-apaas', since);
				state = e;
				if (now !== last) {
					last = now;
					stableSince = Date.now();
				}
				const ended = e && !['new', 'running', 'waiting', 'unknown'].includes(e.status);
				if (ended && Date.now() - stableSince > 3000) break;
				if (!ended && Date.now() - stableSince > 40_000) break;
				await sleep(1000);
			}
			const recs = apaasRecords(`${tag}-`);
			const rerunBy = stack.workers.filter((w) => w !== victim && w.startedExecutions().includes(String(execution.id))).length;
			report({
				scenario: 'Worker SIGKILL mid-execution (aPaaS 1×10,000 at 10 req/s)',
				executions: 1,
				written: recs.rows,
				expected: count,
				duplicates: recs.sameRun,
				'429s': null,
				failed: null,
				seconds: Number(((Date.now() - firedAt) / 1000).toFixed(1)),
				ideal: null,
				ratio: null,
				writtenAtKill,
				executionStatus: state && state.status,
				runsThatWrote: recs.runs,
				rerunByOtherWorker: rerunBy > 0,
				writtenByBothRuns: recs.acrossRuns,
			});
			assert.equal(recs.sameRun, 0, 'no record written twice within one run (the package never re-sent a create)');
			assert.equal(recs.distinct + recs.acrossRuns, recs.rows);
		});
	}

	const table = summary.map((r) => ({
		scenario: r.scenario,
		executions: r.executions,
		'written/expected': `${r.written}/${r.expected}`,
		duplicates: r.duplicates,
		'429s': r['429s'] ?? '—',
		'items failed': r.failed ?? '—',
		'wall s': r.seconds,
		'ideal s': r.ideal ?? '—',
		'wall/ideal': r.ratio ?? '—',
	}));
	process.stdout.write(`\n[queue] summary (suite ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s, 1 main + 2 workers):\n`);
	console.table(table);
	for (const r of summary) {
		const extra = Object.fromEntries(Object.entries(r).filter(([k]) => !['scenario', 'executions', 'written', 'expected', 'duplicates', '429s', 'failed', 'seconds', 'ideal', 'ratio'].includes(k)));
		if (Object.keys(extra).length) process.stdout.write(`[queue] ${r.scenario}: ${JSON.stringify(extra)}\n`);
	}
});

/** 429 answers of the data-table emulator after the `before`-th recorded request. */
function dataTable429(dataTable, before) {
	return dataTable.server.requests.slice(before).filter((r) => r.status === 429).length;
}

void CREDENTIALS;
