'use strict';
/**
 * Stored executions, read from the user folder's SQLite database (read-only, so safe while `n8n start`
 * runs) by a small script under Node 24, where e2e/node_modules provides sqlite3.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { E2E_DIR, node24Bin, node24Path } = require('./install');

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

module.exports = {
	readExecution,
	lastExecutionId,
};
