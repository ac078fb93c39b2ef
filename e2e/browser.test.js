'use strict';
/**
 * Browser test: a real n8n 2.41.1 editor in Debian's Chromium (driven by playwright-core, no browser
 * download), with this package installed from its packed tarball and the three emulators as backends.
 *
 * It sets each node up as a new user would, from an empty workflow (e2e/README.md lists every step):
 * the node panel's actions and the Operation list, "Choose … first" before a target, the target from
 * its list and the field mapping (n8n's resource mapper) from the emulator, the match defaults, a wrong
 * target said in the mapping, a run and its output, and the credential tests with a wrong secret. An
 * aPaaS update set up and run in the editor writes only the fields the user filled in. It also creates
 * a Feishu Data Table credential in the editor and completes its OAuth2 "Connect" flow against the
 * emulator's authorize page, then loads the table list and columns with the new token.
 *
 * Screenshots go to docs/ (overwritten on every run; the README shows them). On a failure, a debug
 * screenshot is saved to a temp folder and its path printed.
 *
 * Needs (installs nothing itself): Chromium at /usr/bin/chromium (or $CHROMIUM_PATH) with a CJK font
 * (fonts-droid-fallback), `bash e2e/setup.sh` and `npm run build:emulators` (`npm run test:e2e` runs
 * both; `.ci/run` installs chromium). Every request the browser makes outside 127.0.0.1 is blocked.
 *
 *   node --test e2e/browser.test.js      # ~3 min on 2 cores, 75 s of it build + install + n8n start
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { execFileSync } = require('node:child_process');

const n8n = require('./lib/n8n');
const { startBackends, BUILD_DIR } = require('./lib/backends');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const DOCS_DIR = path.join(n8n.REPO_DIR, 'docs');
const PKG = 'n8n-nodes-bulk-records';
/** The editor's usual port, so the OAuth redirect URL in the screenshot is the familiar one. */
const PREFERRED_PORT = 5678;
const VIEWPORT = { width: 1440, height: 1000 };
const UI_TIMEOUT_MS = 45_000;
const NODE_NAMES = { kintone: 'Kintone', apaas: 'Feishu aPaaS', dataTable: 'Feishu Data Table' };
const OAUTH_CREDENTIAL_NAME = 'Feishu Data Table (connected in browser)';
const AUTHORIZE_PATH = '/open-apis/authen/v1/authorize';
const TOKEN_PATH = '/open-apis/authen/v2/oauth/token';

let backends;
let userFolder;
let instance;
let owner;
let browser;
let page;
let debugDir;
const blockedRequests = [];

/** A clear message instead of a stack trace when the machine lacks a prerequisite. */
function missingPrerequisite() {
	if (!fs.existsSync(CHROMIUM)) {
		return `Chromium not found at ${CHROMIUM}. Install it: apt-get install -y --no-install-recommends chromium fonts-droid-fallback (or set CHROMIUM_PATH).`;
	}
	if (!hasCjkFont()) {
		console.log('# warning: no CJK font (fc-list :lang=zh is empty): field names in the screenshots will be boxes. Install fonts-droid-fallback.');
	}
	if (!n8n.isInstalled()) return 'The n8n e2e harness is not installed. Run: bash e2e/setup.sh';
	if (!fs.existsSync(path.join(BUILD_DIR, 'kintone', 'index.js'))) return 'The emulators are not compiled. Run: npm run build:emulators';
	return undefined;
}

function hasCjkFont() {
	try {
		return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
	} catch {
		return false;
	}
}

function portIsFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

function elapsed(since) {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs one UI step; on failure saves a screenshot (and n8n's log tail) to a temp folder and prints where. */
async function step(t, name, fn) {
	const started = Date.now();
	try {
		await fn();
		t.diagnostic(`${name}: ${elapsed(started)}`);
	} catch (error) {
		if (page) {
			debugDir = debugDir || fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-browser-test-'));
			const file = path.join(debugDir, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
			await page.screenshot({ path: file, fullPage: true }).catch(() => {});
			if (instance) fs.writeFileSync(path.join(debugDir, 'n8n.log'), instance.logs());
			console.log(`# browser test failed at "${name}": screenshot ${file} (n8n log: ${path.join(debugDir, 'n8n.log')}), page ${page.url()}`);
			await backToCanvas();
		}
		throw error;
	}
}

/** After a failed step: closes dialogs and the node view so the next test starts from the canvas. */
async function backToCanvas() {
	const quick = { timeout: 3000 };
	try {
		const modal = page.locator(byTestId('editCredential-modal'));
		if (await modal.isVisible()) await modal.getByRole('button', { name: 'Close this dialog' }).click(quick);
		await page.keyboard.press('Escape');
		if (await page.locator(byTestId('ndv')).isVisible()) await page.locator(byTestId('ndv-close-button')).click(quick);
	} catch {
		/* best effort */
	}
}

async function screenshot(name) {
	fs.mkdirSync(DOCS_DIR, { recursive: true });
	const file = path.join(DOCS_DIR, name);
	await page.screenshot({ path: file });
	return file;
}

const byTestId = (id) => `[data-test-id="${id}"]`;

/** Emulator requests received since `from` (an index into `server.requests`). */
function requestsSince(emulator, from) {
	return emulator.server.requests.slice(from);
}

// ---------------------------------------------------------------------------------------------
// Editor actions (selectors: n8n's data-test-id attributes)
// ---------------------------------------------------------------------------------------------

/** Opens a new workflow with this name and a manual trigger. */
async function newWorkflow(name) {
	await page.goto(`${instance.url}/workflow/new`);
	const nameInput = page.locator(`${byTestId('workflow-name-input')}`);
	await nameInput.locator(byTestId('inline-edit-preview')).click();
	await nameInput.locator('input').fill(name);
	await nameInput.locator('input').press('Enter');
	await page.locator(byTestId('canvas-plus-button')).click();
	await page.locator(byTestId('node-creator-search-bar')).fill('Manual');
	await page.locator(byTestId('node-creator-node-item')).first().click();
	await page.locator(`${byTestId('canvas-node')}[data-node-type="n8n-nodes-base.manualTrigger"]`).waitFor();
}

/** Adds a node of this package after the selected node, through the node creator and one of its actions. */
async function addNode(displayName, actionName) {
	await page.locator(byTestId('node-creator-plus-button')).click();
	const search = page.locator(byTestId('node-creator-search-bar'));
	await search.fill(displayName);
	const nodeItem = page
		.locator(byTestId('item-iterator-item'))
		.filter({ has: page.locator(byTestId('node-creator-item-name'), { hasText: new RegExp(`^${displayName}$`) }) });
	await nodeItem.first().click();
	await page.locator(byTestId('item-iterator-item')).filter({ hasText: actionName }).first().click();
	await page.locator(byTestId('ndv')).waitFor();
}

/** Waits until the node view's credential select shows this credential. */
async function expectCredential(name) {
	const input = page.locator(`${byTestId('ndv')} ${byTestId('node-credentials-select')} input`);
	await input.waitFor();
	const deadline = Date.now() + UI_TIMEOUT_MS;
	let value = await input.inputValue();
	while (value !== name) {
		if (Date.now() > deadline) throw new Error(`credential "${name}" not selected (shows "${value}")`);
		await page.waitForTimeout(250);
		value = await input.inputValue();
	}
}

/** Renames the node open in the node details view. */
async function renameOpenNode(name) {
	const title = page.locator(`${byTestId('ndv')} ${byTestId('node-title-container')}`);
	await title.locator(byTestId('inline-edit-preview')).click();
	const input = title.locator(`${byTestId('inline-edit-input')}`);
	await input.fill(name);
	await input.press('Enter');
	await title.locator(byTestId('inline-edit-preview'), { hasText: name }).waitFor();
}

async function closeNodeView() {
	await page.locator(byTestId('ndv-close-button')).click();
	await page.locator(byTestId('ndv')).waitFor({ state: 'hidden' });
}

async function openNodeOnCanvas(name) {
	await page.locator(`${byTestId('canvas-node')}[data-node-name="${name}"]`).dblclick();
	await page.locator(byTestId('ndv')).waitFor();
}

/** Picks an entry of a resource locator's "From list" dropdown (its items come from the node's listSearch). */
async function pickFromList(parameter, itemText) {
	const locator = page.locator(byTestId(`resource-locator-${parameter}`));
	await locator.locator(byTestId('rlc-input')).click();
	await page.locator(`${byTestId('rlc-item')}:visible`).filter({ hasText: itemText }).first().click();
}

/** The labels of the resource mapper's field inputs, once at least `expected` of them are shown. */
async function mappedFieldLabels(expected) {
	const mapper = page.locator(`${byTestId('ndv')} ${byTestId('resource-mapper-container')}`);
	for (const label of expected) {
		await mapper.locator(byTestId('input-label'), { hasText: label }).first().waitFor();
	}
	await mapper.scrollIntoViewIfNeeded();
	return (await mapper.locator(byTestId('input-label')).allInnerTexts()).map((text) => text.trim());
}

/** Picks an option of a node parameter's dropdown (e.g. the Operation list). */
async function chooseOption(parameter, optionName) {
	await page.locator(`${byTestId('ndv')} ${byTestId(`parameter-input-${parameter}`)}`).click();
	await page.getByRole('option', { name: optionName }).first().click();
}

/** Switches a resource locator to another mode ("By ID", "By Name" …) and types a value. */
async function typeIntoLocator(parameter, mode, value) {
	const locator = page.locator(byTestId(`resource-locator-${parameter}`));
	await locator.locator(byTestId('rlc-mode-selector')).click();
	await page.getByRole('option', { name: mode, exact: true }).click();
	const input = locator.locator('input').last();
	await input.fill(value);
	await input.blur();
}

/** The text of the open node's parameters panel, on one line. */
async function parametersText() {
	return (await page.locator(`${byTestId('ndv')} ${byTestId('node-parameters')}`).innerText()).replace(/\s+/g, ' ');
}

/** Waits until the node's parameters panel shows `text`, and returns the whole panel text. */
async function expectParametersText(text) {
	const deadline = Date.now() + UI_TIMEOUT_MS;
	let shown = await parametersText();
	while (!shown.includes(text)) {
		if (Date.now() > deadline) throw new Error(`"${text}" not shown; the panel says: ${shown.slice(0, 1500)}`);
		await page.waitForTimeout(250);
		shown = await parametersText();
	}
	return shown;
}

/** n8n's own red mapper errors ("No fields found …", "Can't get fields … Retry"), which the nodes replace by notices. */
const RED_MAPPER_ERROR = /No (fields|columns) found|Can['’]t get (fields|columns)|Retry/;

/** The node panel's actions of a node (as the node creator lists them after a click on the node). */
async function panelActions(displayName) {
	await page.locator(byTestId('node-creator-plus-button')).click();
	await page.locator(byTestId('node-creator-search-bar')).fill(displayName);
	await page
		.locator(byTestId('item-iterator-item'))
		.filter({ has: page.locator(byTestId('node-creator-item-name'), { hasText: new RegExp(`^${displayName}$`) }) })
		.first()
		.click();
	// The search results give way to the node's actions: one line each, where a node item has a description.
	const deadline = Date.now() + UI_TIMEOUT_MS;
	let actions = [];
	while (actions.length === 0 || actions.some((text) => text.includes('\n'))) {
		if (Date.now() > deadline) throw new Error(`no action list for ${displayName}: ${actions.join(' | ')}`);
		await page.waitForTimeout(250);
		actions = (await page.locator(byTestId('item-iterator-item')).allInnerTexts()).map((text) => text.trim());
	}
	await page.keyboard.press('Escape');
	await page.keyboard.press('Escape');
	await page.locator(byTestId('node-creator-search-bar')).waitFor({ state: 'hidden' });
	return actions;
}

/** Opens a new credential of the node's type from the open node, fills it in and saves it (which runs its test). */
async function saveNewCredential(fill) {
	await page.locator(byTestId('node-credentials-select')).click();
	await page.locator(byTestId('node-credentials-select-item-new')).click();
	const modal = page.locator(byTestId('editCredential-modal'));
	await modal.waitFor();
	await fill(modal);
	await modal.locator(byTestId('credential-save-button')).click();
	return modal;
}

/** The credential dialog's test result once it shows one ("Couldn't connect …" with the reason). */
async function credentialTestResult(modal) {
	const deadline = Date.now() + UI_TIMEOUT_MS;
	while (!(await modal.innerText()).includes('Couldn’t connect') && !(await modal.innerText()).includes('Connection tested successfully')) {
		if (Date.now() > deadline) throw new Error('the credential dialog showed no test result');
		await page.waitForTimeout(250);
	}
	const more = modal.getByText('More details');
	if (await more.isVisible()) await more.click();
	return (await modal.innerText()).replace(/\s+/g, ' ');
}

async function closeCredentialDialog(modal) {
	await modal.getByRole('button', { name: 'Close this dialog' }).click();
	await modal.waitFor({ state: 'hidden' });
}

// ---------------------------------------------------------------------------------------------

before(async () => {
	const missing = missingPrerequisite();
	if (missing) throw new Error(missing);
	const started = Date.now();
	backends = await startBackends();
	userFolder = await n8n.createMigratedUserFolder('n8n-e2e-browser-');
	n8n.packAndInstall(userFolder);
	await n8n.importCredentials(userFolder, backends.credentials);
	const port = (await portIsFree(PREFERRED_PORT)) ? PREFERRED_PORT : await n8n.getFreePort();
	instance = await n8n.startN8n(userFolder, port);
	owner = await n8n.setupOwner(instance.url);
	console.log(`# backends + build/pack/install + n8n start: ${elapsed(started)} (${instance.url})`);

	const { chromium } = require('playwright-core');
	browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
	const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
	// Loopback only: the editor would otherwise ask registry.npmjs.org about the community package.
	await context.route(
		(url) => /^(https?|wss?):$/.test(url.protocol) && url.hostname !== '127.0.0.1',
		(route) => {
			blockedRequests.push(route.request().url());
			return route.abort('blockedbyclient');
		},
	);
	context.setDefaultTimeout(UI_TIMEOUT_MS);
	page = await context.newPage();
});

after(async () => {
	if (blockedRequests.length) console.log(`# blocked non-loopback browser requests: ${[...new Set(blockedRequests)].join(', ')}`);
	if (browser) await browser.close().catch(() => {});
	if (instance) await instance.stop();
	if (backends) await backends.close();
	n8n.removeUserFolder(userFolder);
});

test('signs in to the editor and opens a new workflow with a manual trigger', { timeout: 120_000 }, async (t) => {
	await step(t, 'sign in', async () => {
		await page.goto(`${instance.url}/signin`);
		await page.locator(`${byTestId('emailOrLdapLoginId')} input`).fill(owner.email);
		await page.locator(`${byTestId('password')} input`).fill(owner.password);
		await page.locator(byTestId('form-submit-button')).click();
		await page.waitForURL(/\/home\//);
	});
	await step(t, 'new workflow', async () => await newWorkflow('Bulk records: three nodes'));
});

test('the node panel finds both Feishu nodes when searching "lark"', { timeout: 60_000 }, async () => {
	await page.locator(byTestId('node-creator-plus-button')).click();
	await page.locator(byTestId('node-creator-search-bar')).fill('lark');
	const names = page.locator(byTestId('node-creator-item-name'));
	await names.filter({ hasText: /^Feishu Data Table$/ }).first().waitFor();
	const found = await names.allInnerTexts();
	await page.keyboard.press('Escape');
	await page.locator(byTestId('node-creator-search-bar')).waitFor({ state: 'hidden' });
	for (const name of ['Feishu aPaaS', 'Feishu Data Table']) {
		assert.ok(found.some((text) => text.trim() === name), `"lark" does not find ${name}: ${found.join(' | ')}`);
	}
});

test('the three nodes name their operations alike, in the node panel and in the Operation list', { timeout: 120_000 }, async (t) => {
	const records = ['Create many records', 'Create or update records', 'Delete many records', 'Get many records', 'Sync records', 'Update many records'];
	const expected = {
		// Process management is kintone's own.
		[NODE_NAMES.kintone]: [...records, 'Update status of records'],
		[NODE_NAMES.apaas]: records.filter((action) => !action.startsWith('Create or update')),
		[NODE_NAMES.dataTable]: records.map((action) => action.replace('records', 'rows')),
	};
	const found = {};
	await step(t, 'node panel actions', async () => {
		for (const name of Object.keys(expected)) found[name] = await panelActions(name);
	});
	for (const [name, actions] of Object.entries(expected)) assert.deepEqual(found[name], actions, `${name} in the node panel`);
	// The Operation list says the same without the noun: "Create Many" for "Create many records".
	await step(t, 'operation list', async () => {
		await addNode(NODE_NAMES.kintone, 'Update many records');
		await page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-operation')}`).click();
		await page.getByRole('option', { name: /^Update Many/ }).first().waitFor();
		found.operations = (await page.getByRole('option').allInnerTexts()).map((text) => text.split('\n')[0].trim());
		await page.keyboard.press('Escape');
		await closeNodeView();
		await page.keyboard.press('Delete');
	});
	assert.deepEqual(found.operations, ['Create Many', 'Create or Update', 'Delete Many', 'Get Many', 'Sync', 'Update Many', 'Update Status']);
});

test('Kintone: calm until an app is chosen, then the fields; match defaults; a wrong app is said; values written come out', { timeout: 240_000 }, async (t) => {
	const { app, fields } = backends.seed.kintone;
	const from = backends.kintone.server.requests.length;
	let before;
	await step(t, 'kintone add node', async () => {
		await addNode(NODE_NAMES.kintone, 'Create many records');
		await renameOpenNode(NODE_NAMES.kintone);
		await expectCredential('Kintone (demo emulator)');
		before = await expectParametersText('Choose an app first');
	});
	assert.doesNotMatch(before, RED_MAPPER_ERROR, 'a red mapper error shows before an app is chosen');
	const fieldRequestsBefore = requestsSince(backends.kintone, from).filter((r) => r.path.includes('/form/fields.json')).length;
	assert.equal(fieldRequestsBefore, 0, 'fields were requested before an app was chosen');

	let labels;
	await step(t, 'kintone field mapping', async () => {
		await pickFromList('app', `(${app})`);
		labels = await mappedFieldLabels([fields.text, fields.quantity, fields.note]);
		await screenshot('kintone-field-mapping.png');
	});
	// Field codes as the emulator's sample app defines them (CJK codes, shown as "label (code)" when they differ).
	for (const code of [fields.code, fields.text, fields.quantity, fields.dropDown, fields.note, fields.customerCode]) {
		assert.ok(labels.some((label) => label.includes(code)), `field ${code} missing from the mapping: ${labels.join(' | ')}`);
	}
	assert.doesNotMatch(await parametersText(), /Choose an app first/);

	const writesBefore = backends.kintone.records(app).length;
	const writeRequests = () => backends.kintone.server.requests.filter((r) => r.method !== 'GET' && r.path.endsWith('/records.json')).length;
	let preview;
	let writesDuringPreview;
	await step(t, 'kintone dry run', async () => {
		await page.locator(`${byTestId('parameter-input-code')} input`).fill('PRJ-EDITOR-1');
		await page.locator(`${byTestId(`parameter-input-${fields.text}`)} input`).fill('エディタから作成');
		await page.locator(`${byTestId(`parameter-input-${fields.text}`)} input`).blur();
		const writes = writeRequests();
		await page.locator(`${byTestId('ndv')} ${byTestId('collection-parameter-add')}`).first().click();
		await page.locator('[role=menuitem]:visible, [role=option]:visible').filter({ hasText: 'Dry Run' }).first().click();
		await page.locator(`${byTestId('parameter-input-dryRun')} .el-switch`).click();
		await page.locator(`${byTestId('ndv')} ${byTestId('node-execute-button')}`).first().click();
		// The hint shows first, then the table of the previewed item.
		await page.locator(`${byTestId('ndv')} ${byTestId('output-panel')}`).getByText('dryRun', { exact: true }).first().waitFor();
		preview = (await page.locator(`${byTestId('ndv')} ${byTestId('output-panel')}`).innerText()).replace(/\s+/g, ' ');
		writesDuringPreview = writeRequests() - writes;
		await screenshot('kintone-dry-run.png');
		await page.locator(`${byTestId('parameter-input-dryRun')} .el-switch`).click();
	});
	// The preview says what would be sent, and nothing was.
	assert.equal(writesDuringPreview, 0);
	assert.equal(backends.kintone.records(app).length, writesBefore);
	assert.match(preview, /Dry run: nothing was written\. 1 record would be sent \(create\) in 1 request to POST \/k\/v1\/records\.json/);
	assert.match(preview, /dryRun/);
	assert.match(preview, /PRJ-EDITOR-1/);
	let output;
	await step(t, 'kintone create and read the output', async () => {
		await page.locator(`${byTestId('ndv')} ${byTestId('node-execute-button')}`).first().click();
		// The table of the written record replaces the preview's.
		const panel = page.locator(`${byTestId('ndv')} ${byTestId('output-panel')}`);
		const deadline = Date.now() + UI_TIMEOUT_MS;
		do {
			if (Date.now() > deadline) throw new Error(`the output still shows the dry run: ${output}`);
			await page.waitForTimeout(250);
			output = (await panel.innerText()).replace(/\s+/g, ' ');
		} while (/dryRun/.test(output) || !output.includes('PRJ-EDITOR-1'));
		await screenshot('kintone-create-output.png');
	});
	const created = backends.kintone.records(app).find((r) => r.record.code.value === 'PRJ-EDITOR-1');
	assert.ok(created, 'the record was not created');
	assert.equal(backends.kintone.records(app).length, writesBefore + 1);
	assert.equal(created.record[fields.text].value, 'エディタから作成');
	// The output shows the record written: its id and the values sent, not only {id, revision}.
	assert.match(output, /エディタから作成/);
	assert.match(output, new RegExp(`\\b${created.id}\\b`));

	let update;
	let upsert;
	await step(t, 'kintone update: values to update at once', async () => {
		await chooseOption('operation', 'Update Many');
		update = await expectParametersText('Values to Update');
		await page.locator(`${byTestId('ndv')} ${byTestId('add-fields-select')}`).waitFor();
	});
	assert.match(update, /Record to Match/);
	assert.match(update, /Record ID \(\$id\) \(using to match\)/);
	await step(t, 'kintone upsert: matches the unique field', async () => {
		await chooseOption('operation', 'Create or Update');
		upsert = await expectParametersText('(using to match)');
		await screenshot('kintone-upsert-match.png');
	});
	assert.match(upsert, /\(code\) \(using to match\)/, `Create or Update does not pre-select the unique field code: ${upsert}`);

	let wrong;
	await step(t, 'kintone wrong app', async () => {
		await typeIntoLocator('app', 'By ID', '9999');
		wrong = await expectParametersText('GAIA_AP01');
		await screenshot('kintone-app-not-found.png');
	});
	assert.match(wrong, /Could not read the fields of app 9999: \[GAIA_AP01\]/);
	assert.match(wrong, /Guest Space ID/);
	assert.doesNotMatch(wrong, RED_MAPPER_ERROR);
	await step(t, 'kintone close', closeNodeView);
});

test('Kintone credential: the test says kintone\'s code and the fix for a wrong API token', { timeout: 120_000 }, async (t) => {
	let result;
	let modal;
	await step(t, 'kintone wrong token', async () => {
		await openNodeOnCanvas(NODE_NAMES.kintone);
		modal = await saveNewCredential(async (dialog) => {
			await dialog.locator(byTestId('parameter-input-domain')).click();
			await page.getByRole('option', { name: 'Custom URL' }).click();
			await dialog.locator(`${byTestId('parameter-input-baseUrl')} input`).fill(backends.kintone.url);
			await dialog.locator(`${byTestId('parameter-input-apiToken')} input`).fill('not-a-token-of-this-app');
		});
		result = await credentialTestResult(modal);
		await screenshot('kintone-credential-wrong-token.png');
		await closeCredentialDialog(modal);
		await closeNodeView();
	});
	assert.match(result, /Couldn’t connect/);
	assert.match(result, /\[GAIA_IA02\]/);
	assert.match(result, /Check the API token in the credential/);
	assert.doesNotMatch(result, /not-a-token-of-this-app/);
});

test('Feishu aPaaS: calm until the object is chosen, the object from a list, the fields, Update reloads them, a wrong namespace is said', { timeout: 240_000 }, async (t) => {
	const { namespace, object } = backends.seed.apaas;
	const from = backends.apaas.server.requests.length;
	let before;
	await step(t, 'apaas add node', async () => {
		await addNode(NODE_NAMES.apaas, 'Create many records');
		await renameOpenNode(NODE_NAMES.apaas);
		await expectCredential('Feishu aPaaS (demo emulator)');
		before = await expectParametersText('Enter the namespace and the object first');
	});
	assert.doesNotMatch(before, RED_MAPPER_ERROR, 'a red mapper error shows before the object is chosen');
	let labels;
	await step(t, 'apaas field mapping', async () => {
		await page.locator(`${byTestId('parameter-input-namespace')} input`).fill(namespace);
		await pickFromList('objectApiName', object);
		labels = await mappedFieldLabels(['订单编号', '客户名称', '金额']);
		await screenshot('feishu-apaas-field-mapping.png');
	});
	for (const label of ['订单编号', '客户名称', '金额', '状态', '城市', '已付款', '交付日期']) {
		assert.ok(labels.some((l) => l.includes(label)), `field ${label} missing from the mapping: ${labels.join(' | ')}`);
	}
	// System fields and the auto number are read-only, so the node leaves them out of the mapping
	// (fields only marked `removed` can reappear in n8n 2.41's mapper).
	await t.test('offers no read-only fields for writing', () => {
		const readOnly = labels.filter((l) => /\((_createdAt|_updatedAt|_createdBy|_updatedBy|serial)\)/.test(l));
		assert.deepEqual(readOnly, []);
	});
	let update;
	await step(t, 'apaas update reloads the mapping', async () => {
		await chooseOption('operation', 'Update Many');
		update = await expectParametersText('Record ID (_id) (using to match)');
	});
	assert.match(update, /Record to Update/);
	assert.match(update, /The _id each item carries, e\.g\. from Get Many's output/);
	assert.doesNotMatch(update, /Usually an ID/);
	let wrong;
	await step(t, 'apaas wrong namespace', async () => {
		await page.locator(`${byTestId('parameter-input-namespace')} input`).fill('no_such_app__c');
		await page.locator(`${byTestId('parameter-input-namespace')} input`).blur();
		wrong = await expectParametersText('not found in namespace');
		await screenshot('feishu-apaas-namespace-not-found.png');
	});
	assert.match(wrong, new RegExp(`Object "${object}" not found in namespace "no_such_app__c" \\(Feishu: \\[2320001\\]`));
	assert.match(wrong, /Check both API names/);
	assert.doesNotMatch(wrong, RED_MAPPER_ERROR);

	await step(t, 'apaas close', closeNodeView);
	const requests = requestsSince(backends.apaas, from);
	const metadata = requests.filter(
		(r) => r.method === 'POST' && r.path === `/open-apis/apaas/v1/applications/${namespace}/objects/search` && r.rawBody.includes(object),
	);
	assert.ok(metadata.length > 0, `no metadata request for ${namespace}/${object} reached the emulator: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
});

test('Feishu Data Table credential: "Connect" completes OAuth2 against the emulator', { timeout: 120_000 }, async (t) => {
	const emulator = backends.dataTable;
	const from = emulator.server.requests.length;
	const tokenRequestsBefore = emulator.tokenRequests;
	const popups = [];
	let credentialFields;
	const onPopup = (popup) => popups.push(popup);
	page.context().on('page', onPopup);
	t.after(() => page.context().off('page', onPopup));
	await step(t, 'data table add node', async () => {
		await addNode(NODE_NAMES.dataTable, 'Create or update rows');
		await renameOpenNode(NODE_NAMES.dataTable);
	});
	await step(t, 'oauth create credential', async () => {
		await page.locator(byTestId('node-credentials-select')).click();
		await page.locator(byTestId('node-credentials-select-item-new')).click();
		const modal = page.locator(byTestId('editCredential-modal'));
		await modal.waitFor();
		const name = modal.locator(byTestId('credential-name'));
		await name.locator(byTestId('inline-edit-preview')).click();
		await name.locator(byTestId('inline-edit-input')).fill(OAUTH_CREDENTIAL_NAME);
		await name.locator(byTestId('inline-edit-input')).press('Enter');
		await modal.locator(`${byTestId('parameter-input-clientId')} input`).fill(emulator.clientId);
		await modal.locator(`${byTestId('parameter-input-clientSecret')} input`).fill(emulator.clientSecret);
		await modal.locator(byTestId('parameter-input-platform')).click();
		await page.getByRole('option', { name: 'Custom Base URL' }).click();
		await modal.locator(`${byTestId('parameter-input-baseUrl')} input`).fill(emulator.url);
		await modal.locator(`${byTestId('parameter-input-compositeKeys')} .el-switch`).click();
		credentialFields = await modal.locator('[data-test-id^="parameter-input-"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-test-id').replace('parameter-input-', '')));
		await modal.locator(byTestId('oauth-not-connected-banner')).waitFor();
	});
	await step(t, 'oauth connect', async () => {
		const modal = page.locator(byTestId('editCredential-modal'));
		// Saves the credential and opens n8n's authorization URL in a popup; the emulator's authorize
		// page approves at once and redirects to n8n's callback, which exchanges the code for a token,
		// stores it and closes the popup. The editor then closes the dialog.
		await modal.locator(byTestId('quick-connect-button')).click();
		const deadline = Date.now() + UI_TIMEOUT_MS;
		while (!requestsSince(emulator, from).some((r) => r.path === TOKEN_PATH)) {
			if (Date.now() > deadline) throw new Error('the emulator received no token request');
			await page.waitForTimeout(250);
		}
		// The editor either shows the result in the dialog or (n8n 2.41) closes the dialog once connected.
		const banner = modal.locator(byTestId('oauth-connect-success-banner'));
		while (!(await banner.isVisible()) && (await modal.isVisible())) {
			if (Date.now() > deadline) throw new Error('the credential dialog neither showed "Account connected" nor closed');
			await page.waitForTimeout(250);
		}
		if (!(await banner.isVisible())) {
			await expectCredential(OAUTH_CREDENTIAL_NAME);
			await page.locator(`${byTestId('ndv')} ${byTestId('credential-edit-button')}`).click();
		}
		await banner.waitFor();
		assert.match(await banner.innerText(), /Account connected/);
		await screenshot('oauth-connected.png');
		await modal.getByRole('button', { name: 'Close this dialog' }).click();
		await modal.waitFor({ state: 'hidden' });
	});

	const requests = requestsSince(emulator, from);
	const authorize = requests.find((r) => r.path === AUTHORIZE_PATH);
	assert.ok(authorize, 'the browser never reached the emulator authorize page');
	assert.equal(authorize.query.get('client_id'), emulator.clientId);
	assert.equal(authorize.query.get('redirect_uri'), `${instance.url}/rest/oauth2-credential/callback`);
	assert.match(authorize.query.get('scope') || '', /offline_access/);
	assert.ok(authorize.query.get('state'), 'no state parameter');
	const exchange = requests.find((r) => r.path === TOKEN_PATH);
	const params = new URLSearchParams(exchange.rawBody);
	const grant = params.get('grant_type') || (exchange.body && exchange.body.grant_type);
	assert.equal(grant, 'authorization_code');
	assert.equal(emulator.tokenRequests, tokenRequestsBefore + 1, 'exactly one token exchange');
	assert.ok(popups.length >= 1, 'no authorization popup was opened');
	assert.ok(popups.every((p) => p.isClosed()), 'the authorization popup stayed open');
	assert.match(authorize.query.get('scope') || '', /app_engine:workspace\.sql_commands:write/);
	// The Feishu/Lark choice comes before the node's own settings (n8n keeps the OAuth2 client fields first).
	const own = ['platform', 'baseUrl', 'compositeKeys'].map((name) => credentialFields.indexOf(name));
	assert.deepEqual([...own].sort((a, b) => a - b), own, `credential fields out of order: ${credentialFields.join(', ')}`);
});

test('Feishu Data Table: calm until a table is chosen, columns with the browser token, only unique keys to match on, a wrong table is said', { timeout: 240_000 }, async (t) => {
	const emulator = backends.dataTable;
	const { workspace, inventory } = backends.seed.dataTable;
	const demoToken = backends.credentials.find((c) => c.type === 'feishuDataTableOAuth2Api').data.oauthTokenData.access_token;
	const from = emulator.server.requests.length;
	let before;
	let labels;
	let keys;
	await step(t, 'data table field mapping', async () => {
		if (!(await page.locator(byTestId('ndv')).isVisible())) await openNodeOnCanvas(NODE_NAMES.dataTable);
		await expectCredential(OAUTH_CREDENTIAL_NAME);
		before = await expectParametersText('Choose a workspace and a table first');
		await page.locator(`${byTestId('resource-locator-workspace')} ${byTestId('rlc-input')}`).fill(workspace);
		await pickFromList('table', inventory);
		labels = await mappedFieldLabels(['warehouse', 'sku', 'product_name']);
		await page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-uniqueKey')}`).click();
		// The list loads after the click; read it once its entries show.
		await page.getByRole('option', { name: /\(primary key\)/ }).first().waitFor();
		keys = (await page.getByRole('option').allInnerTexts()).map((text) => text.split('\n')[0].trim());
		await page.keyboard.press('Escape');
		await screenshot('feishu-data-table-field-mapping.png');
	});
	assert.doesNotMatch(before, RED_MAPPER_ERROR, 'a red mapper error shows before a table is chosen');
	for (const column of ['warehouse', 'sku', 'product_name', 'qty', 'unit_price', 'status', 'updated_by']) {
		assert.ok(labels.some((l) => l.startsWith(column)), `column ${column} missing from the mapping: ${labels.join(' | ')}`);
	}
	// Only real keys to match on, the composite one as one choice, the business key first and pre-selected.
	assert.deepEqual(keys, ['warehouse + sku (unique)', '_id (primary key)']);
	const mapping = await parametersText();
	assert.match(mapping, /Columns to Match On/);
	assert.match(mapping, /warehouse \(using to match\)/);
	assert.match(mapping, /sku \(using to match\)/);
	assert.doesNotMatch(mapping, /_id \(using to match\)|Usually an ID/);
	assert.doesNotMatch(await parametersText(), /Choose a workspace and a table first/);

	let wrong;
	await step(t, 'data table wrong table', async () => {
		await typeIntoLocator('table', 'By Name', 'inventroy');
		wrong = await expectParametersText('was not found in workspace');
		await screenshot('feishu-data-table-table-not-found.png');
	});
	assert.match(wrong, new RegExp(`Table "inventroy" was not found in workspace "${workspace}"`));
	assert.match(wrong, /Check the workspace ID and the table name/);
	assert.doesNotMatch(wrong, RED_MAPPER_ERROR);
	assert.doesNotMatch(wrong, /Error fetching options/, 'Unique Key shows a second error for the table the mapping already explains');
	await step(t, 'data table back to the right table', async () => {
		await typeIntoLocator('table', 'By Name', inventory);
		await mappedFieldLabels(['warehouse', 'sku']);
	});
	await step(t, 'data table close', closeNodeView);
	const apiCalls = requestsSince(emulator, from).filter((r) => r.path.startsWith(`/open-apis/apaas/v1/workspaces/${workspace}/`));
	assert.ok(apiCalls.some((r) => r.path.endsWith('/tables')), 'no table list request reached the emulator');
	assert.ok(apiCalls.some((r) => r.path.endsWith(`/tables/${inventory}`)), 'no column request reached the emulator');
	for (const r of apiCalls) {
		const token = /^Bearer (\S+)$/.exec(r.headers.authorization || '');
		assert.ok(token && token[1] !== demoToken, `${r.path} was not sent with the token from the browser flow`);
	}
});

test('the workflow shows the three nodes', { timeout: 60_000 }, async (t) => {
	await step(t, 'workflow canvas', async () => {
		await page.locator(byTestId('zoom-to-fit')).click();
		for (const name of Object.values(NODE_NAMES)) {
			await page.locator(`${byTestId('canvas-node')}[data-node-name="${name}"]`).waitFor();
		}
		const types = await page.locator(byTestId('canvas-node')).evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node-type')));
		assert.deepEqual(
			types.filter((type) => type.startsWith(`${PKG}.`)).sort(),
			[`${PKG}.feishuApaas`, `${PKG}.feishuDataTable`, `${PKG}.kintone`],
		);
		await page.waitForTimeout(500); // zoom animation
		await screenshot('workflow.png');
	});
});

test('Feishu aPaaS Update set up in the editor: only the fields the user filled in are written', { timeout: 120_000 }, async (t) => {
	const { namespace, object } = backends.seed.apaas;
	const records = () => backends.apaas.records(namespace, object);
	const [id] = [...records().keys()];
	const before = { ...records().get(id).values };
	const from = backends.apaas.server.requests.length;
	await step(t, 'untouched: new workflow', async () => {
		await newWorkflow('Bulk records: update only what is set');
		await addNode(NODE_NAMES.apaas, 'Update many records');
		await expectCredential('Feishu aPaaS (demo emulator)');
		await page.locator(`${byTestId('parameter-input-namespace')} input`).fill(namespace);
		await pickFromList('objectApiName', object);
		await mappedFieldLabels(['Record ID (_id)']);
	});
	let paidChoices;
	await step(t, 'untouched: add city and paid, fill in the ID and the city', async () => {
		// The user adds two fields, fills in the city and leaves the yes/no field as it comes.
		for (const label of ['城市 (city)', '已付款 (paid)']) {
			await page.locator(`${byTestId('ndv')} ${byTestId('add-fields-select')} button`).click();
			await page.locator('div[role="menuitem"]:visible').filter({ hasText: label }).click();
		}
		await page.locator(`${byTestId('parameter-input-_id')} input`).fill(id);
		await page.locator(`${byTestId('parameter-input-city')} input`).fill('广州');
		await page.locator(`${byTestId('parameter-input-city')} input`).blur();
		await page.locator(byTestId('parameter-input-paid')).click();
		const choices = page.locator('.el-select-dropdown__item:visible');
		await choices.first().waitFor();
		paidChoices = await choices.allInnerTexts();
		await page.keyboard.press('Escape');
	});
	await step(t, 'untouched: execute the node', async () => {
		await page.locator(`${byTestId('ndv')} ${byTestId('node-execute-button')}`).first().click();
		// The output table shows the record written (the city input's own value is no text on the page).
		await page.locator(byTestId('ndv')).getByText('广州', { exact: true }).first().waitFor();
		await screenshot('feishu-apaas-update-only-what-is-set.png');
	});
	await step(t, 'untouched: close', closeNodeView);

	await t.test('the yes/no field offers True and False, with nothing chosen at first', () => {
		assert.deepEqual(paidChoices.map((text) => text.trim()), ['True', 'False']);
	});
	await t.test('the service received the ID and the city only; the record kept its other values', () => {
		const updates = requestsSince(backends.apaas, from).filter((r) => r.path.endsWith('/records/batch_update'));
		assert.equal(updates.length, 1);
		assert.deepEqual(JSON.parse(updates[0].body.records), [{ _id: id, city: '广州' }]);
		assert.deepEqual(records().get(id).values, { ...before, city: '广州' });
	});
});

// A credential saved from a node becomes that node's credential (the aPaaS Update workflow's node).
test('Feishu aPaaS credential: the test says Feishu\'s code and the fix for a wrong App Secret', { timeout: 120_000 }, async (t) => {
	await step(t, 'apaas credential: open the node', async () => await openNodeOnCanvas('Update many records'));
	let result;
	await step(t, 'apaas wrong secret', async () => {
		const modal = await saveNewCredential(async (dialog) => {
			await dialog.locator(byTestId('parameter-input-platform')).click();
			await page.getByRole('option', { name: 'Custom Base URL' }).click();
			await dialog.locator(`${byTestId('parameter-input-baseUrl')} input`).fill(backends.apaas.url);
			await dialog.locator(`${byTestId('parameter-input-appId')} input`).fill(backends.credentials.find((c) => c.type === 'feishuApaasApi').data.appId);
			await dialog.locator(`${byTestId('parameter-input-appSecret')} input`).fill('not-the-app-secret');
		});
		result = await credentialTestResult(modal);
		await screenshot('feishu-apaas-credential-wrong-secret.png');
		await closeCredentialDialog(modal);
		await closeNodeView();
	});
	assert.match(result, /Feishu refused the App ID and App Secret: \[10014\]/);
	assert.match(result, /Credentials & Basic Info/);
	assert.doesNotMatch(result, /not-the-app-secret/);
});

// Last: it opens a workflow of its own.
test('Kintone Sync set up in the editor: only what changed is written, a second run writes nothing, mirroring adds the Removed output', { timeout: 180_000 }, async (t) => {
	const { app, fields } = backends.seed.kintone;
	const record = () => backends.kintone.records(app).find((r) => r.record.code.value === 'PRJ-0004');
	const writes = () => backends.kintone.server.requests.filter((r) => r.method !== 'GET' && !r.headers['x-http-method-override'] && /\/(records|bulkRequest)\.json$/.test(r.path)).length;
	const before = record();
	const panel = () => page.locator(`${byTestId('ndv')} ${byTestId('output-panel')}`);
	let mapping;
	await step(t, 'sync: new workflow, app, the match field', async () => {
		await newWorkflow('Bulk records: sync');
		await addNode(NODE_NAMES.kintone, 'Sync records');
		// The credential test before saved a credential of its own, which new nodes now take.
		await page.locator(`${byTestId('ndv')} ${byTestId('node-credentials-select')}`).click();
		await page.getByRole('option', { name: 'Kintone (demo emulator)' }).first().click();
		await expectCredential('Kintone (demo emulator)');
		await pickFromList('app', `(${app})`);
		mapping = await expectParametersText('(using to match)');
	});
	assert.match(mapping, /\(code\) \(using to match\)/, `Sync does not pre-select the unique field code: ${mapping}`);
	assert.match(mapping, /Remove Records Not in Input/);
	assert.doesNotMatch(mapping, /Scope/, 'the Scope shows before "Remove Records Not in Input" is on');

	let first;
	const writesBefore = writes();
	await step(t, 'sync: map the code and a changed title, run', async () => {
		await page.locator(`${byTestId('ndv')} ${byTestId('add-fields-select')} button`).click();
		await page.locator('div[role="menuitem"]:visible').filter({ hasText: `(${fields.text})` }).first().click();
		await page.locator(`${byTestId('parameter-input-code')} input`).fill('PRJ-0004');
		await page.locator(`${byTestId(`parameter-input-${fields.text}`)} input`).fill('エディタから同期');
		await page.locator(`${byTestId(`parameter-input-${fields.text}`)} input`).blur();
		await page.locator(`${byTestId('ndv')} ${byTestId('node-execute-button')}`).first().click();
		await panel().getByText('updated', { exact: true }).first().waitFor();
		first = (await panel().innerText()).replace(/\s+/g, ' ');
		await screenshot('kintone-sync-output.png');
	});
	assert.equal(writes() - writesBefore, 1, 'one update request');
	assert.equal(record().record[fields.text].value, 'エディタから同期');
	assert.equal(Number(record().revision), Number(before.revision) + 1);
	assert.match(first, /Sync: 0 created, 1 updated, 0 unchanged, 0 removed\./);
	assert.match(first, new RegExp(`${before.record[fields.text].value}`), 'the old value is not shown among the changes');

	let second;
	const writesBeforeSecond = writes();
	await step(t, 'sync: run again', async () => {
		await page.locator(`${byTestId('ndv')} ${byTestId('node-execute-button')}`).first().click();
		await panel().getByText('unchanged', { exact: true }).first().waitFor();
		second = (await panel().innerText()).replace(/\s+/g, ' ');
	});
	assert.equal(writes(), writesBeforeSecond, 'a second identical run wrote');
	assert.match(second, /Sync: 0 created, 0 updated, 1 unchanged, 0 removed\./);

	let mirror;
	await step(t, 'sync: remove records not in input shows the scope and the safety limit', async () => {
		await page.locator(`${byTestId('parameter-input-removeMissing')} .el-switch`).click();
		mirror = await expectParametersText('Scope');
		await screenshot('kintone-sync-mirror.png');
	});
	assert.match(mirror, /Safety Limit/);
	assert.match(mirror, /Max Share Removed \(%\)/);
	let canvas;
	await step(t, 'sync: the node has a Removed output', async () => {
		await closeNodeView();
		await page.locator(byTestId('zoom-to-fit')).click();
		await page.waitForTimeout(500); // zoom animation
		const node = page.locator(`${byTestId('canvas-node')}[data-node-type="${PKG}.kintone"]`);
		await node.waitFor();
		canvas = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
		await screenshot('kintone-sync-outputs.png');
	});
	assert.match(canvas, /Synced/);
	assert.match(canvas, /Removed/);
});

// Last too: it opens a workflow of its own.
test('Kintone in the editor: Update Status lists the process\'s actions and moves the record; an attachment field says it takes the item\'s files', { timeout: 180_000 }, async (t) => {
	const { app, invoicesApp } = backends.seed.kintone;
	const status = (r) => r.record['ステータス'].value;
	const target = backends.kintone.records(app).filter((r) => status(r) === '未処理').pop();
	const chooseCredential = async () => {
		await page.locator(`${byTestId('ndv')} ${byTestId('node-credentials-select')}`).click();
		await page.getByRole('option', { name: 'Kintone (demo emulator)' }).first().click();
		await expectCredential('Kintone (demo emulator)');
	};
	let actions;
	await step(t, 'status: new workflow, the Action list', async () => {
		await newWorkflow('Bulk records: statuses and files');
		await addNode(NODE_NAMES.kintone, 'Update status of records');
		await chooseCredential();
		await pickFromList('app', `(${app})`);
		// n8n loads the list again when the node is opened with the app set (not while it stays open).
		await closeNodeView();
		await openNodeOnCanvas('Update status of records');
		// A list opened while its options are still loading shows "No data" until opened again.
		const deadline = Date.now() + UI_TIMEOUT_MS;
		for (;;) {
			await page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-action')}`).click();
			if (await page.getByRole('option', { name: /処理開始/ }).first().waitFor({ timeout: 2000 }).then(() => true, () => false)) break;
			if (Date.now() > deadline) throw new Error('the Action list shows no actions');
			await page.keyboard.press('Escape');
		}
		actions = (await page.getByRole('option').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
		await screenshot('kintone-update-status-actions.png');
		await page.getByRole('option', { name: /処理開始/ }).first().click();
	});
	assert.deepEqual(actions, ['処理開始 未処理 → 処理中', '完了する 処理中 → 完了', '差し戻す 処理中 → 未処理']);

	let output;
	await step(t, 'status: record ID and assignee, run', async () => {
		await page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-recordId')} input`).fill(target.id);
		await page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-assignee')} input`).fill('sato');
		await page.locator(`${byTestId('ndv')} ${byTestId('parameter-input-assignee')} input`).blur();
		await page.locator(`${byTestId('ndv')} ${byTestId('node-execute-button')}`).first().click();
		const panel = page.locator(`${byTestId('ndv')} ${byTestId('output-panel')}`);
		await panel.getByText('処理開始').first().waitFor();
		output = (await panel.innerText()).replace(/\s+/g, ' ');
		await screenshot('kintone-update-status-output.png');
		await closeNodeView();
	});
	const now = backends.kintone.record(app, target.id);
	assert.equal(status(now), '処理中');
	assert.deepEqual(now.record['作業者'].value.map((user) => user.code), ['sato']);
	assert.match(output, new RegExp(`${target.id}`));

	let attachments;
	await step(t, 'attachments: Create in the invoices app', async () => {
		await addNode(NODE_NAMES.kintone, 'Create many records');
		await chooseCredential();
		await pickFromList('app', `(${invoicesApp})`);
		attachments = (await mappedFieldLabels(['請求書PDF'])).join(' | ');
		await screenshot('kintone-attachment-field.png');
		await closeNodeView();
	});
	assert.match(attachments, /請求書PDF · files: binary property names, or \*/);
});
