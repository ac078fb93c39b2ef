import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one hardening test file counted; the suite's closing line adds them up. */
export interface HardeningCounts {
	faults: number;
	survived: number;
	lost: number;
	duplicated: number;
	leaks: number;
	fuzzCases: number;
}

export const EMPTY_COUNTS: HardeningCounts = { faults: 0, survived: 0, lost: 0, duplicated: 0, leaks: 0, fuzzCases: 0 };

/** Every file that reports; the last of them to finish prints the line. */
export const HARDENING_FILES = ['faults.kintone', 'faults.feishuApaas', 'faults.feishuDataTable', 'fuzz', 'secrets', 'paths'] as const;

export type HardeningFile = (typeof HARDENING_FILES)[number];

/**
 * One directory per jest run: test files run in worker processes of the jest process (whose pid
 * they share as parent), or, when jest runs them in band, in the jest process itself.
 */
function runDirectory(): string {
	const inWorker = /jest-worker/.test(process.argv[1] ?? '');
	return join(tmpdir(), 'n8n-bulk-records-hardening', String(inWorker ? process.ppid : process.pid));
}

export function addCounts(a: HardeningCounts, b: Partial<HardeningCounts>): HardeningCounts {
	return {
		faults: a.faults + (b.faults ?? 0),
		survived: a.survived + (b.survived ?? 0),
		lost: a.lost + (b.lost ?? 0),
		duplicated: a.duplicated + (b.duplicated ?? 0),
		leaks: a.leaks + (b.leaks ?? 0),
		fuzzCases: a.fuzzCases + (b.fuzzCases ?? 0),
	};
}

export function summaryLine(counts: HardeningCounts): string {
	return `hardening: faults ${counts.faults} survived ${counts.survived}, lost ${counts.lost}, duplicated ${counts.duplicated}, leaks ${counts.leaks}, fuzz cases ${counts.fuzzCases}`;
}

/**
 * Stores this file's counts for the run; when every hardening file has reported, returns the
 * totals (and clears the run's directory) so the caller prints the closing line and asserts it.
 */
export function reportCounts(file: HardeningFile, counts: HardeningCounts): HardeningCounts | undefined {
	const directory = runDirectory();
	mkdirSync(directory, { recursive: true });
	// Written whole, then renamed, so another worker never reads half a report.
	const partial = join(directory, `${file}.${process.pid}.tmp`);
	writeFileSync(partial, JSON.stringify(counts));
	renameSync(partial, join(directory, `${file}.json`));
	try {
		// Reports older than this process are left from an interrupted run that had the same process id.
		const runStarted = Date.now() - process.uptime() * 1000 - 60_000;
		const present = readdirSync(directory).filter((name) => statSync(join(directory, name)).mtimeMs >= runStarted);
		if (!HARDENING_FILES.every((name) => present.includes(`${name}.json`))) return undefined;
		// Two files finishing together may both see every report: only the one that creates this prints.
		const printed = join(directory, 'printed');
		if (existsSync(printed) && statSync(printed).mtimeMs < runStarted) rmSync(printed, { recursive: true, force: true });
		mkdirSync(printed);
		const total = HARDENING_FILES.reduce(
			(sum, name) => addCounts(sum, JSON.parse(readFileSync(join(directory, `${name}.json`), 'utf8')) as HardeningCounts),
			EMPTY_COUNTS,
		);
		rmSync(directory, { recursive: true, force: true });
		return total;
	} catch (error) {
		// The other file got there first (and may have cleared the directory already).
		if (['EEXIST', 'ENOENT'].includes((error as { code?: string }).code ?? '')) return undefined;
		throw error;
	}
}

/**
 * For a file's `afterAll`: reports its counts and, if it is the last hardening file of the run,
 * prints the suite's closing line and fails unless nothing was lost, duplicated or leaked.
 */
export function finishFile(file: HardeningFile, counts: HardeningCounts): void {
	const total = reportCounts(file, counts);
	if (!total) return;
	process.stdout.write(`\n${summaryLine(total)}\n`);
	if (total.lost !== 0 || total.duplicated !== 0 || total.leaks !== 0) {
		throw new Error(`Hardening failed: ${summaryLine(total)}`);
	}
}
