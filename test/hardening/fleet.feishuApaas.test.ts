import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import { startFeishuApaasEmulator } from '../emulators/feishuApaas';
import { NS, OBJ, autoMap, defineBooks, runApaas } from '../feishuApaas/setup';

const EXECUTIONS = 6;
const RECORDS = 10_000;
const BATCH = 50;

// Two one-minute windows and the waits between them, with room for a busy machine.
jest.setTimeout(600_000);

/**
 * Six executions of one workflow at once, as n8n's queue mode runs them on several workers: each
 * keeps to the documented limits on its own, together they need 1,200 requests, more than the
 * 1,000 a minute the app may make. The service counts refused calls too (strict), so retrying
 * before the window has room only pushes it out. Every item must still be written, exactly once.
 */
describe('Feishu aPaaS: a fleet of executions over one app\'s rate limit (strict emulator)', () => {
	let emulator: FeishuApaasEmulator;

	beforeAll(async () => {
		emulator = await startFeishuApaasEmulator({ strictRateLimits: true });
	});
	afterAll(async () => await emulator.close());

	it(`${EXECUTIONS} concurrent executions × ${RECORDS.toLocaleString('en-US')} records in batches of ${BATCH}: 0 failed, each written once`, async () => {
		emulator.reset();
		defineBooks(emulator);
		const started = Date.now();
		const runs = await Promise.all(
			Array.from({ length: EXECUTIONS }, (_, execution) =>
				runApaas(
					emulator,
					{ operation: 'create', columns: autoMap, options: { batchSize: BATCH } },
					Array.from({ length: RECORDS }, (__, index) => ({ book_name: `fleet ${execution}-${index}`, book_count: index })),
					{ node: { onError: 'continueErrorOutput' } },
				),
			),
		);
		const seconds = (Date.now() - started) / 1000;

		const failed = runs.reduce((sum, run) => sum + (run.outputs[1]?.length ?? 0), 0);
		const names = [...emulator.records(NS, OBJ).values()].map((record) => String(record.values.book_name));
		const duplicates = names.length - new Set(names).size;
		const creates = emulator.answers.filter((answer) => answer.path.endsWith('/records/batch_create'));
		const refused = creates.filter((answer) => answer.status === 429).length;
		process.stdout.write(
			`aPaaS fleet: ${EXECUTIONS} executions, ${names.length.toLocaleString('en-US')} of ${(EXECUTIONS * RECORDS).toLocaleString('en-US')} records written, ${duplicates} duplicated, ${failed} items failed, ${refused} requests refused (429) of ${creates.length}, ${seconds.toFixed(0)} s\n`,
		);

		expect(runs.map((run) => run.status)).toEqual(Array(EXECUTIONS).fill('success'));
		expect(failed).toBe(0);
		expect(runs.every((run) => run.outputs[0].length === RECORDS)).toBe(true);
		expect(names).toHaveLength(EXECUTIONS * RECORDS);
		expect(duplicates).toBe(0);
		// The limit was really met: the service refused calls, and the executions rode them out.
		expect(refused).toBeGreaterThan(0);
	});
});
