'use strict';
/**
 * `npm run demo`: the package inside a real n8n 2.41.1 against embedded emulators of kintone, Feishu
 * aPaaS and Feishu data tables, all on 127.0.0.1.
 *
 *   npm run demo                       run every workflow of examples/ and print a table
 *   npm run demo -- --serve            then keep the n8n editor on http://127.0.0.1:5678 (Ctrl-C stops)
 *   npm run demo -- --serve --port=5679 --latency=50
 *
 * Steps: installs n8n + Node 24 into e2e/node_modules when missing (bash e2e/setup.sh; first time
 * about 10 minutes), builds the package and the emulators, starts the emulators in this process,
 * packs the package and installs it into a temporary n8n user folder (SQLite) the way n8n installs
 * community packages, imports the credentials and the example workflows, runs each with
 * `n8n execute`, and prints per workflow: items in, records written (read back from the emulators'
 * state), requests the emulators received, failed items, seconds. The last line is
 * `N workflows, S succeeded, F failed`; the exit code is 0 only when every workflow succeeded.
 */
const net = require('node:net');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');

const n8n = require('./lib/n8n');

const DEMO_OWNER = { email: 'demo@example.com', password: 'Demo-Password-1234', firstName: 'Demo', lastName: 'User' };

function parseArgs(argv) {
	const args = { serve: false, port: 5678, latencyMs: 0 };
	for (const arg of argv) {
		if (arg === '--serve') args.serve = true;
		else if (/^--port=\d+$/.test(arg)) args.port = Number(arg.split('=')[1]);
		else if (/^--latency=\d+$/.test(arg)) args.latencyMs = Number(arg.split('=')[1]);
		else if (arg === '--help' || arg === '-h') {
			console.log('usage: npm run demo [-- --serve [--port=5678]] [--latency=<ms per emulator request>]');
			process.exit(0);
		} else {
			console.error(`unknown option ${arg} (try --help)`);
			process.exit(2);
		}
	}
	return args;
}

const started = Date.now();
const since = (t = started) => `${((Date.now() - t) / 1000).toFixed(1)}s`;
const step = (n, total, text) => console.log(`\n[${n}/${total}] ${text}`);
const info = (text) => console.log(`      ${text}`);

/** Runs a command with inherited output and says every 30 s that it is still going (and how far, if `progress`). */
function runVisible(cmd, args, options = {}, progress = () => '') {
	return new Promise((resolve, reject) => {
		const t0 = Date.now();
		const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
		const heartbeat = setInterval(() => info(`… still working (${since(t0)}${progress()})`), 30_000);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearInterval(heartbeat);
			if (code === 0) resolve();
			else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal || `exit ${code}`})`));
		});
	});
}

/** Runs a command with its output captured; rejects with the output's tail when it fails. */
function runCaptured(cmd, args, what) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: n8n.REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed:\n${output.slice(-4000)}`))));
	});
}

/** How much of n8n is in e2e/node_modules so far, for the progress lines of the first install. */
function installedSize() {
	try {
		const mb = Number(execFileSync('du', ['-sm', path.join(n8n.E2E_DIR, 'node_modules')], { encoding: 'utf8', timeout: 10_000 }).split('\t')[0]);
		// npm downloads everything before it writes node_modules.
		return mb < 50 ? '; npm is downloading the packages' : `; e2e/node_modules: ${(mb / 1024).toFixed(1)} of about 3 GB`;
	} catch {
		return '';
	}
}

function portIsFree(port) {
	return new Promise((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

function pad(text, width, right = false) {
	const s = String(text);
	return right ? s.padStart(width) : s.padEnd(width);
}

function printTable(rows) {
	const nameWidth = Math.max(8, ...rows.map((row) => row.name.length));
	const header = `  ${pad('#', 2, true)}  ${pad('Workflow', nameWidth)}  ${pad('Items in', 8, true)}  ${pad('Written', 7, true)}  ${pad('Requests', 8, true)}  ${pad('Failures', 8, true)}  ${pad('Seconds', 7, true)}  Result`;
	console.log(header);
	console.log(`  ${'-'.repeat(header.length - 2)}`);
	rows.forEach((row, index) => {
		console.log(
			`  ${pad(index + 1, 2, true)}  ${pad(row.name, nameWidth)}  ${pad(row.itemsIn, 8, true)}  ${pad(row.written, 7, true)}  ${pad(row.requests, 8, true)}  ${pad(row.failures, 8, true)}  ${pad(row.seconds, 7, true)}  ${row.result}`,
		);
	});
}

/**
 * Whether a run did what an example should: it finished, every input item of the write nodes has
 * exactly one output item, failed items left only on an error output (routed on purpose), and the
 * emulators show exactly one record written per successful item (none for what a Sync left
 * unchanged, one per record it removed).
 */
function judge(result) {
	const { summary } = result;
	if (result.error) return `FAILED: ${String(result.error).split('\n')[0].slice(0, 120)}`;
	if (summary.itemsIn === 0) return 'FAILED: the node received no items';
	if (summary.itemsOut !== summary.itemsIn) return `FAILED: ${summary.itemsIn} items in, ${summary.itemsOut} out`;
	const paired = summary.items.map((item) => item.pairedItem && item.pairedItem.item).sort((a, b) => a - b);
	if (paired.some((value, index) => value !== index)) return 'FAILED: output items not paired one to one with input items';
	const unrouted = summary.items.filter((item) => item.failed && item.branch === 0);
	if (unrouted.length) return `FAILED: ${unrouted.length} item(s) failed: ${String(unrouted[0].json.error).slice(0, 100)}`;
	const expected = summary.itemsIn - summary.failures - summary.unchanged + summary.removed;
	if (result.recordsWritten !== expected) return `FAILED: ${result.recordsWritten} records written, expected ${expected}`;
	const notes = [
		summary.unchanged ? `${summary.unchanged} unchanged, not written` : '',
		summary.removed ? `${summary.removed} removed` : '',
		summary.failures ? `${summary.failures} bad item(s) → error output, as designed` : '',
	].filter(Boolean);
	return notes.length ? `ok (${notes.join('; ')})` : 'ok';
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const total = args.serve ? 7 : 6;
	let backends;
	let userFolder;
	let server;
	let cleaning = false;
	const cleanup = async () => {
		if (cleaning) return;
		cleaning = true;
		if (server) await server.stop().catch(() => undefined);
		if (backends) await backends.close().catch(() => undefined);
		n8n.removeUserFolder(userFolder);
	};
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => {
			console.log(`\n${signal}: stopping n8n and the emulators…`);
			void cleanup().then(() => process.exit(args.serve && server ? 0 : 130));
		});
	}

	console.log('n8n-nodes-bulk-records demo: the package in a real n8n, against local emulators (127.0.0.1 only)');
	// Checked now rather than after the workflows ran (and again before n8n starts).
	if (args.serve && !(await portIsFree(args.port))) {
		console.error(`port ${args.port} on 127.0.0.1 is in use (another n8n?). Choose another: npm run demo -- --serve --port=5679`);
		process.exit(1);
	}

	try {
		step(1, total, 'n8n 2.41.1 + Node 24 in e2e/node_modules (bash e2e/setup.sh)');
		if (n8n.isInstalled()) {
			info('already installed');
		} else {
			info('Not installed yet: installing now. First time only: about 10 minutes and 3 GB');
			info('(npm ci of about 2,200 packages, then sqlite3 is compiled for Node 24). Progress follows.');
		}
		await runVisible('bash', [path.join(n8n.E2E_DIR, 'setup.sh')], { env: { ...process.env, CI: process.env.CI || 'true' } }, installedSize);

		step(2, total, 'Building the package (npm run build, npm pack) and the emulators (npm run build:emulators)');
		let t0 = Date.now();
		const emulatorsBuilt = runCaptured('npm', ['run', 'build:emulators'], 'npm run build:emulators'); // alongside the package build
		const tarball = n8n.pack({ build: true });
		await emulatorsBuilt;
		info(`${path.basename(tarball)} packed; emulators compiled to e2e/.build (${since(t0)})`);

		step(3, total, 'Starting the emulators in this process');
		t0 = Date.now();
		const { startBackends } = require('./lib/backends');
		backends = await startBackends({ latencyMs: args.latencyMs });
		info(`kintone            ${backends.kintone.url}   app ${backends.seed.kintone.app} "案件管理" (20 projects, CJK field codes)`);
		info(`Feishu aPaaS       ${backends.apaas.url}   ${backends.seed.apaas.namespace} / ${backends.seed.apaas.object} (30 orders)`);
		info(`Feishu data table  ${backends.dataTable.url}   ${backends.seed.dataTable.workspace} / ${backends.seed.dataTable.inventory} (PGlite; key warehouse+sku)`);
		info(`ready in ${since(t0)}`);

		step(4, total, 'Fresh n8n user folder (SQLite): install the package, import credentials and example workflows');
		t0 = Date.now();
		userFolder = await n8n.createMigratedUserFolder('n8n-bulk-records-demo-');
		const installed = n8n.packAndInstall(userFolder, { tarball });
		info(`installed ${installed.packageName}@${installed.version} into ${path.join(userFolder, '.n8n', 'nodes')}`);
		await n8n.importCredentials(userFolder, backends.credentials);
		info(`credentials: ${backends.credentials.map((c) => c.name).join(', ')}`);
		const { loadExamples, runExample } = require('./lib/examples');
		const list = loadExamples();
		await n8n.importWorkflow(userFolder, list.map((example) => example.workflow));
		info(`workflows: ${list.length} from examples/ (${since(t0)})`);

		step(5, total, `Running ${list.length} workflows with \`n8n execute\` (each starts an n8n CLI process: ~7-10 s)`);
		const rows = [];
		for (const [index, { file, workflow }] of list.entries()) {
			t0 = Date.now();
			let row;
			try {
				const result = await runExample(userFolder, backends, workflow);
				const verdict = judge(result);
				row = {
					name: workflow.name,
					itemsIn: result.summary.itemsIn,
					written: result.recordsWritten,
					requests: result.requests,
					failures: result.summary.failures,
					seconds: Number.isFinite(result.seconds) ? result.seconds.toFixed(1) : '?',
					result: verdict,
					ok: verdict.startsWith('ok'),
				};
			} catch (error) {
				row = { name: workflow.name, itemsIn: '-', written: '-', requests: '-', failures: '-', seconds: '-', result: `FAILED: ${String(error.message).split('\n')[0]}`, ok: false };
			}
			rows.push(row);
			info(`${index + 1}/${list.length} ${file}: ${row.ok ? 'ok' : 'FAILED'} (${since(t0)})`);
		}

		step(6, total, 'Results (Seconds: the run inside n8n; Written: records changed in the emulators; Requests: received by the emulators)');
		console.log('');
		printTable(rows);
		const succeeded = rows.filter((row) => row.ok).length;
		const failed = rows.length - succeeded;
		console.log('');
		console.log(`Total time ${since()}. Example workflows: examples/ (import them into your own n8n; see examples/README.md).`);
		console.log(`${rows.length} workflows, ${succeeded} succeeded, ${failed} failed`);

		if (failed > 0 || !args.serve) {
			await cleanup();
			process.exit(failed > 0 ? 1 : 0);
		}

		step(7, total, `Starting the n8n editor on http://127.0.0.1:${args.port}`);
		t0 = Date.now();
		if (!(await portIsFree(args.port))) {
			throw new Error(`port ${args.port} on 127.0.0.1 is in use (another n8n?). Choose another: npm run demo -- --serve --port=5679`);
		}
		server = await n8n.startN8n(userFolder, args.port, { timeoutMs: 180_000 });
		await n8n.setupOwner(server.url, DEMO_OWNER);
		console.log('');
		console.log(`  n8n editor:   ${server.url}   (ready in ${since(t0)})`);
		console.log(`  demo login:   ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`);
		console.log('  credentials:  already set up, pointing at the emulators above');
		console.log('  workflows:    the examples, with the runs above under Executions');
		console.log(`  user folder:  ${userFolder} (deleted on exit)`);
		console.log('');
		console.log('Press Ctrl-C to stop n8n and the emulators.');
		await new Promise(() => undefined); // until a signal
	} catch (error) {
		console.error(`\ndemo failed: ${error.message}`);
		await cleanup();
		process.exit(1);
	}
}

if (require.main === module) void main();

module.exports = { judge };
