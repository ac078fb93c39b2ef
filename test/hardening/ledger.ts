import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { NodeRun } from '../harness/workflow';
import type { Chaos } from './chaos';
import type { HardeningCounts } from './summary';

/** How a write run's reports compare with what the emulator applied. */
export interface Reconciliation {
	/** Items reported written, and found applied. */
	survived: number;
	/** Items reported as not written (refused, or never sent), and found not applied. */
	failed: number;
	/** Items reported as "may or may not have been written". */
	unknown: number;
	/**
	 * Items whose answer was lost and whose outcome the node decided by reading the record back by
	 * key (`_resolvedBy` / `details.resolvedBy`), whatever it decided; counted in the others too.
	 */
	resolved: number;
	/**
	 * Items whose result does not match the emulator: no single output item, reported written but
	 * not applied, or reported not written but applied.
	 */
	lost: number;
	/** Items applied more than once where that changes the data (e.g. a record created twice). */
	duplicated: number;
	/**
	 * Items of an idempotent write (same values to the same record) whose request was replayed after
	 * an attempt with a lost answer, so the record was written twice with the same values.
	 */
	replayed: number;
	/** The first few mismatches, for the assertion message. */
	problems: string[];
}

export interface ReconcileOptions {
	/** Whether writing the item twice leaves the same data (update by key), so a replay is not a duplicate. */
	idempotent: boolean;
	/** Extra check of a successful item's output, e.g. that it names the record written; returns a problem. */
	checkSuccess?(json: IDataObject, itemIndex: number): string | undefined;
}

/**
 * Checks every input item of a run: exactly one output item paired with it, and a report that
 * agrees with `appliedTimes(itemIndex)`, how often the emulator's state shows the item applied.
 */
export function reconcile(
	run: NodeRun,
	itemCount: number,
	appliedTimes: (itemIndex: number) => number,
	options: ReconcileOptions,
): Reconciliation {
	const result: Reconciliation = { survived: 0, failed: 0, unknown: 0, resolved: 0, lost: 0, duplicated: 0, replayed: 0, problems: [] };
	const problem = (text: string) => {
		if (result.problems.length < 10) result.problems.push(text);
	};
	if (run.status !== 'success') problem(`run status ${run.status}: ${run.error?.message}`);
	const outputs: INodeExecutionData[] = run.outputs[0] ?? [];
	if (outputs.length !== itemCount) problem(`${outputs.length} output items for ${itemCount} input items`);

	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const output = outputs[itemIndex];
		const applied = appliedTimes(itemIndex);
		const paired = output?.pairedItem as { item?: number } | undefined;
		if (!output || paired?.item !== itemIndex) {
			result.lost++;
			problem(`item ${itemIndex}: no output item paired with it`);
			continue;
		}
		const { json } = output;
		const isError = json.error !== undefined;
		const outcome = isError ? (json.details as IDataObject | undefined)?.outcome : 'written';
		if ((isError ? (json.details as IDataObject | undefined)?.resolvedBy : json._resolvedBy) !== undefined) result.resolved++;

		if (applied > 1) {
			if (options.idempotent && outcome !== 'failed' && outcome !== 'notSent') {
				result.replayed++;
			} else {
				result.duplicated++;
				problem(`item ${itemIndex}: applied ${applied} times, reported ${String(outcome)}`);
				continue;
			}
		}
		if (outcome === 'written') {
			const extra = options.checkSuccess?.(json, itemIndex);
			if (applied === 0 || extra) {
				result.lost++;
				problem(`item ${itemIndex}: reported written, ${extra ?? 'but not applied'}`);
			} else {
				result.survived++;
			}
		} else if (outcome === 'failed' || outcome === 'notSent') {
			if (applied > 0) {
				result.lost++;
				problem(`item ${itemIndex}: reported ${outcome} ("${String(json.error)}"), but it was applied`);
			} else if (typeof json.error !== 'string' || json.error === '') {
				result.lost++;
				problem(`item ${itemIndex}: failure without a message`);
			} else {
				result.failed++;
			}
		} else if (outcome === 'unknown') {
			result.unknown++;
		} else {
			result.lost++;
			problem(`item ${itemIndex}: error item without an outcome: ${JSON.stringify(json).slice(0, 200)}`);
		}
	}
	return result;
}

/**
 * Closes a fault scenario: prints its line (seed, faults injected by kind, outcomes), asserts that
 * nothing was lost or duplicated and that something got through, and returns its counts for the
 * suite's closing line. `badRecords` are the per-record failures the scenario put in its items.
 */
export function closeScenario(
	label: string,
	seed: number,
	chaos: Chaos,
	result: Reconciliation,
	badRecords: number,
): Partial<HardeningCounts> {
	const faults = chaos.total + badRecords;
	process.stdout.write(
		`${label} (seed ${seed}): ${faults} faults ${JSON.stringify({ ...chaos.counts, badRecords })}; ` +
			`survived ${result.survived}, failed ${result.failed}, resolved ${result.resolved}, unknown ${result.unknown}, replayed ${result.replayed}, ` +
			`lost ${result.lost}, duplicated ${result.duplicated}\n`,
	);
	expect(result.problems).toEqual([]);
	expect(result.lost).toBe(0);
	expect(result.duplicated).toBe(0);
	expect(result.survived).toBeGreaterThan(0);
	return { faults, survived: result.survived, lost: result.lost, duplicated: result.duplicated };
}
