/**
 * The benchmark's verdicts rest on how the runs of a repeated row are merged: the median run's
 * time, but the worst run's checks, so a run that sent too many requests or lost a record cannot
 * hide behind two good ones.
 */
import { createRequire } from 'node:module';

interface Run {
	code: string;
	n: number;
	status: string;
	note?: string;
	wallMs?: number;
	ratio?: number;
	expectedRequests?: number;
	writes?: number;
	otherRequests?: number;
	tooManyReceived?: number;
	tooManySurfaced?: number;
	errorItems?: number;
	runStatus?: string;
	runError?: string;
	vmHwmKb?: number;
	verified?: number;
	runs?: Array<Partial<Run>>;
}

const { mergeRuns } = createRequire(__filename)('../../bench/lib/measure') as { mergeRuns(runs: Run[]): Run[] };

const good = (wallMs: number, extra: Partial<Run> = {}): Run => ({
	code: 'd',
	n: 1000,
	status: 'ok',
	wallMs,
	ratio: 1000 / wallMs,
	expectedRequests: 2,
	writes: 2,
	otherRequests: 0,
	tooManyReceived: 0,
	tooManySurfaced: 0,
	errorItems: 0,
	runStatus: 'success',
	vmHwmKb: 400_000,
	verified: 1000,
	...extra,
});

describe('benchmark: merging the runs of a row', () => {
	it('reports the median run, the range of times and the worst check of every run', () => {
		const [merged] = mergeRuns([
			good(300, { writes: 3, vmHwmKb: 410_000 }),
			good(250, { tooManyReceived: 2 }),
			good(340, { verified: 999, runStatus: 'error', runError: 'boom' }),
		]);
		expect(merged.wallMs).toBe(300);
		expect(merged.ratio).toBeCloseTo(1000 / 300);
		expect(merged.runs?.map((run) => run.wallMs)).toEqual([300, 250, 340]);
		expect(merged.writes).toBe(3);
		expect(merged.tooManyReceived).toBe(2);
		expect(merged.verified).toBe(999);
		expect(merged.vmHwmKb).toBe(410_000);
		expect(merged).toMatchObject({ runStatus: 'error', runError: 'boom' });
	});

	it('reports a failed run instead of a median of the others', () => {
		const [merged] = mergeRuns([good(300), { code: 'd', n: 1000, status: 'failed', note: 'n8n exited' }, good(310)]);
		expect(merged).toMatchObject({ status: 'failed', note: 'run 2 of 3: n8n exited' });
	});

	it('keeps a row run once as it is, and the rows in the order they first ran', () => {
		const peer = { ...good(9000), code: 'db' };
		const merged = mergeRuns([good(300), peer, good(320), good(310)]);
		expect(merged.map((row) => row.code)).toEqual(['d', 'db']);
		expect(merged[1]).toBe(peer);
		expect(merged[0].wallMs).toBe(310);
	});
});
