'use strict';
/**
 * n8n CLI commands under Node 24, each in its own process group: any command (runN8n), importing
 * credentials and workflows, `n8n execute` with its run JSON parsed (or read back from the database),
 * and `n8n export:nodes`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { N8N_BIN_JS, node24Bin, assertInstalled } = require('./install');
const { n8nEnv } = require('./env');
const { getFreePort } = require('./http');
const { trackGroup, untrackGroup, killGroup, describeFailure } = require('./processes');
const { readExecution, lastExecutionId } = require('./executions');

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
			untrackGroup(child.pid);
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			// Reap anything the command left behind in its group (e.g. a task runner).
			killGroup(child.pid, 'SIGKILL');
			untrackGroup(child.pid);
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

module.exports = {
	runN8n,
	importCredentials,
	importWorkflow,
	parseExecuteOutput,
	executeWorkflow,
	exportNodeTypes,
};
