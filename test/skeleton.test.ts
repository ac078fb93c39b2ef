import * as fs from 'node:fs';
import * as path from 'node:path';

import type { INodeProperties, INodeType } from 'n8n-workflow';

import { FeishuApaas } from '../nodes/FeishuApaas/FeishuApaas.node';
import { FeishuDataTable } from '../nodes/FeishuDataTable/FeishuDataTable.node';
import { Kintone } from '../nodes/Kintone/Kintone.node';

/**
 * The three nodes share one skeleton (README, Architecture): a thin node file, a router that builds
 * the client once, one file per operation, methods/, and a transport that knows nothing of actions.
 */
const ROOT = path.resolve(__dirname, '..');
const NODES: Array<{ dir: string; node: INodeType }> = [
	{ dir: 'Kintone', node: new Kintone() },
	{ dir: 'FeishuApaas', node: new FeishuApaas() },
	{ dir: 'FeishuDataTable', node: new FeishuDataTable() },
];

function filesUnder(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
	});
}

/** The files a TypeScript file imports (relative imports only), as absolute paths. */
function importsOf(file: string): string[] {
	const text = fs.readFileSync(file, 'utf8');
	return [...text.matchAll(/from '(\.[^']+)'/g)].map((match) => {
		const target = path.resolve(path.dirname(file), match[1]);
		return fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
	});
}

/** Every file reachable from `file` through relative imports. */
function reachableFrom(file: string, seen = new Set<string>()): Set<string> {
	for (const imported of importsOf(file)) {
		if (seen.has(imported)) continue;
		seen.add(imported);
		reachableFrom(imported, seen);
	}
	return seen;
}

/** Resource → the values of its Operation dropdown, from the node's description. */
function operationsOf(node: INodeType): Map<string, string[]> {
	const properties = node.description.properties;
	const resources = (properties.find((property) => property.name === 'resource')?.options ?? []) as Array<{ value: string }>;
	return new Map(
		resources.map(({ value }) => {
			const dropdown = properties.find(
				(property: INodeProperties) =>
					property.name === 'operation' && property.displayOptions?.show?.resource?.includes(value),
			);
			return [value, ((dropdown?.options ?? []) as Array<{ value: string }>).map((option) => option.value)];
		}),
	);
}

describe.each(NODES)('the $dir node', ({ dir, node }) => {
	const nodeDir = path.join(ROOT, 'nodes', dir);
	const testDir = path.join(ROOT, 'test', dir[0].toLowerCase() + dir.slice(1));

	it('has the shared skeleton: node file, router, descriptions, methods, transport with createClient', () => {
		for (const file of [`${dir}.node.ts`, 'actions/router.ts', 'actions/descriptions.ts', 'methods/index.ts', 'transport/index.ts']) {
			expect(fs.existsSync(path.join(nodeDir, file))).toBe(true);
		}
		const router = fs.readFileSync(path.join(nodeDir, 'actions/router.ts'), 'utf8');
		expect(router).toContain('chosenOperation');
		expect(router).toContain('createClient(this');
		expect(fs.readFileSync(path.join(nodeDir, 'transport/index.ts'), 'utf8')).toContain('export async function createClient(');
		expect(fs.readFileSync(path.join(nodeDir, `${dir}.node.ts`), 'utf8')).toContain('return await router.call(this)');
	});

	it('has one file per operation under actions/<resource>/, exporting description and execute, and a test file for each', () => {
		for (const [resource, operations] of operationsOf(node)) {
			const folder = fs.readdirSync(path.join(nodeDir, 'actions')).find((name) => resource.toLowerCase().endsWith(name.toLowerCase()));
			expect(folder).toBeDefined();
			const operationFiles = fs.readdirSync(path.join(nodeDir, 'actions', folder!)).filter((name) => name.endsWith('.operation.ts'));
			expect(operationFiles.map((name) => name.replace('.operation.ts', '')).sort()).toEqual([...operations].sort());
			for (const operation of operations) {
				const source = fs.readFileSync(path.join(nodeDir, 'actions', folder!, `${operation}.operation.ts`), 'utf8');
				expect(source).toMatch(/export (const|async function) execute\b/);
				expect(source).toMatch(/export const description\b/);
				expect(fs.existsSync(path.join(testDir, `${operation}.test.ts`))).toBe(true);
			}
		}
		expect(fs.existsSync(path.join(testDir, 'setup.ts'))).toBe(true);
	});

	it('has a transport that imports nothing from actions/ or methods/', () => {
		for (const file of filesUnder(path.join(nodeDir, 'transport'))) {
			const layers = [...reachableFrom(file)].map((imported) => path.relative(nodeDir, imported));
			expect(layers.filter((imported) => /^(actions|methods)\//.test(imported))).toEqual([]);
		}
	});
});

describe('dependencies', () => {
	it('point one way: no credential reaches, through its imports, code that imports a credential', () => {
		for (const file of filesUnder(path.join(ROOT, 'credentials'))) {
			const reached = [...reachableFrom(file)].map((imported) => path.relative(ROOT, imported));
			expect(reached.filter((imported) => imported.startsWith('credentials/'))).toEqual([]);
		}
	});

	it('never lead from a node to a credential: the credentials use node code, not the reverse', () => {
		for (const file of filesUnder(path.join(ROOT, 'nodes'))) {
			const reached = [...reachableFrom(file)].map((imported) => path.relative(ROOT, imported));
			expect(reached.filter((imported) => imported.startsWith('credentials/'))).toEqual([]);
		}
	});

	it('keep the shared engine free of any node', () => {
		for (const file of filesUnder(path.join(ROOT, 'nodes', 'shared'))) {
			const reached = [...reachableFrom(file)].map((imported) => path.relative(path.join(ROOT, 'nodes'), imported));
			expect(reached.filter((imported) => !imported.startsWith('shared/'))).toEqual([]);
		}
	});

	it('keep every file under nodes/ to 300 lines at most', () => {
		const long = filesUnder(path.join(ROOT, 'nodes'))
			.map((file) => ({ file: path.relative(ROOT, file), lines: fs.readFileSync(file, 'utf8').split('\n').length }))
			.filter(({ lines }) => lines > 300);
		expect(long).toEqual([]);
	});
});
