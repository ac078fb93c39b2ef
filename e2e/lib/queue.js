'use strict';
/**
 * n8n in queue mode on loopback, for e2e/queue.test.js: its own Redis and its own PostgreSQL cluster
 * in temp folders, one user folder shared by one `n8n start` (main) and several `n8n worker`s, the
 * packed package installed in it, credentials and webhook-triggered workflows imported and
 * published. Built on the harness (lib/n8n.js); the set-up follows
 * /work/shared/reference/queue-mode.md (verified with n8n 2.41.1, redis-server 7, PostgreSQL 15).
 *
 *   const stack = await startQueueStack({ workers: 2, credentials, workflows });
 *   await stack.fire('q-apaas', { execution: 0, count: 10000 });   // POST /webhook/q-apaas
 *   const runs = await stack.waitForExecutions(workflowId, 6, sinceId);
 *   await stack.stop();
 *
 * Everything started here is stopped by stop(), and by a process 'exit' hook when a test dies
 * first (n8n process groups through the harness, Redis by its PID, PostgreSQL by `pg_ctl stop`).
 * Secrets (the encryption key, credential data) are never logged.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, execFileSync } = require('node:child_process');
const n8n = require('./n8n');
const { E2E_DIR } = require('./n8n/install');
const { N8N_BIN_JS, node24Bin } = require('./n8n/install');
const { trackGroup, untrackGroup, killGroup, tail } = require('./n8n/processes');
const { httpGet, httpJson } = require('./n8n/http');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What stop() and the exit hook must undo, last started first. */
const cleanups = [];
let exitHook = false;
function onExit(fn) {
	cleanups.push(fn);
	if (!exitHook) {
		exitHook = true;
		process.on('exit', () => {
			for (const f of cleanups.splice(0).reverse()) {
				try {
					f();
				} catch {
					/* best effort */
				}
			}
		});
	}
	return () => {
		const i = cleanups.indexOf(fn);
		if (i !== -1) cleanups.splice(i, 1);
	};
}

/** The folder holding PostgreSQL's binaries (Debian: /usr/lib/postgresql/<version>/bin), or null. */
function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	if (fs.existsSync(root)) {
		const versions = fs
			.readdirSync(root)
			.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length) return path.join(root, versions[0], 'bin');
	}
	try {
		return path.dirname(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim()) || null;
	} catch {
		return null;
	}
}

function redisServerBin() {
	try {
		return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
	} catch {
		return null;
	}
}

/** Why queue mode cannot run here (missing redis-server/PostgreSQL), or undefined when it can. */
function missingPrerequisites() {
	const missing = [];
	if (!redisServerBin()) missing.push('redis-server (apt-get install redis-server)');
	if (!postgresBinDir()) missing.push('PostgreSQL (apt-get install postgresql)');
	if (!n8n.isInstalled()) missing.push('the e2e n8n (bash e2e/setup.sh)');
	return missing.length ? missing.join(', ') : undefined;
}

/** Redis on 127.0.0.1:<port>, no persistence, as a child process of this one. */
async function startRedis(port) {
	const child = spawn(redisServerBin(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	trackGroup(child.pid);
	let log = '';
	child.stdout.on('data', (d) => (log += d));
	child.stderr.on('data', (d) => (log += d));
	const deadline = Date.now() + 20_000;
	while (!/Ready to accept connections/.test(log)) {
		if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${tail(log)}`);
		await sleep(100);
	}
	return {
		port,
		stop: async () => {
			killGroup(child.pid, 'SIGKILL');
			untrackGroup(child.pid);
		},
	};
}

/**
 * A PostgreSQL cluster of its own in a temp folder, on 127.0.0.1:<port> and a socket in that folder,
 * trust authentication (loopback only). PostgreSQL refuses to run as root: as root, the folder is
 * given to the `postgres` user and the commands run as that user.
 */
async function startPostgres(port) {
	const bin = postgresBinDir();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pg-'));
	const data = path.join(dir, 'data');
	const asRoot = process.getuid && process.getuid() === 0;
	if (asRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
	const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
	const runPg = (args) => {
		const command = args.map(quote).join(' ');
		const [cmd, argv] = asRoot ? ['su', ['postgres', '-s', '/bin/sh', '-c', command]] : ['sh', ['-c', command]];
		return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, timeout: 120_000 });
	};
	const stopCluster = () => {
		try {
			runPg([path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']);
		} catch {
			/* not running */
		}
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const forget = onExit(stopCluster);
	try {
		runPg([path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
		runPg([
			path.join(bin, 'pg_ctl'),
			'-D',
			data,
			'-l',
			path.join(dir, 'postgres.log'),
			'-w',
			'start',
			'-o',
			`-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
		]);
		runPg([path.join(bin, 'createdb'), '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'n8n']);
	} catch (error) {
		forget();
		stopCluster();
		throw new Error(`PostgreSQL did not start: ${error.message}\n${error.stderr || ''}`);
	}
	return {
		port,
		database: 'n8n',
		user: 'postgres',
		stop: async () => {
			forget();
			stopCluster();
		},
	};
}

/** A `pg` client on the cluster (pg comes with n8n in e2e/node_modules). */
async function pgClient(pg) {
	const { Client } = require(path.join(E2E_DIR, 'node_modules', 'pg'));
	const client = new Client({ host: '127.0.0.1', port: pg.port, user: pg.user, database: pg.database });
	await client.connect();
	return client;
}

/**
 * Starts `n8n worker` and waits until its health check answers. Its log is kept (last 2 MB) for
 * "Worker started execution N" lines.
 */
async function startWorker(userFolder, env, options = {}) {
	const healthPort = await n8n.getFreePort();
	const brokerPort = await n8n.getFreePort();
	const childEnv = n8n.n8nEnv(userFolder, {
		...env,
		N8N_RUNNERS_BROKER_PORT: brokerPort,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: healthPort,
	});
	const child = spawn(node24Bin(), [N8N_BIN_JS, 'worker', `--concurrency=${options.concurrency ?? 10}`], {
		cwd: userFolder,
		env: childEnv,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	trackGroup(child.pid);
	let log = '';
	const onData = (d) => {
		log += d.toString('utf8');
		if (log.length > 2_000_000) log = log.slice(-1_000_000);
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
	const stop = async (signal = 'SIGTERM', timeoutMs = 15_000) => {
		if (!exited) {
			killGroup(child.pid, signal);
			const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
			await exitPromise;
			clearTimeout(t);
		}
		killGroup(child.pid, 'SIGKILL');
		untrackGroup(child.pid);
	};
	const deadline = Date.now() + (options.timeoutMs ?? 120_000);
	for (;;) {
		if (exited) throw new Error(`n8n worker exited early (${JSON.stringify(exited)}):\n${tail(log)}`);
		try {
			const r = await httpGet(`http://127.0.0.1:${healthPort}/healthz/readiness`, 2000);
			if (r.status === 200) break;
		} catch {
			/* not listening yet */
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n worker did not become ready:\n${tail(log)}`);
		}
		await sleep(500);
	}
	return {
		pid: child.pid,
		logs: () => log,
		/** Execution ids this worker logged as started. */
		startedExecutions: () => [...log.matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]),
		exited: () => exited,
		stop,
		/** SIGKILL to the worker's whole process group (its task runner too), as a crash would. */
		kill: async () => stop('SIGKILL', 5_000),
	};
}

/**
 * Redis, PostgreSQL, one user folder with the packed package, credentials and workflows imported
 * and published, then one main and `workers` workers. Workflows must start with a Webhook node.
 *
 * @param {{workers?: number, credentials: object[], workflows: object[], tarball?: string, log?: (line: string) => void}} options
 */
async function startQueueStack(options) {
	const log = options.log || (() => {});
	const started = [];
	const t0 = Date.now();
	try {
		const redis = await startRedis(await n8n.getFreePort());
		started.push(redis);
		const pg = await startPostgres(await n8n.getFreePort());
		started.push(pg);
		log(`redis on ${redis.port}, PostgreSQL on ${pg.port} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

		const userFolder = n8n.createUserFolder('n8n-e2e-queue-');
		started.push({ stop: async () => n8n.removeUserFolder(userFolder) });
		const installed = n8n.packAndInstall(userFolder, { tarball: options.tarball || n8n.packOnce() });
		log(`${installed.packageName}@${installed.version} installed in the shared user folder`);

		// Every process: one database, one Redis, one encryption key, one user folder.
		const env = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: pg.port,
			DB_POSTGRESDB_DATABASE: pg.database,
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: redis.port,
			N8N_ENCRYPTION_KEY: crypto.randomBytes(24).toString('hex'),
			...(options.env || {}),
		};
		await n8n.importCredentials(userFolder, options.credentials, { env });
		for (const wf of options.workflows) {
			await n8n.importWorkflow(userFolder, wf, { env });
			const res = await n8n.runN8n(userFolder, ['publish:workflow', `--id=${wf.id}`], { env });
			if (!/publish|activat/i.test(res.stdout + res.stderr) || /error/i.test(res.stderr.split('\n').filter((l) => !/deprecat|warn/i.test(l)).join('\n'))) {
				log(`publish:workflow ${wf.id}: ${tail(res.stdout + res.stderr, 5).replace(/\s+/g, ' ')}`);
			}
		}
		log(`credentials and ${options.workflows.length} workflows imported and published (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

		const [main, ...workers] = await Promise.all([
			n8n.startN8n(userFolder, undefined, { env }),
			...Array.from({ length: options.workers ?? 2 }, () => startWorker(userFolder, env)),
		]);
		started.push(main, ...workers);
		log(`main on ${main.url} and ${workers.length} workers ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

		const db = await pgClient(pg);
		started.push({ stop: async () => db.end().catch(() => {}) });

		return {
			userFolder,
			main,
			workers,
			redis,
			pg,
			db,
			/** POST <main>/webhook/<path> with a JSON body; resolves when main has queued the execution. */
			// Main registers the published workflows' webhooks a few seconds after it reports ready:
			// until then a webhook answers 404 "not registered", and is tried again.
			fire: async (webhookPath, body) => {
				const deadline = Date.now() + 60_000;
				for (;;) {
					const r = await httpJson('POST', `${main.url}/webhook/${webhookPath}`, body, {}, 60_000);
					if (r.status === 200) return r.json;
					if (!(r.status === 404 && /not registered/.test(r.body)) || Date.now() > deadline) {
						throw new Error(`POST /webhook/${webhookPath}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
					}
					await sleep(500);
				}
			},
			lastExecutionId: async () => {
				const r = await db.query('select coalesce(max(id), 0) as id from execution_entity');
				return Number(r.rows[0].id);
			},
			/** Executions of a workflow after `sinceId`: id, status, finished, startedAt, stoppedAt. */
			executions: async (workflowId, sinceId = 0) => {
				const r = await db.query(
					'select id, status, finished, "startedAt", "stoppedAt" from execution_entity where "workflowId" = $1 and id > $2 order by id',
					[workflowId, sinceId],
				);
				return r.rows.map((row) => ({ ...row, id: Number(row.id) }));
			},
			/**
			 * Waits until `count` executions of the workflow after `sinceId` have ended (any status but
			 * new/running/waiting), or `timeoutMs` passed; returns them as they are then.
			 */
			waitForExecutions: async (workflowId, count, sinceId, timeoutMs = 600_000) => {
				const deadline = Date.now() + timeoutMs;
				for (;;) {
					const r = await db.query(
						'select id, status, "startedAt", "stoppedAt" from execution_entity where "workflowId" = $1 and id > $2 order by id',
						[workflowId, sinceId],
					);
					const done = r.rows.filter((row) => !['new', 'running', 'waiting', 'unknown'].includes(row.status));
					if ((r.rows.length >= count && done.length === r.rows.length) || Date.now() > deadline) {
						return r.rows.map((row) => ({ ...row, id: Number(row.id) }));
					}
					await sleep(1000);
				}
			},
			/** A stored run (IRun-like {id, status, data}) with its run data parsed, for lib/n8n's runData helpers. */
			readRun: async (executionId) => {
				const r = await db.query(
					'select e.id, e.status, e.finished, e."startedAt", e."stoppedAt", d.data from execution_entity e left join execution_data d on d."executionId" = e.id where e.id = $1',
					[executionId],
				);
				if (!r.rows.length) return null;
				const row = r.rows[0];
				const flatted = require(path.join(E2E_DIR, 'node_modules', 'flatted'));
				return { id: String(row.id), status: row.status, finished: row.finished, startedAt: row.startedAt, stoppedAt: row.stoppedAt, data: row.data ? flatted.parse(row.data) : undefined };
			},
			stop: async () => {
				for (const s of started.splice(0).reverse()) await s.stop().catch(() => {});
			},
		};
	} catch (error) {
		for (const s of started.splice(0).reverse()) await s.stop().catch(() => {});
		throw error;
	}
}

module.exports = {
	startQueueStack,
	missingPrerequisites,
	startRedis,
	startPostgres,
	startWorker,
};
