'use strict';
/** results.md (tables, targets, method), results.json, and the records/s chart (SVG rendered to PNG by headless Chromium). */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const SERVICE_LABEL = { kintone: 'Kintone', apaas: 'Feishu aPaaS', dataTable: 'Feishu data table' };
const KIND_LABEL = { node: 'this package', sync: 'this package, Sync', a: 'peer (a)', b: 'peer (b)', c: 'peer (c)' };
const KIND_COLOR = { node: '#1b9e77', sync: '#66a61e', a: '#d95f02', b: '#7570b3', c: '#e7298a' };

/**
 * The full write each Sync row is held against: the node's create or update of the same items on a
 * target like the Sync's (ku, du); aPaaS has no upsert, so its update of all N records (p).
 */
const FULL_WRITE = { kintone: 'ku', apaas: 'p', dataTable: 'du' };

const int = (x) => Math.round(x).toLocaleString('en-US');
const fixed = (x, digits) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));
const rate = (x) => (x >= 100 ? int(x) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x) => (x === 0 || !Number.isFinite(x) ? '–' : x >= 0.01 ? `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%` : `${(x * 100).toFixed(2)}%`);

function find(results, code, n) {
	return results.find((r) => r.code === code && r.n === n);
}

/** "; 3 runs: a, b, c" for a row run several times, each run's figure formatted by `format`. */
function eachRun(r, format) {
	return r.runs ? `; ${r.runs.length} runs: ${r.runs.map(format).join(', ')}` : '';
}

/** Wall time in seconds, with the range over the runs of a repeated row: "0.28 (0.27–0.32)". */
function wallSeconds(r) {
	const walls = r.runs ? r.runs.map((run) => run.wallMs) : [];
	const range = walls.length ? ` (${fixed(Math.min(...walls) / 1000, 2)}–${fixed(Math.max(...walls) / 1000, 2)})` : '';
	return `${fixed(r.wallMs / 1000, 2)}${range}`;
}

/** Each target: what it asks, the rows it looks at, met / missed / not measured, and the numbers. */
function evaluateTargets(results, ns, profiles = []) {
	const targets = [];
	const ok = (r) => r && r.status === 'ok';

	// 1. Requests = ceil(N / batch limit) for every node.
	const nodeRows = results.filter((r) => r.kind === 'node' && ok(r));
	const wrong = nodeRows.filter((r) => r.writes !== r.expectedRequests);
	targets.push({
		target: 'Requests sent = ceil(N / batch limit), every node, every N',
		result: nodeRows.length === 0 ? 'not measured' : wrong.length === 0 ? 'met' : 'missed',
		detail:
			nodeRows.map((r) => `${r.code} N=${int(r.n)}: ${r.writes} of ${r.expectedRequests}`).join('; ') +
			(nodeRows.some((r) => r.otherRequests) ? ' (write requests; token/schema requests are listed separately in the table)' : ''),
	});

	// 2. N = 100,000: >= 90% of the ceiling for both Feishu nodes, 0 surfaced 429s.
	for (const code of ['p', 'd']) {
		const r = find(results, code, 100_000);
		const label = `${SERVICE_LABEL[code === 'p' ? 'apaas' : 'dataTable']} node at N = 100,000: ≥ 90% of the rate-limit ceiling, 0 429s surfaced`;
		if (!ok(r)) {
			targets.push({ target: label, result: 'not measured', detail: r ? `${r.status}: ${r.note || ''}` : 'N = 100,000 not in this run' });
			continue;
		}
		const met = r.ratio >= 0.9 && r.tooManySurfaced === 0 && r.errorItems === 0 && r.runStatus === 'success';
		targets.push({
			target: label,
			result: met ? 'met' : 'missed',
			detail: `${ratio(r.ratio)} of ${rate(r.ceilingRecordsPerSecond)} records/s (${rate(r.recordsPerSecond)} records/s)${eachRun(r, (run) => ratio(run.ratio))}; 429s received ${r.tooManyReceived}, surfaced ${r.tooManySurfaced}; error items ${r.errorItems}`,
		});
	}

	// 3. N = 10,000: >= 50x the records/s of peer (a).
	for (const [nodeCode, peerCode, service] of [
		['k', 'ka', 'kintone'],
		['p', 'pa', 'apaas'],
		['d', 'da', 'dataTable'],
	]) {
		const node = find(results, nodeCode, 10_000);
		const peer = find(results, peerCode, 10_000);
		const label = `${SERVICE_LABEL[service]} at N = 10,000: ≥ 50× the records/s of peer (a)`;
		if (!ok(node) || !peer) {
			targets.push({ target: label, result: 'not measured', detail: 'N = 10,000 or the rows are not in this run' });
			continue;
		}
		if (ok(peer)) {
			const factor = node.recordsPerSecond / peer.recordsPerSecond;
			targets.push({
				target: label,
				result: factor >= 50 ? 'met' : 'missed',
				detail: `${factor.toFixed(0)}× (${rate(node.recordsPerSecond)} vs ${rate(peer.recordsPerSecond)} records/s)`,
			});
		} else if (peer.boundRecordsPerSecond) {
			const factor = node.recordsPerSecond / peer.boundRecordsPerSecond;
			targets.push({
				target: label,
				result: factor >= 50 ? 'met (against the bound)' : 'missed (against the bound)',
				detail: `peer (a) not run (${peer.note}); at most ${rate(peer.boundRecordsPerSecond)} records/s at the documented limit, so the node's ${rate(node.recordsPerSecond)} records/s is ≥ ${factor.toFixed(0)}×`,
			});
		} else {
			targets.push({ target: label, result: 'not measured', detail: `peer (a) ${peer.status}: ${peer.note || ''}` });
		}
	}

	// 4. Kintone no slower than peer (c) at an equal request count (atomic bulkRequests of 2,000 both).
	for (const n of ns) {
		const node = find(results, 'kA', n);
		const peer = find(results, 'kc', n);
		if (!node && !peer) continue;
		const label = `Kintone at N = ${int(n)}: no slower than peer (c) at an equal request count`;
		if (!ok(node) || !ok(peer)) {
			targets.push({ target: label, result: 'not measured', detail: 'kA and kc rows both needed' });
			continue;
		}
		const equal = node.writes === peer.writes;
		targets.push({
			target: label,
			result: !equal ? 'not comparable' : node.wallMs <= peer.wallMs ? 'met' : 'missed',
			detail: `node (atomic) ${wallSeconds(node)} s with ${node.writes} requests vs updateAllRecords ${wallSeconds(peer)} s with ${peer.writes} requests (${node.wallMs <= peer.wallMs ? `${((1 - node.wallMs / peer.wallMs) * 100).toFixed(0)}% less time` : `${((node.wallMs / peer.wallMs - 1) * 100).toFixed(0)}% more time`})`,
		});
	}

	// 4b. Kintone's default mode (requests of 100, each applied on its own; 20 times the requests of
	// peer (c)) no slower than peer (c) at N = 100,000: the node's concurrency makes up for it.
	{
		const node = find(results, 'k', 100_000);
		const peer = find(results, 'kc', 100_000);
		if (node || peer) {
			const label = 'Kintone default mode (requests of 100, not atomic) at N = 100,000: no slower than peer (c)';
			if (!ok(node) || !ok(peer)) {
				targets.push({ target: label, result: 'not measured', detail: 'k and kc rows both needed' });
			} else {
				const faster = node.wallMs <= peer.wallMs;
				targets.push({
					target: label,
					result: faster ? 'met' : 'missed',
					detail: `node ${wallSeconds(node)} s with ${int(node.writes)} requests vs updateAllRecords ${wallSeconds(peer)} s with ${int(peer.writes)} requests (${faster ? `${((1 - node.wallMs / peer.wallMs) * 100).toFixed(0)}% less time` : `${((node.wallMs / peer.wallMs - 1) * 100).toFixed(0)}% more time`})`,
				});
			}
		}
	}

	// 5. Node-side CPU <= 1 s per 100,000 records (10 ms per 1,000): the package's own code (from the
	// profiled pass), and the whole n8n process during the node's run for comparison.
	const packageRows = profiles.filter((p) => p.breakdown);
	const packageMsPer1000 = (p) => (p.breakdown.package / p.n) * 1000;
	targets.push({
		target: "Node-side CPU ≤ 1 s per 100,000 records (≤ 10 ms per 1,000): this package's own code",
		result: packageRows.length === 0 ? 'not measured' : packageRows.every((p) => packageMsPer1000(p) <= 10) ? 'met' : 'missed',
		detail: packageRows.map((p) => `${p.code} N=${int(p.n)}: ${fixed(packageMsPer1000(p), 2)} ms/1k`).join('; ') + ' (profiled pass, see below)',
	});
	const cpuRows = nodeRows.filter((r) => r.cpuMsPer1000 !== undefined);
	targets.push({
		target: 'The same, counting all n8n CPU during the node run (n8n loads and decrypts the credential and runs the HTTP client for every request)',
		result: cpuRows.length === 0 ? 'not measured' : cpuRows.every((r) => r.cpuMsPer1000 <= 10) ? 'met' : 'missed',
		detail: cpuRows.map((r) => `${r.code} N=${int(r.n)}: ${fixed(r.cpuMsPer1000, 2)} ms/1k`).join('; '),
	});

	// 7. Sync: requests within the bound, and (1% changed, no mirror) at most a third of the full write's time.
	const syncRows = results.filter((r) => r.kind === 'sync' && r.operation !== 'upsert' && ok(r));
	const withinBound = (r) => r.reads <= r.expectedReads && r.writes <= r.expectedRequests;
	targets.push({
		target: 'Sync: requests ≤ ceil(N / read page) reads + ceil(changed / write batch) writes, every node, every N (with the mirror: the scope read whole, new and gone records written too)',
		result: syncRows.length === 0 ? 'not measured' : syncRows.every(withinBound) ? 'met' : 'missed',
		detail: syncRows.map((r) => `${r.code} N=${int(r.n)}: ${int(r.reads)} reads (≤ ${int(r.expectedReads)}) + ${int(r.writes)} writes (≤ ${int(r.expectedRequests)})`).join('; '),
	});
	for (const service of Object.keys(FULL_WRITE)) {
		const sync = results.find((r) => r.kind === 'sync' && !r.mirror && !r.operation && r.service === service && r.n === 100_000);
		const full = find(results, FULL_WRITE[service], 100_000);
		const label = `${SERVICE_LABEL[service]} Sync at N = 100,000 with 1% changed: ≤ 1/3 of the time of the node's full write of the same N (${FULL_WRITE[service]})`;
		if (!ok(sync) || !ok(full)) {
			targets.push({ target: label, result: 'not measured', detail: 'the Sync row and the full-write row at N = 100,000 are both needed' });
			continue;
		}
		const share = sync.wallMs / full.wallMs;
		targets.push({
			target: label,
			result: share <= 1 / 3 && sync.verified === sync.n ? 'met' : 'missed',
			detail: `Sync ${wallSeconds(sync)} s vs full write ${wallSeconds(full)} s (${ratio(share)} of its time); verified ${int(sync.verified)} / ${int(sync.n)}`,
		});
	}

	// 6. Peak RSS at N = 100,000 (reported).
	const big = nodeRows.filter((r) => r.n === 100_000);
	targets.push({
		target: 'Peak RSS of n8n at N = 100,000 (reported)',
		result: big.length ? 'reported' : 'not measured',
		detail: big.map((r) => `${r.code}: ${int(r.vmHwmKb / 1024)} MB`).join('; '),
	});
	return targets;
}

function table(results) {
	const head =
		'| N | Service | Row | Wall time (s), median (range) | Records/s | Ratio to ceiling | Ceiling (records/s) | Requests sent (writes + other) | 429 received | 429 surfaced | Peak RSS (MB) | CPU ms / 1,000 records | Records verified |\n' +
		'|---:|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|';
	const lines = results.map((r) => {
		const service = SERVICE_LABEL[r.service];
		const ceiling = Number.isFinite(r.ceilingRecordsPerSecond) ? rate(r.ceilingRecordsPerSecond) : '–';
		if (r.status !== 'ok') {
			return `| ${int(r.n)} | ${service} | ${r.code}: ${r.label} | ${r.status}: ${r.note} | | | ${ceiling} | expected ${int(r.expectedRequests)} | | | | | |`;
		}
		const requests =
			r.kind === 'sync'
				? `${int(r.writes)} writes + ${int(r.reads)} reads${r.otherRequests ? ` + ${r.otherRequests}` : ''}${r.writes <= r.expectedRequests && r.reads <= r.expectedReads ? ' ✓' : ` ✗ (at most ${int(r.expectedRequests)} + ${int(r.expectedReads)})`}`
				: `${int(r.writes)}${r.otherRequests ? ` + ${r.otherRequests}` : ''}${r.kind === 'node' ? (r.writes === r.expectedRequests ? ' ✓' : ` ✗ (expected ${int(r.expectedRequests)})`) : ''}`;
		const surfaced = `${r.tooManySurfaced}${r.errorItems && r.errorItems !== r.tooManySurfaced ? ` (${int(r.errorItems)} error items)` : ''}${r.runStatus !== 'success' ? ' (run failed)' : ''}`;
		const toCeiling = r.kind === 'sync' ? '–' : ratio(r.ratio);
		return `| ${int(r.n)} | ${service} | ${r.code}: ${r.label} | ${wallSeconds(r)} | ${rate(r.recordsPerSecond)} | ${toCeiling} | ${r.kind === 'sync' ? '–' : ceiling} | ${requests} | ${int(r.tooManyReceived)} | ${surfaced} | ${r.vmHwmKb ? int(r.vmHwmKb / 1024) : '–'} | ${fixed(r.cpuMsPer1000, 2)} | ${int(r.verified)} / ${int(r.n)} |`;
	});
	return [head, ...lines].join('\n');
}

function escapeXml(text) {
	return String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Horizontal bars of records/s on a log scale, one group per N. */
function chartSvg(results) {
	const width = 1200;
	const labelWidth = 470;
	const barArea = width - labelWidth - 140;
	const barHeight = 18;
	const gap = 6;
	const groupGap = 34;
	const top = 70;
	const ns = [...new Set(results.map((r) => r.n))];
	const values = results.filter((r) => r.status === 'ok').map((r) => r.recordsPerSecond);
	const minExp = Math.floor(Math.log10(Math.max(1, Math.min(...values, 10))));
	const maxExp = Math.ceil(Math.log10(Math.max(...values, 10)));
	const x = (v) => labelWidth + ((Math.log10(v) - minExp) / (maxExp - minExp)) * barArea;
	let y = top;
	const parts = [];
	for (const n of ns) {
		parts.push(`<text x="10" y="${y + 14}" font-size="16" font-weight="bold">N = ${int(n)}</text>`);
		y += 24;
		for (const r of results.filter((row) => row.n === n)) {
			const label = `${SERVICE_LABEL[r.service]} · ${r.kind === 'node' ? r.label.replace(/^.*?node: /, 'node: ') : r.label}`;
			parts.push(`<text x="${labelWidth - 8}" y="${y + 13}" font-size="12.5" text-anchor="end">${escapeXml(label)}</text>`);
			if (r.status === 'ok') {
				const w = Math.max(2, x(r.recordsPerSecond) - labelWidth);
				parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${KIND_COLOR[r.kind]}"/>`);
				parts.push(`<text x="${labelWidth + w + 6}" y="${y + 13}" font-size="12">${rate(r.recordsPerSecond)}</text>`);
			} else {
				const text = r.status === 'not run' ? `not run: ${r.note}` : `${r.status}`;
				parts.push(`<text x="${labelWidth + 6}" y="${y + 13}" font-size="11.5" fill="#777" font-style="italic">${escapeXml(text.slice(0, 110))}</text>`);
			}
			y += barHeight + gap;
		}
		y += groupGap - gap;
	}
	const axisY = y;
	const grid = [];
	for (let e = minExp; e <= maxExp; e++) {
		const gx = x(10 ** e);
		grid.push(`<line x1="${gx}" y1="${top}" x2="${gx}" y2="${axisY}" stroke="#ddd"/>`);
		grid.push(`<text x="${gx}" y="${axisY + 16}" font-size="12" text-anchor="middle">${int(10 ** e)}</text>`);
	}
	const legend = Object.entries(KIND_LABEL)
		.map(([kind, label], i) => `<rect x="${labelWidth + i * 150}" y="30" width="14" height="14" fill="${KIND_COLOR[kind]}"/><text x="${labelWidth + i * 150 + 20}" y="42" font-size="13">${label}</text>`)
		.join('');
	const height = axisY + 40;
	return {
		width,
		height,
		svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="24" font-size="18" font-weight="bold">Records per second (log scale; higher is better)</text>
${legend}
${grid.join('\n')}
${parts.join('\n')}
<text x="${labelWidth + barArea / 2}" y="${axisY + 34}" font-size="12" text-anchor="middle">records / s</text>
</svg>`,
	};
}

/** Renders the SVG with headless Chromium (no new dependencies); returns false when Chromium is missing. */
function renderPng(svgFile, pngFile, width, height) {
	const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
	if (!chromium) return false;
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chromium-'));
	try {
		execFileSync(
			chromium,
			[
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--hide-scrollbars',
				'--force-device-scale-factor=1',
				`--user-data-dir=${profile}`,
				`--window-size=${width},${height}`,
				`--screenshot=${pngFile}`,
				`file://${svgFile}`,
			],
			{ stdio: 'ignore', timeout: 60_000 },
		);
	} finally {
		fs.rmSync(profile, { recursive: true, force: true });
	}
	return fs.existsSync(pngFile);
}

const METHOD = (options, machine) => `## Method

- **Backends.** The three emulators (\`test/emulators/*\`, compiled to \`e2e/.build\` and started in the benchmark's own
  process by \`e2e/lib/backends.js\`) listen on 127.0.0.1 with **${options.latencyMs} ms** added to every request and the
  documented limits enforced as the services do: Kintone 100 concurrent requests per domain (429 \`GAIA_TO04\` beyond),
  aPaaS 50 requests/s and 1,000/min per API (429 \`99991400\`), data table 10 requests/s (429 \`99991400\`), all sliding
  windows. Before the rows run, a benchmark app / object / table is seeded with max(N) records; every row writes records
  0..N−1. Request logs are cleared and rate-limit windows restarted before each row, so no row inherits another's budget;
  each row also starts on settled emulators: their heap collected and the data table vacuumed (PGlite has no autovacuum).
- **Operations.** Kintone: update by record ID (\`PUT /k/v1/records.json\`, 100 per request; the atomic option sends
  \`bulkRequest\` of 20 × 100). aPaaS: \`PATCH …/records/batch_update\` (500 per request). Data table: upsert,
  \`POST …/records\` with \`Prefer: resolution=merge-duplicates\` and \`on_conflict=sku\` (500 per request). Each item
  sets four fields, one of them \`<tag>#<index>\`; **Records verified** counts records that afterwards hold exactly their
  own item's values (read from the emulator's state, not from responses).
- **n8n.** A real n8n ${machine.n8nVersion} under Node 24 (\`e2e/lib/n8n.js\`): the package is built, packed and installed into a
  fresh user folder; every row is a workflow run with \`n8n execute\` (one process per row): Manual Trigger → Code node
  making N items → the write. The nodes use their defaults: auto-mapped input, throttles on, Kintone up to 4 requests
  at once (its Concurrency option; the 100 concurrent requests are shared by the whole domain), the Feishu nodes up to
  10 batches in flight within their throttle.
- **Peers.** (a) HTTP Request node, one request per item; it starts every item's request without waiting for answers,
  so its *Batching* option is set to the fastest setting within the documented limit plus ~10% margin: Kintone 50 items
  per 100 ms; aPaaS 50 per 1,100 ms (N ≤ 1,000) or 50 per 3,300 ms (≤ 1,000/min); data table 10 per 1,100 ms; *On Error:
  Continue* so failed items are counted instead of stopping the run. (b) Loop Over Items (batch = the API maximum) → Code
  node building the batch body → HTTP Request with *Retry On Fail* (5 tries, 1 s apart) → back to the loop. (c)
  \`@kintone/rest-api-client\` 6.2 \`record.updateAllRecords\` (bulkRequests of 2,000, sequential) in its own Node 24
  process, against \`http://localhost:<port>\`. Peers authenticate with a header credential holding a token fetched
  before the run; the nodes fetch or refresh their own tokens inside the measured time.
- **Wall time** is the node's execution window from n8n's run data (\`startTime\` → \`startTime + executionTime\`; for (b),
  the first start to the last end over all loop iterations of Loop, Code and HTTP Request). It excludes n8n's start-up,
  making the items, and saving the execution. For (c) it is the \`updateAllRecords\` call including building the records.
  **Records/s** = N ÷ wall time.
- **Runs.** The node rows and peer (c) run ${options.runs ?? 1} time${(options.runs ?? 1) > 1 ? 's' : ''}, in rounds (every row of an N, then the repeated rows
  again), each run writing its own tag; the table shows the run with the median wall time (its records/s, ratio and
  CPU), the range of wall times in parentheses, and the worst of every run for the checks: requests sent, 429s, error
  items, records verified, peak RSS. These rows take seconds, and on a shared machine one run of them can be off by
  several percent. Peers (a) and (b) run once: one run takes minutes, which averages out short disturbances.
- **Ratio to ceiling** = records/s ÷ (allowed requests/s × records per request). Allowed requests/s: data table 10;
  aPaaS 50 while a run needs ≤ 1,000 requests, else 1,000/60; Kintone has a concurrency limit, not a rate limit, so by
  Little's law it allows 100 ÷ latency = ${options.latencyMs > 0 ? int(100 / (options.latencyMs / 1000)) : '∞'} requests/s (a ceiling no single client should approach: the
  Kintone node sends up to 4 requests at once by default because the 100 are shared by every integration of the domain).
  Sliding windows let a run start with a full window, so short runs can exceed 100%.
- **Requests sent** and **429 received** come from the emulators' request logs (every request with its answered status):
  writes, plus other requests (token, form fields) after the "+". **429 surfaced** counts what the user sees: error
  items and run errors that mention a rate limit (429 / GAIA_TO04 / 99991400 / "too many requests").
- **Peak RSS** is the n8n process's VmHWM (\`/proc/self/status\`) at exit, for the whole \`n8n execute\` process (n8n
  itself is most of it); for (c) the client process's VmHWM.
- **CPU ms / 1,000 records**: \`bench/lib/probe.js\` is preloaded into the n8n process (\`NODE_OPTIONS=--require\`) and
  samples its CPU time (\`process.cpuUsage()\`) and that of its child processes (the task runner that runs Code nodes,
  from \`/proc/<pid>/stat\`) every 20 ms; the CPU spent between the window's start and end (interpolated) is divided by
  N. So it is the n8n-side CPU of the write alone (node code, n8n's engine around it, HTTP client), without start-up or
  the item generator — instead of subtracting a 0-record baseline run, whose start-up noise (several seconds of CPU) would
  swamp 1,000-record figures. For (c), \`process.cpuUsage()\` around the call.
- **Peer (a)** runs at N ≤ 10,000 only (issue 7); a run expected to exceed \`--max-peer-minutes\` is reported "not
  run" with the minimum time its documented limit imposes, and the 50× target is then checked against that upper bound
  of its throughput.
`;

function profileTable(profiles) {
	if (!profiles || profiles.length === 0) return '';
	const { CATEGORIES } = require('./profile');
	const keys = Object.keys(CATEGORIES);
	const head =
		`| Row | Wall time (s) | CPU, ms / 1,000 records | ${keys.map((key) => CATEGORIES[key]).join(' | ')} |\n` +
		`|---|---:|---:|${keys.map(() => '---:').join('|')}|`;
	const lines = profiles.map((p) => {
		if (p.error) return `| ${p.code}: ${p.label} | ${p.error.replace(/\n/g, ' ')} | |${keys.map(() => ' |').join('')}`;
		const busy = keys.reduce((sum, key) => sum + p.breakdown[key], 0);
		const share = (key) => `${Math.round((p.breakdown[key] / busy) * 100)}%`;
		return `| ${p.code}: ${SERVICE_LABEL[p.service]} ${p.label.replace(/^.*?node: /, 'node: ')} | ${fixed(p.wallMs / 1000, 2)} | ${fixed((p.cpuMs / p.n) * 1000, 1)} | ${keys.map(share).join(' | ')} |`;
	});
	return `## Where the node-side CPU goes (N = ${int(profiles[0].n)}, a second run with V8's profiler on)

The node rows were run once more with \`--cpu-prof\`. Each profiler sample of the n8n main thread inside the node's
execution window is counted once, by what is on its stack: this package's code (with the n8n calls it makes directly,
such as reading parameters), n8n's work for every request sent through \`httpRequestWithAuthentication\` (loading the
credential from the database, decrypting it, resolving its authentication, the HTTP client), garbage collection, and
the rest (n8n's engine, the runtime). The shares are of the busy (non-idle) samples; the CPU column is the process's
CPU time in the same window as the probe measures it (the profiler adds some overhead, so it is a little higher than
in the main table).

${[head, ...lines].join('\n')}
`;
}

async function writeReport({ outDir, results, profiles, options, machine, startedAt, finishedAt, command }) {
	fs.mkdirSync(outDir, { recursive: true });
	const targets = evaluateTargets(results, options.n, profiles);
	// Hand-written reading of the figures (causes of missed targets, fixes), kept next to the generator.
	const analysisFile = options.analysis || path.join(__dirname, '..', 'analysis.md');
	const analysis = fs.existsSync(analysisFile) ? fs.readFileSync(analysisFile, 'utf8') : '';
	const md = `# Benchmark results

Generated by \`bench/run.js\` (the Analysis section comes from \`bench/analysis.md\`). Do not edit by hand; run the command below again.

- **Date:** ${startedAt.toISOString()} (took ${((finishedAt - startedAt) / 60000).toFixed(1)} min)
- **Command:** \`${command}\`
- **Machine:** ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB memory, ${machine.kernel}
- **Load average** (1/5/15 min) at start ${machine.loadAverage.start.map((x) => x.toFixed(1)).join(' / ')}, at end ${machine.loadAverage.end.map((x) => x.toFixed(1)).join(' / ')}
- **Software:** n8n ${machine.n8nVersion} on Node ${machine.n8nNode}; emulators and benchmark driver on Node ${machine.benchNode}
- **Emulators:** ${options.latencyMs} ms latency per request; Kintone 100 concurrent / aPaaS 50/s and 1,000/min / data table 10/s enforced

## Results

${table(results)}

![records per second](records-per-second.png)

## Targets

| Target | Result | Numbers |
|---|---|---|
${targets.map((t) => `| ${t.target} | **${t.result}** | ${t.detail} |`).join('\n')}

${profileTable(profiles)}
${analysis ? `${analysis.trim()}\n\n` : ''}${METHOD(options, machine)}`;
	const mdFile = path.join(outDir, 'results.md');
	fs.writeFileSync(mdFile, md);
	const jsonFile = path.join(outDir, 'results.json');
	fs.writeFileSync(jsonFile, JSON.stringify({ startedAt, finishedAt, command, machine, options, results, profiles, targets }, null, 2));
	const { svg, width, height } = chartSvg(results);
	const svgFile = path.join(os.tmpdir(), `bench-chart-${process.pid}.svg`);
	fs.writeFileSync(svgFile, svg);
	const pngFile = path.join(outDir, 'records-per-second.png');
	const files = [mdFile, jsonFile];
	try {
		if (renderPng(svgFile, pngFile, width, height)) files.push(pngFile);
		else {
			const kept = path.join(outDir, 'records-per-second.svg');
			fs.copyFileSync(svgFile, kept);
			files.push(kept);
		}
	} finally {
		fs.rmSync(svgFile, { force: true });
	}
	return { files, targets };
}

module.exports = { writeReport, evaluateTargets };
