/**
 * A loopback emulator of the kintone REST API (records, cursors, bulkRequest, form fields, apps),
 * faithful to the wire format `@kintone/rest-api-client` expects. Runs in-process without jest, so
 * it doubles as the embedded backend of `npm run demo`.
 *
 * Endpoints (each also under `/k/guest/{spaceId}/v1/...`):
 *   GET/POST/PUT/DELETE /k/v1/records.json   (GET also as POST + `X-HTTP-Method-Override: GET`)
 *   GET/POST/PUT        /k/v1/record.json
 *   POST/GET/DELETE     /k/v1/records/cursor.json
 *   POST                /k/v1/bulkRequest.json   (record(s).json, record(s)/status.json inside)
 *   GET                 /k/v1/app/form/fields.json (also /preview/), /k/v1/app.json, /k/v1/apps.json
 *   POST/GET            /k/v1/file.json          (GET also with a JSON body or the method override)
 *   PUT                 /k/v1/record/status.json, /k/v1/records/status.json
 *   GET                 /k/v1/app/status.json    (also /preview/)
 *
 * Authentication: `X-Cybozu-API-Token` (1-9 comma-separated tokens; one must be of the app, and a
 * lookup needs a token of its source app too, as in kintone), `X-Cybozu-Authorization` (base64
 * `login:password`; wins over tokens), and, when `basicAuth` is set, `Authorization: Basic` on every
 * request. Error bodies are `{code, id, message, errors?}`, English unless `Accept-Language: ja`.
 * `X-ConcurrencyLimit-Limit`/`-Running` are on every handled response; more than `maxConcurrent`
 * requests in flight answer 429 GAIA_TO04 (or inject one with `server.inject({ action: tooManyRequests() })`).
 * Cursors: at most 10 per domain (429 GAIA_TM12), gone when read to the end (404 GAIA_CN01).
 *
 * Files (https://kintone.dev/en/docs/kintone/rest-api/files/upload-file/ ,
 * https://cybozu.dev/ja/kintone/docs/rest-api/files/upload-file): POST file.json takes one
 * multipart part named `file` with a file name (UTF-8 allowed) and answers `{fileKey}` (a UUID); no
 * record permission is needed; not allowed in bulkRequest. The body is streamed to a temp directory
 * (`fs.mkdtemp` under the OS temp dir, emptied by `reset()`, removed by `close()`), never held in
 * memory. An upload fileKey is usable once, within `fileKeyTtlMs` (3 days, as kintone deletes unused
 * uploads then; the emulator's `now` clock). Writing a FILE value (records.json, record.json,
 * bulkRequest, upsert; top level or subtable cell) stores each upload under a NEW download fileKey
 * (name, contentType, size from the upload) — the download key differs from the upload key
 * (https://developer.kintone.io/hc/en-us/articles/212494468-Download-File) — or keeps a file this
 * field of this record already holds, given by its download fileKey (to add a file, send the
 * existing fileKeys plus the new one: https://developer.cybozu.io/hc/ja/articles/200283219); the
 * value replaces the field's files. Any other fileKey is 400 CB_VA01 under
 * `records[i].<field>.value[j].fileKey` (message: emulator's). GET file.json?fileKey= answers the
 * bytes with the file's Content-Type and a `Content-Disposition: attachment; filename=…;
 * filename*=UTF-8''…` (emulator's form) while a record holds the file. One file is at most 1 GB
 * (https://jp.cybozu.help/k/zh-tw/admin/limitation/limit.html, article 04044): `maxFileBytes`,
 * default 1 GiB.
 *
 * Process management (https://kintone.dev/en/docs/kintone/rest-api/records/update-statuses ,
 * https://developer.kintone.io/hc/en-us/articles/213149747-Update-Status): an app's `process`
 * (states, actions, assignees as user codes); records start in the lowest-index state; STATUS and
 * STATUS_ASSIGNEE show the status and assignees (absent from records while process management is
 * off) and are queryable. An action raises the revision by 2 and sets the modifier and updated time;
 * records/status.json takes 1-100 records, all or nothing, as observed on real kintone: an action
 * not available from the current status is 400 GAIA_IL03, process management off 400 GAIA_ST02, a
 * next status whose assignee must be chosen from a list with none given 400 GAIA_SA01, a stale
 * revision 409 GAIA_CO02, an unknown record 404 GAIA_RE01. A next status with ALL/ANY assignees, or
 * ONE with a single candidate, takes them without `assignee`.
 *
 * The official client accepts plain http only for `localhost`: give it
 * `emulator.url.replace('127.0.0.1', 'localhost')`.
 *
 * Where real kintone's answer is not documented, the emulator chooses (apis.md §D notes the sources):
 * updateKey with no record is 404 GAIA_RE20; 10+ API tokens are 400 CB_VA01; values sent on update
 * for `$id`, the record number, creator/modifier and created/updated times are CB_VA01 "cannot be
 * updated" (CALC, status, category and lookup copies are silently ignored); `like` is a
 * case-insensitive substring match (kintone does word search); query functions are TODAY, NOW,
 * YESTERDAY, TOMORROW and LOGINUSER only; organization and group codes are not checked. GAIA_CO02
 * does not say which record was stale (real kintone does not either). Files: a file over
 * `maxFileBytes` is 413 `{code: "CB_IL02"}` (the rest of the body is read, not kept); an upload with
 * no `file` part is 400 CB_VA01 on `file` (the first `file` part counts when there are several); an
 * unknown download fileKey, or one no record holds any more, is 404 GAIA_BL01 "The specified file
 * (id: …) not found."; a record's file needs a token of its app (GAIA_IA02). Process management: an
 * `assignee` not among the next status's candidates is 400 CB_VA01 on `assignee`; actions ignore
 * who the current assignee is and filter conditions; app/status.json's revision is always "1".
 */
import { EmulatorServer } from '../server';
import { KintoneDomain } from './domain';
import { routes } from './routes';
import type { AppDefinition, KintoneRecord, KintoneUser } from './types';

export type { AppDefinition, AssigneeDef, FieldDef, FieldType, FieldValue, KintoneRecord, KintoneUser, LookupDef, ProcessDef } from './types';
export { createSampleApp, CUSTOMER_FIELDS, SAMPLE_FIELDS, SAMPLE_PROCESS } from './sampleApp';
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
	/** Largest file POST file.json accepts (413 CB_IL02 above). Default 1 GiB (1073741824), as kintone's 1 GB. */
	maxFileBytes?: number;
	/** An upload fileKey not used by a record write within this long is gone. Default 3 days, as kintone. Uses `now`. */
	fileKeyTtlMs?: number;
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
	/** The bytes of a file, read from disk: a download fileKey (from a record's FILE value) or an upload fileKey. */
	fileBytes(fileKey: string): Buffer;
	/** Upload fileKeys issued (POST file.json answered) since the last reset. */
	uploads(): number;
	/** Upload fileKeys not used by a record yet (expired or not). */
	unusedUploads(): string[];
	/** Download fileKeys of the files records hold now. */
	storedFiles(): string[];
	/** Requests refused (429 GAIA_TO04) for being over the concurrency limit since the last reset. */
	concurrencyRefusals(): number;
	/**
	 * Highest number of requests in flight at an arrival (the arriving one included) after the first
	 * concurrency refusal, since the last reset; undefined while nothing was refused. Above
	 * `maxConcurrent` means a later arrival was refused too: callers kept crowding the domain.
	 */
	peakConcurrencyAfterFirstRefusal(): number | undefined;
	/**
	 * Deletes every record, cursor and file (uploads and stored), restarts record IDs at 1, seeds
	 * `keepOnReset` records again and resets the server (recorded requests, pending faults). Apps,
	 * tokens and users stay.
	 */
	reset(): void;
}

/** Starts the emulator on 127.0.0.1. */
export async function startKintoneEmulator(options: KintoneEmulatorOptions = {}): Promise<KintoneEmulator> {
	const domain = new KintoneDomain(options);
	const files = domain.files;
	let server: EmulatorServer;
	try {
		server = await EmulatorServer.start(routes(domain, options.latencyMs, options.basicAuth), {
			port: options.port,
			streamBody: (req) => (files.wants(req) ? (body) => files.receive(body) : undefined),
		});
	} catch (error) {
		files.close();
		throw error;
	}
	return {
		get url() {
			return server.url;
		},
		server,
		close: async () => {
			await server.close();
			files.close();
		},
		addApp: (app) => domain.addApp(app),
		addApiToken: (token, apps) => domain.addApiToken(token, apps),
		addUser: (user) => domain.addUser(user),
		seedRecords: (app, records, seedOptions) => domain.seedRecords(app, records, seedOptions?.keepOnReset),
		records: (app) => domain.recordViews(app),
		record: (app, id) => domain.recordView(app, String(id)),
		openCursors: () => domain.cursors.size,
		peakConcurrency: () => domain.peakConcurrency,
		fileBytes: (fileKey) => {
			const file = files.files.get(fileKey) ?? files.uploads.get(fileKey);
			if (!file) throw new Error(`No file with fileKey ${fileKey}`);
			return files.read(file);
		},
		uploads: () => files.issued,
		unusedUploads: () => [...files.uploads.values()].filter((upload) => !upload.used).map((upload) => upload.key),
		storedFiles: () => domain.heldFileKeys(),
		concurrencyRefusals: () => domain.concurrencyRefusals,
		peakConcurrencyAfterFirstRefusal: () => domain.peakAfterFirstRefusal,
		reset: () => {
			domain.reset();
			server.reset();
		},
	};
}
