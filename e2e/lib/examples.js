'use strict';
/**
 * The example workflows of examples/ run against the embedded backends in a real n8n: loading them,
 * running one with `n8n execute`, and summarising its run (items in and out of this package's write
 * nodes, failures, requests the emulators received, records the emulators' state shows written).
 * Shared by `npm run demo` (e2e/demo.js) and e2e/examples.test.js.
 */
const fs = require('node:fs');
const path = require('node:path');

const n8n = require('./n8n');

const EXAMPLES_DIR = path.join(n8n.REPO_DIR, 'examples');
const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(n8n.REPO_DIR, 'package.json'), 'utf8')).name;

/**
 * Every examples/*.json workflow, by file name, those that remove records (a Sync with "Remove … Not
 * in Input") last: the records they remove are ones the other examples write.
 */
function loadExamples() {
	const removes = (example) => example.workflow.nodes.some((node) => node.parameters && node.parameters.removeMissing === true);
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) }))
		.sort((a, b) => Number(removes(a)) - Number(removes(b)));
}

/** Nodes of this package in a workflow that write (every operation but Get Many). */
function writeNodes(workflow) {
	return workflow.nodes.filter((node) => node.type.startsWith(`${PACKAGE_NAME}.`) && node.parameters.operation !== 'getAll');
}

/** Items a node received in its (first) run: the output of the node and branch that fed it. */
function inputCount(run, nodeName) {
	const runData = run.data.resultData.runData;
	const task = runData[nodeName] && runData[nodeName][0];
	if (!task || !task.source) return 0;
	return task.source.filter(Boolean).reduce((sum, source) => {
		const parent = runData[source.previousNode][0];
		const output = (parent.data.main || [])[source.previousNodeOutput || 0] || [];
		return sum + output.length;
	}, 0);
}

/**
 * What the write nodes of one run did: items in, items out (one per input item, on the main or the
 * error output), failures (items on the error output, or with an `error` field when errors continue
 * on the regular output), items a Sync left unchanged (nothing written for them), and records a Sync
 * removed (its "Removed" output, not items of the input), with every item and its branch for assertions.
 */
function summarizeRun(run, workflow) {
	const runData = run.data.resultData.runData;
	const summary = { itemsIn: 0, itemsOut: 0, failures: 0, unchanged: 0, removed: 0, items: [], removedItems: [] };
	for (const node of writeNodes(workflow)) {
		summary.itemsIn += inputCount(run, node.name);
		const task = runData[node.name] && runData[node.name][0];
		const outputs = (task && task.data && task.data.main) || [];
		// Sync with "Remove … Not in Input" has a second output, "Removed"; the error output comes after the main ones.
		const removedBranch = node.parameters.operation === 'sync' && node.parameters.removeMissing === true ? 1 : undefined;
		const errorBranch = node.onError === 'continueErrorOutput' ? (removedBranch ? 2 : 1) : undefined;
		outputs.forEach((items, branch) => {
			for (const item of items || []) {
				const failed = branch === errorBranch || (item.json && item.json.error !== undefined);
				const entry = { node: node.name, branch, failed, json: item.json, pairedItem: item.pairedItem };
				if (branch === removedBranch && !failed) {
					summary.removed++;
					summary.removedItems.push(entry);
					continue;
				}
				summary.itemsOut++;
				if (failed) summary.failures++;
				else if (item.json && item.json.sync === 'unchanged') summary.unchanged++;
				summary.items.push(entry);
			}
		});
	}
	return summary;
}

/**
 * Runs one example with `n8n execute` and measures it against the backends.
 * @returns {Promise<{run, summary, requests:number, recordsWritten:number, seconds:number, cliSeconds:number, error?:string}>}
 */
async function runExample(userFolder, backends, workflow) {
	const requestsBefore = backends.requestCounts().total;
	const before = await backends.snapshot();
	const run = await n8n.executeWorkflow(userFolder, workflow.id);
	const written = await backends.recordsWrittenSince(before);
	const summary = summarizeRun(run, workflow);
	const started = Date.parse(run.startedAt);
	const stopped = Date.parse(run.stoppedAt);
	const error = n8n.runError(run);
	return {
		run,
		summary,
		requests: backends.requestCounts().total - requestsBefore,
		recordsWritten: written.total,
		seconds: Number.isFinite(started) && Number.isFinite(stopped) ? (stopped - started) / 1000 : NaN,
		cliSeconds: run._meta.durationMs / 1000,
		error: run.status === 'success' ? undefined : (error && error.message) || `status ${run.status}`,
	};
}

module.exports = { EXAMPLES_DIR, PACKAGE_NAME, loadExamples, writeNodes, inputCount, summarizeRun, runExample };
