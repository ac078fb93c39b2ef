'use strict';
/** Turning one run (n8n's run data, the probe's samples, the emulator's request log) into figures. */

/** The span from the first start to the last end of the given nodes' runs (all runs of a loop). */
function executionWindow(run, nodeNames) {
	const runData = (run && run.data && run.data.resultData && run.data.resultData.runData) || {};
	let start = Infinity;
	let end = -Infinity;
	for (const name of nodeNames) {
		for (const task of runData[name] || []) {
			start = Math.min(start, task.startTime);
			end = Math.max(end, task.startTime + (task.executionTime || 0));
		}
	}
	return Number.isFinite(start) ? { start, end } : undefined;
}

/** Cumulative CPU ms (own + children) at time t, interpolated between the probe's samples. */
function cpuAt(samples, t) {
	const total = (s) => s[1] + s[2];
	if (t <= samples[0][0]) return total(samples[0]);
	for (let i = 1; i < samples.length; i++) {
		const [t1] = samples[i];
		if (t1 >= t) {
			const [t0] = samples[i - 1];
			const f = t1 === t0 ? 1 : (t - t0) / (t1 - t0);
			return total(samples[i - 1]) + f * (total(samples[i]) - total(samples[i - 1]));
		}
	}
	return total(samples[samples.length - 1]);
}

function cpuInWindow(probe, window) {
	if (!probe || !probe.samples || probe.samples.length === 0 || !window) return undefined;
	return cpuAt(probe.samples, window.end) - cpuAt(probe.samples, window.start);
}

const RATE_LIMIT_TEXT = /429|too many requests|rate limit|frequency limit|GAIA_TO04|99991400/i;

/**
 * What the user sees of rate limiting: output items of the last measured node that carry an error
 * mentioning it, plus a run that stopped on such an error. `errorItems` counts every error item.
 */
function surfacedErrors(run, lastNode) {
	const runData = run.data.resultData.runData[lastNode] || [];
	let errorItems = 0;
	let rateLimited = 0;
	const samples = [];
	for (const task of runData) {
		for (const output of (task.data && task.data.main) || []) {
			for (const item of output || []) {
				const error = item.json && item.json.error !== undefined ? item.json.error : item.error;
				if (error === undefined) continue;
				errorItems++;
				const text = typeof error === 'string' ? error : JSON.stringify(error);
				if (RATE_LIMIT_TEXT.test(text)) rateLimited++;
				if (samples.length < 3) samples.push(text.slice(0, 300));
			}
		}
	}
	const runError = run.data.resultData.error;
	const runErrorText = runError ? `${runError.message || ''} ${runError.description || ''} ${runError.httpCode || ''}` : '';
	if (runError && RATE_LIMIT_TEXT.test(runErrorText)) rateLimited++;
	return { errorItems, rateLimited, runError: runError ? runErrorText.trim().slice(0, 300) : undefined, samples };
}

/** Requests an emulator logged since its last reset, split into writes (matching) and the rest. */
function requestCounts(requests, isWrite) {
	let writes = 0;
	let others = 0;
	let tooMany = 0;
	for (const request of requests) {
		if (isWrite(request)) writes++;
		else others++;
		if (request.status === 429) tooMany++;
	}
	return { writes, others, tooMany };
}

/**
 * One result per row and N from its runs. A row run several times shows the run with the median
 * wall time (its records/s, CPU and ratio), the range of wall times, and the worst of every check
 * over all runs: request count, 429s, error items, records verified, peak RSS.
 */
function mergeRuns(runs) {
	const byRow = new Map();
	for (const run of runs) {
		const key = `${run.code} ${run.n}`;
		if (!byRow.has(key)) byRow.set(key, []);
		byRow.get(key).push(run);
	}
	return [...byRow.values()].map((all) => {
		if (all.length === 1) return all[0];
		const broken = all.find((run) => run.status !== 'ok');
		if (broken) return { ...broken, note: `run ${all.indexOf(broken) + 1} of ${all.length}: ${broken.note}` };
		const byWall = [...all].sort((a, b) => a.wallMs - b.wallMs);
		const median = byWall[Math.floor((byWall.length - 1) / 2)];
		const max = (field) => Math.max(...all.map((run) => run[field] ?? 0));
		const failedRun = all.find((run) => run.runStatus !== 'success');
		return {
			...median,
			writes: all.find((run) => run.writes !== run.expectedRequests)?.writes ?? median.writes,
			otherRequests: max('otherRequests'),
			tooManyReceived: max('tooManyReceived'),
			tooManySurfaced: max('tooManySurfaced'),
			errorItems: max('errorItems'),
			runStatus: failedRun ? failedRun.runStatus : 'success',
			runError: failedRun ? failedRun.runError : median.runError,
			vmHwmKb: max('vmHwmKb') || undefined,
			verified: Math.min(...all.map((run) => run.verified)),
			// Each run's time, and its checks, so results.json shows that every run passed them.
			runs: all.map(({ wallMs, ratio, writes, tooManyReceived, verified }) => ({ wallMs, ratio, writes, tooManyReceived, verified })),
		};
	});
}

module.exports = { executionWindow, cpuInWindow, surfacedErrors, requestCounts, mergeRuns };
