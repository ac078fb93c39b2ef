'use strict';
/**
 * The environment every n8n process (CLI command or `n8n start`) runs with: Node 24 first on PATH, an
 * isolated user folder, no calls to n8n's cloud services, loopback only.
 */
const path = require('node:path');

const { NODE24_DIR, node24Path } = require('./install');

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
		// File nodes read and write only here (n8n's default is ~/.n8n-files): the example files (userFolder.js).
		N8N_RESTRICT_FILE_ACCESS_TO: path.join(userFolder, 'files'),
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

module.exports = {
	n8nEnv,
};
