'use strict';
/**
 * Where the n8n process's CPU goes while a node runs, from a V8 CPU profile (`--cpu-prof`) of the
 * n8n process: each sample inside the node's execution window is put in one category by its stack.
 */
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE = /n8n-nodes-bulk-records\//;
// n8n's work for every request a node makes through httpRequestWithAuthentication: loading the
// credential from the database and decrypting it, resolving its authentication (expressions), the
// HTTP client and sockets.
const REQUEST_HELPER =
	/credentials-helper|request-helpers|\/credentials\.js|encryption|cipher|@n8n\/typeorm|sqlite3|expression|tournament|axios|follow-redirects|node:_http|node:net|node:tls|node:internal\/(crypto|streams|stream_base)/;

const CATEGORIES = {
	package: 'this package (incl. n8n calls it makes directly, e.g. reading parameters)',
	requestHelper: "n8n's per-request work (credential load/decrypt/authenticate, HTTP client)",
	gc: 'garbage collection',
	other: 'other (n8n engine, runtime)',
};

/** The profile an n8n process with this pid wrote into `dir`. */
function profileFileOf(dir, pid) {
	const name = fs.readdirSync(dir).find((file) => file.endsWith('.cpuprofile') && file.includes(`.${pid}.`));
	return name ? path.join(dir, name) : undefined;
}

/**
 * Milliseconds of CPU per category within `window` (epoch ms), using the probe's clock pair to map
 * run-data times onto the profile's monotonic clock.
 */
function cpuBreakdown(file, window, clocks) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const toMonotonicUs = (epochMs) => clocks.monotonicUs + (epochMs - clocks.dateMs) * 1000;
	const from = toMonotonicUs(window.start);
	const to = toMonotonicUs(window.end);
	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children || []) parent.set(child, node.id);
	const categoryOf = new Map();
	const classify = (id) => {
		if (categoryOf.has(id)) return categoryOf.get(id);
		const leaf = nodes.get(id).callFrame.functionName;
		let category;
		if (leaf === '(idle)') category = 'idle';
		else if (leaf === '(garbage collector)') category = 'gc';
		else {
			// The innermost frame that is either decides: n8n's request work called from the package
			// counts as n8n's, the package's code called from n8n's engine as the package's.
			category = 'other';
			for (let at = id; at !== undefined; at = parent.get(at)) {
				const url = nodes.get(at).callFrame.url;
				if (PACKAGE.test(url)) {
					category = 'package';
					break;
				}
				if (REQUEST_HELPER.test(url)) {
					category = 'requestHelper';
					break;
				}
			}
		}
		categoryOf.set(id, category);
		return category;
	};
	const totals = { package: 0, requestHelper: 0, gc: 0, other: 0, idle: 0 };
	let time = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		time += profile.timeDeltas[i];
		if (time < from || time > to) continue;
		totals[classify(profile.samples[i])] += profile.timeDeltas[i] / 1000;
	}
	return totals;
}

module.exports = { profileFileOf, cpuBreakdown, CATEGORIES };
