'use strict';
/**
 * The package under test: `npm run build` + `npm pack` of the repository (the tarball's temp dir is
 * removed on exit), and `npm install` of the tarball into a user folder the way n8n installs
 * community packages.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { REPO_DIR } = require('./install');
const { removeOnExit, tail } = require('./processes');

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

module.exports = {
	pack,
	packOnce,
	packAndInstall,
};
