'use strict';
/**
 * Peer (c): the official `@kintone/rest-api-client` `record.updateAllRecords`, in its own Node
 * process (so its CPU time and peak RSS are its own, not the emulator's). It sends the records as
 * bulkRequests of 2,000 (20 x 100), one after another.
 *
 * Input (argv[2], JSON): {baseUrl, apiToken, app, n, tag, fields}. The client accepts plain http
 * only for `localhost`, so baseUrl is http://localhost:<port>.
 * Output (stdout, JSON): {wallMs, cpuMs, vmHwmKb, records, error?}.
 */
const fs = require('node:fs');
const path = require('node:path');
const { KintoneRestAPIClient } = require(require.resolve('@kintone/rest-api-client', { paths: [path.resolve(__dirname, '..', '..')] }));

const { PRIORITIES } = require('./workflows');

async function main() {
	const { baseUrl, apiToken, app, n, tag, fields } = JSON.parse(process.argv[2]);
	const client = new KintoneRestAPIClient({ baseUrl, auth: { apiToken } });
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	// Built inside the measured span, as the nodes build theirs from their input items.
	const records = new Array(n);
	for (let i = 0; i < n; i++) {
		records[i] = {
			id: String(i + 1),
			record: {
				[fields.quantity]: { value: String(i % 1000) },
				[fields.priority]: { value: PRIORITIES[i % 3] },
				[fields.note]: { value: `${tag}#${i}` },
				[fields.due]: { value: `2025-0${1 + (i % 9)}-1${i % 10}` },
			},
		};
	}
	let error;
	let written = 0;
	try {
		const result = await client.record.updateAllRecords({ app, records });
		written = result.records.length;
	} catch (e) {
		error = `${e.name}: ${e.message}`;
	}
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	const status = fs.readFileSync('/proc/self/status', 'utf8');
	const vmHwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
	process.stdout.write(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, vmHwmKb, records: written, error }));
}

main().catch((e) => {
	process.stdout.write(JSON.stringify({ error: String(e && e.stack) }));
	process.exitCode = 1;
});
