'use strict';
/**
 * Preloaded into the n8n process under test (`NODE_OPTIONS=--require <this file>`): samples the
 * process's CPU time (and that of its child processes, i.e. the JS task runner that runs Code
 * nodes) every SAMPLE_MS, and at exit writes the samples plus the peak RSS (VmHWM) to
 * $BENCH_PROBE_FILE. The benchmark then takes the CPU spent inside a node's execution window
 * (runData startTime .. startTime + executionTime) from these samples.
 *
 * n8n starts its task runner with an allow-listed environment without NODE_OPTIONS, so only the
 * main n8n process loads this file.
 */
const fs = require('node:fs');

const file = process.env.BENCH_PROBE_FILE;
const SAMPLE_MS = 20;
// Linux reports child CPU in clock ticks; 100 per second on every mainstream kernel config.
const TICK_MS = 10;

function childPids() {
	const pids = [];
	try {
		for (const tid of fs.readdirSync('/proc/self/task')) {
			const text = fs.readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim();
			if (text) pids.push(...text.split(/\s+/));
		}
	} catch {
		/* kernel without the children file: child CPU is reported as 0 */
	}
	return pids;
}

/** Cumulative user+system ms of one process, from /proc/<pid>/stat (fields 14 and 15). */
function cpuMsOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
	} catch {
		return undefined;
	}
}

function vmHwmKb() {
	const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
	return match ? Number(match[1]) : undefined;
}

if (file) {
	/** [time ms, own CPU ms, children CPU ms] */
	const samples = [];
	// Child CPU keeps counting after a child exits (its last value is remembered per pid).
	const childCpu = new Map();
	const sample = () => {
		for (const pid of childPids()) {
			const ms = cpuMsOf(pid);
			if (ms !== undefined) childCpu.set(pid, ms);
		}
		let children = 0;
		for (const ms of childCpu.values()) children += ms;
		const own = process.cpuUsage();
		samples.push([Date.now(), (own.user + own.system) / 1000, children]);
	};
	sample();
	setInterval(sample, SAMPLE_MS).unref();
	// Wall clock and monotonic clock at one instant: maps run-data times onto a V8 CPU profile's clock.
	const clocks = { dateMs: Date.now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) };
	process.on('exit', () => {
		sample();
		fs.writeFileSync(file, JSON.stringify({ pid: process.pid, vmHwmKb: vmHwmKb(), clocks, samples }));
	});
}
