'use strict';
/**
 * `n8n start` (editor + REST on 127.0.0.1): starting it and waiting for readiness, stopping it with its
 * process group, creating the owner, and fetching the node and credential types it knows.
 */
const { spawn } = require('node:child_process');
const { N8N_BIN_JS, node24Bin, assertInstalled } = require('./install');
const { n8nEnv } = require('./env');
const { getFreePort, httpGet, httpJson } = require('./http');
const { trackGroup, untrackGroup, killGroup, tail } = require('./processes');

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
		untrackGroup(child.pid);
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

module.exports = {
	startN8n,
	stopN8n,
	setupOwner,
	fetchNodeTypes,
	fetchCredentialTypes,
};
