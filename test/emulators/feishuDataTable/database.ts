import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

// PGlite is loaded through Node's own module loader: its internal dynamic import() calls fail inside
// Jest's VM sandbox (they need --experimental-vm-modules), and Jest replaces `module.createRequire`
// there too, so the loader is taken from the real global scope (Node ≥ 20.16). Outside Jest this is plain require.
const realProcess = runInThisContext('process') as NodeJS.Process;
const realModule = realProcess.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
const nativeRequire = (realModule?.createRequire ?? createRequire)(__filename);
const { PGlite } = nativeRequire('@electric-sql/pglite') as typeof import('@electric-sql/pglite');

/**
 * A fresh in-process PostgreSQL. Creating one runs initdb (about 5 s); loading a saved empty data
 * directory takes about 2 s, so the first start saves one to the temp directory for later starts.
 */
export async function createDatabase(): Promise<PGliteType> {
	// Keyed by the installed PGlite build: a data directory only loads into the version that wrote it.
	const build = statSync(nativeRequire.resolve('@electric-sql/pglite'));
	const cache = join(tmpdir(), `feishu-data-table-emulator-pglite-${build.size}-${Math.trunc(build.mtimeMs)}.tar`);
	if (existsSync(cache)) {
		try {
			return await PGlite.create({ loadDataDir: new Blob([readFileSync(cache)]) });
		} catch {
			// A damaged cache file: fall through and rebuild it.
		}
	}
	const db = await PGlite.create();
	const dump = await db.dumpDataDir('none');
	const partial = `${cache}.${process.pid}.tmp`;
	writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
	// Rename is atomic, so parallel test workers never read a half-written file.
	renameSync(partial, cache);
	return db;
}
