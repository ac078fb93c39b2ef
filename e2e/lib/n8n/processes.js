'use strict';
/**
 * Child processes and process groups: the process groups and temp dirs this process started, cleaned
 * up when it exits (the only module holding that state), signalling a group, and describing a failed
 * command from its output tail.
 */
const fs = require('node:fs');

/** Temp dirs (packed tarballs) removed when this process exits. */
const tempDirs = new Set();
let tempHookInstalled = false;
function removeOnExit(dir) {
	tempDirs.add(dir);
	if (!tempHookInstalled) {
		tempHookInstalled = true;
		process.on('exit', () => {
			for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
		});
	}
}

/** Process groups started by the harness (runN8n, startN8n), killed on exit if still alive. */
const liveGroups = new Set();
let exitHookInstalled = false;
function trackGroup(pid) {
	liveGroups.add(pid);
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.on('exit', () => {
			for (const gid of liveGroups) {
				try {
					process.kill(-gid, 'SIGKILL');
				} catch {
					/* already gone */
				}
			}
		});
	}
}

/** Forgets a process group that has been reaped (it is then no longer killed on exit). */
function untrackGroup(pid) {
	liveGroups.delete(pid);
}

function killGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

function tail(text, lines = 40) {
	return String(text).split('\n').slice(-lines).join('\n');
}

function describeFailure(what, res) {
	return (
		`${what} failed (exit ${res.code}${res.signal ? `, signal ${res.signal}` : ''}${res.timedOut ? ', timed out' : ''}).\n` +
		`--- stdout (tail) ---\n${tail(res.stdout)}\n--- stderr (tail) ---\n${tail(res.stderr)}`
	);
}

module.exports = {
	removeOnExit,
	trackGroup,
	untrackGroup,
	killGroup,
	tail,
	describeFailure,
};
