'use strict';
/** Building workflows (generic): a linear Manual Trigger -> node1 -> node2 ... workflow. */

/** The Manual Trigger every test and benchmark workflow starts with. */
const MANUAL_TRIGGER = Object.freeze({
	id: 'trigger',
	name: 'Manual Trigger',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

/**
 * Builds a linear workflow: Manual Trigger -> nodes[0] -> nodes[1] ...
 * Each node: { name, type, typeVersion, parameters, credentials?, position? , ...}.
 */
function linearWorkflow({ id, name, nodes }) {
	const all = [{ ...MANUAL_TRIGGER }, ...nodes.map((n, i) => ({ id: n.id || `node${i + 1}`, position: [220 * (i + 1), 0], parameters: {}, ...n }))];
	const connections = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name: name || id, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

module.exports = {
	MANUAL_TRIGGER,
	linearWorkflow,
};
