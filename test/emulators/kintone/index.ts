/**
 * A loopback emulator of the kintone REST API (records, cursors, bulkRequest, form fields, apps),
 * faithful to the wire format `@kintone/rest-api-client` expects. Runs in-process without jest, so
 * it doubles as the embedded backend of `npm run demo`.
 *
 * Endpoints (each also under `/k/guest/{spaceId}/v1/...`):
 *   GET/POST/PUT/DELETE /k/v1/records.json   (GET also as POST + `X-HTTP-Method-Override: GET`)
 *   GET/POST/PUT        /k/v1/record.json
 *   POST/GET/DELETE     /k/v1/records/cursor.json
 *   POST                /k/v1/bulkRequest.json
 *   GET                 /k/v1/app/form/fields.json (also /preview/), /k/v1/app.json, /k/v1/apps.json
 *
 * Authentication: `X-Cybozu-API-Token` (1-9 comma-separated tokens; one must be of the app, and a
 * lookup needs a token of its source app too, as in kintone), `X-Cybozu-Authorization` (base64
 * `login:password`; wins over tokens), and, when `basicAuth` is set, `Authorization: Basic` on every
 * request. Error bodies are `{code, id, message, errors?}`, English unless `Accept-Language: ja`.
 * `X-ConcurrencyLimit-Limit`/`-Running` are on every handled response; more than `maxConcurrent`
 * requests in flight answer 429 GAIA_TO04 (or inject one with `server.inject({ action: tooManyRequests() })`).
 * Cursors: at most 10 per domain (429 GAIA_TM12), gone when read to the end (404 GAIA_CN01).
 *
 * The official client accepts plain http only for `localhost`: give it
 * `emulator.url.replace('127.0.0.1', 'localhost')`.
 *
 * Where real kintone's answer is not documented, the emulator chooses (apis.md §D notes the sources):
 * updateKey with no record is 404 GAIA_RE20; 10+ API tokens are 400 CB_VA01; values sent on update
 * for `$id`, the record number, creator/modifier and created/updated times are CB_VA01 "cannot be
 * updated" (CALC, status, category and lookup copies are silently ignored); `like` is a
 * case-insensitive substring match (kintone does word search); query functions are TODAY, NOW,
 * YESTERDAY, TOMORROW and LOGINUSER only; FILE values are not checked against uploads; organization
 * and group codes are not checked. GAIA_CO02 does not say which record was stale (real kintone
 * does not either).
 */
import { EmulatorServer } from '../server';
import { KintoneDomain } from './domain';
import { routes } from './routes';
import type { AppDefinition, KintoneRecord, KintoneUser } from './types';

export type { AppDefinition, FieldDef, FieldType, FieldValue, KintoneRecord, KintoneUser, LookupDef } from './types';
export { createSampleApp, CUSTOMER_FIELDS, SAMPLE_FIELDS } from './sampleApp';
export type { SampleApp } from './sampleApp';
export { tooManyRequests } from './routes';

export interface KintoneEmulatorOptions {
	/** Port on 127.0.0.1; ephemeral by default. */
	port?: number;
	/** API token -> the app IDs it was generated in. More with `addApiToken`. */
	apiTokens?: Record<string, { apps: number[] }>;
	/**
	 * Login name -> password, for `X-Cybozu-Authorization` (more with `addUser`). `Administrator`
	 * always exists (it is who API-token calls act as) but can log in only when listed here.
	 */
	users?: Record<string, string>;
	/** When set, every request must also carry `Authorization: Basic base64(user:password)` (401 otherwise). */
	basicAuth?: { user: string; password: string };
	/** Requests in flight the domain accepts before answering 429 GAIA_TO04. Default 100, as kintone. */
	maxConcurrent?: number;
	/** Added to every request's handling time (makes concurrency observable). Default 0. */
	latencyMs?: number;
	/** Clock for CREATED_TIME/UPDATED_TIME and query functions; the real time by default. */
	now?: () => Date;
	/** A cursor not read for this long is gone (GAIA_CN01), as kintone's 10 minutes. */
	cursorIdleMs?: number;
}

/** A stored record, for assertions: ids and revisions as strings, `record` in GET shape. */
export interface StoredRecordView {
	id: string;
	revision: string;
	record: KintoneRecord;
}

export interface KintoneEmulator {
	/** Base URL, e.g. `http://127.0.0.1:54321` (what goes into the credential's base URL). */
	readonly url: string;
	/** The HTTP server: `.requests` for assertions, `.inject(fault)` for faults, `.reset()`. */
	readonly server: EmulatorServer;
	close(): Promise<void>;
	/** Creates an app (form fields included) and returns its ID. */
	addApp(app: AppDefinition): number;
	/** Registers an API token for apps (a token may belong to several apps, as in kintone's "app tokens"). */
	addApiToken(token: string, apps: number[]): void;
	/** Adds a user for password authentication and USER_SELECT values. */
	addUser(user: KintoneUser): void;
	/**
	 * Stores records directly (no auth, no limits), as if added through POST records.json: values in
	 * write format (`{code: {value}}`), validated the same way. Returns the new record IDs. With
	 * `keepOnReset`, `reset()` seeds them again (fixtures such as a lookup source).
	 */
	seedRecords(
		app: number,
		records: Array<Record<string, { value: unknown }>>,
		options?: { keepOnReset?: boolean },
	): string[];
	/** All records of an app in ascending ID order, GET shape. */
	records(app: number): StoredRecordView[];
	/** One record or undefined. */
	record(app: number, id: number | string): StoredRecordView | undefined;
	/** Cursors currently open on the domain (kintone allows 10). */
	openCursors(): number;
	/** Highest number of requests that were in flight at once since the last reset. */
	peakConcurrency(): number;
	/** Requests refused (429 GAIA_TO04) for being over the concurrency limit since the last reset. */
	concurrencyRefusals(): number;
	/**
	 * Highest number of requests in flight at an arrival (the arriving one included) after the first
	 * concurrency refusal, since the last reset; undefined while nothing was refused. Above
	 * `maxConcurrent` means a later arrival was refused too: callers kept crowding the domain.
	 */
	peakConcurrencyAfterFirstRefusal(): number | undefined;
	/**
	 * Deletes every record and cursor, restarts record IDs at 1, seeds `keepOnReset` records again
	 * and resets the server (recorded requests, pending faults). Apps, tokens and users stay.
	 */
	reset(): void;
}

/** Starts the emulator on 127.0.0.1. */
export async function startKintoneEmulator(options: KintoneEmulatorOptions = {}): Promise<KintoneEmulator> {
	const domain = new KintoneDomain(options);
	const server = await EmulatorServer.start(routes(domain, options.latencyMs, options.basicAuth), { port: options.port });
	return {
		get url() {
			return server.url;
		},
		server,
		close: () => server.close(),
		addApp: (app) => domain.addApp(app),
		addApiToken: (token, apps) => domain.addApiToken(token, apps),
		addUser: (user) => domain.addUser(user),
		seedRecords: (app, records, seedOptions) => domain.seedRecords(app, records, seedOptions?.keepOnReset),
		records: (app) => domain.recordViews(app),
		record: (app, id) => domain.recordView(app, String(id)),
		openCursors: () => domain.cursors.size,
		peakConcurrency: () => domain.peakConcurrency,
		concurrencyRefusals: () => domain.concurrencyRefusals,
		peakConcurrencyAfterFirstRefusal: () => domain.peakAfterFirstRefusal,
		reset: () => {
			domain.reset();
			server.reset();
		},
	};
}
