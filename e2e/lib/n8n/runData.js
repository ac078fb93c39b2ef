'use strict';
/**
 * Reading a run (IRun): which nodes ran, the items, output count and error of one node run, and the
 * run-level error, all from `data.resultData`.
 */

/** The task data of one node run (or undefined if the node did not run). */
function nodeRun(run, nodeName, runIndex = 0) {
	const runs = run && run.data && run.data.resultData && run.data.resultData.runData && run.data.resultData.runData[nodeName];
	return runs ? runs[runIndex] : undefined;
}

/** Names of the nodes that ran, in run-data order. */
function executedNodes(run) {
	return Object.keys((run && run.data && run.data.resultData && run.data.resultData.runData) || {});
}

/**
 * Items (`{json, binary?, pairedItem?, error?}`) one node produced on one output.
 * @param {{runIndex?: number, outputIndex?: number, connection?: string}} [opts]
 */
function nodeItems(run, nodeName, opts = {}) {
	const { runIndex = 0, outputIndex = 0, connection = 'main' } = opts;
	const task = nodeRun(run, nodeName, runIndex);
	if (!task) throw new Error(`Node "${nodeName}" did not run. Ran: ${executedNodes(run).join(', ') || '(none)'}`);
	const outputs = task.data && task.data[connection];
	if (!outputs) return [];
	return outputs[outputIndex] || [];
}

/** Just the `json` of each item one node produced. */
function nodeOutput(run, nodeName, opts = {}) {
	return nodeItems(run, nodeName, opts).map((i) => i.json);
}

/** Number of outputs (branches) a node run produced, e.g. 2 for success/error outputs. */
function nodeOutputCount(run, nodeName, opts = {}) {
	const { runIndex = 0, connection = 'main' } = opts;
	const task = nodeRun(run, nodeName, runIndex);
	return (task && task.data && task.data[connection] && task.data[connection].length) || 0;
}

/** The error a node run reported (task.error), or undefined. */
function nodeError(run, nodeName, runIndex = 0) {
	const task = nodeRun(run, nodeName, runIndex);
	return task && task.error;
}

/** The run-level error (`data.resultData.error`), or undefined. */
function runError(run) {
	return run && run.data && run.data.resultData && run.data.resultData.error;
}

module.exports = {
	nodeRun,
	executedNodes,
	nodeItems,
	nodeOutput,
	nodeOutputCount,
	nodeError,
	runError,
};
