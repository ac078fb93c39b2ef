'use strict';
/**
 * Throw-away n8n user folders (N8N_USER_FOLDER): empty, or copied from a cached already-migrated
 * database in e2e/.cache/, and their removal.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { E2E_DIR, REPO_DIR, assertInstalled } = require('./install');
const { describeFailure } = require('./processes');
const { runN8n } = require('./cli');

/**
 * Creates a fresh, empty N8N_USER_FOLDER (n8n keeps its data in `<folder>/.n8n`).
 * @returns {string} absolute path
 */
function createUserFolder(prefix = 'n8n-e2e-') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(path.join(dir, '.n8n'), { recursive: true });
	provideExampleFiles(dir);
	return dir;
}

/**
 * The files the example workflows read (examples/files) in `<userFolder>/files`, the one folder n8n's
 * file nodes may read here (N8N_RESTRICT_FILE_ACCESS_TO, see env.js); relative paths in a workflow
 * are relative to the user folder, where n8n runs.
 */
function provideExampleFiles(dir) {
	fs.cpSync(path.join(REPO_DIR, 'examples', 'files'), path.join(dir, 'files'), { recursive: true });
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
	provideExampleFiles(dir);
	return dir;
}

/** Removes a user folder created by createUserFolder (no-op when it does not exist). */
function removeUserFolder(userFolder) {
	if (!userFolder) return;
	fs.rmSync(userFolder, { recursive: true, force: true, maxRetries: 3 });
}

module.exports = {
	createUserFolder,
	createMigratedUserFolder,
	removeUserFolder,
};
