import { randomUUID } from 'node:crypto';
import type { Messages } from './errors';
import { ErrorBag, KintoneError, messages, validationError } from './errors';
import type { ConvertContext, FieldProperty, FormFields, StoredRow, StoredValues } from './fields';
import {
	convertValue,
	emptyValue,
	evaluateCalc,
	formatDateTime,
	isEmptyValue,
	lookupCopyFields,
	renderRecord,
	requiredKey,
	toProperty,
	writeKindOf,
} from './fields';
import type { FileBytes, FileValue, StoredFile } from './files';
import { DEFAULT_FILE_KEY_TTL_MS, FileStore } from './files';
import type { CompiledQuery } from './query';
import { compileQuery } from './query';
import type { AppDefinition, AssigneeDef, FieldDef, KintoneRecord, KintoneUser, ProcessDef } from './types';

export interface StoredRecord {
	id: number;
	revision: number;
	values: StoredValues;
}

export interface AppState {
	id: number;
	name: string;
	description: string;
	guestSpaceId?: number;
	spaceId?: number;
	fields: FormFields;
	/** Lookup copy destinations: kintone fills them from the lookup source. */
	copies: Set<string>;
	records: Map<number, StoredRecord>;
	nextRecordId: number;
	/** Unique fields: value -> record id, for duplicate checks and updateKey lookups. */
	unique: Map<string, Map<string, number>>;
	createdAt: string;
	/** Process management (disabled, with no states, when the app has none). */
	process: ProcessDef;
	/** Whether the app ever had process management settings (GET app/status.json answers null states otherwise). */
	hasProcess: boolean;
}

/** Who is calling: the acting user, and for API-token calls the apps its tokens were generated in. */
export interface Caller {
	user: { code: string; name: string };
	tokenApps?: ReadonlySet<number>;
	t: Messages;
}

export interface Cursor {
	id: string;
	app: AppState;
	ids: number[];
	only?: ReadonlySet<string>;
	size: number;
	position: number;
	lastAccess: number;
}

export interface DomainOptions {
	apiTokens?: Record<string, { apps: number[] }>;
	users?: Record<string, string>;
	maxConcurrent?: number;
	now?: () => Date;
	cursorIdleMs?: number;
	maxFileBytes?: number;
	fileKeyTtlMs?: number;
}

const ADMINISTRATOR = { code: 'Administrator', name: 'Administrator' };
export const MAX_WRITE = 100;
export const MAX_OPEN_CURSORS = 10;

/** Values sent for one record: `{record}` plus how it is addressed. */
interface RecordInput {
	id?: unknown;
	updateKey?: { field?: unknown; value?: unknown };
	revision?: unknown;
	record?: unknown;
}

interface Journal {
	records: Map<AppState, Map<number, StoredRecord | undefined>>;
	nextIds: Map<AppState, number>;
	/** Upload fileKeys used up by this transaction, and the download fileKeys it created. */
	usedUploads: string[];
	createdFiles: string[];
}

/** One status action of PUT record(s)/status.json. */
interface StatusInput {
	id?: unknown;
	action?: unknown;
	assignee?: unknown;
	revision?: unknown;
}

/**
 * The emulated kintone domain: apps, records, users, tokens and cursors in plain Maps. Every write
 * operation runs synchronously inside `transaction`, so a failure anywhere restores every record it
 * touched (kintone's all-or-nothing requests and bulkRequest).
 */
export class KintoneDomain {
	readonly apps = new Map<number, AppState>();

	readonly tokens = new Map<string, Set<number>>();

	readonly users = new Map<string, KintoneUser>();

	readonly cursors = new Map<string, Cursor>();

	readonly maxConcurrent: number;

	/** Uploaded and stored files (bytes on disk). */
	readonly files: FileStore;

	inFlight = 0;

	peakConcurrency = 0;

	/** Requests answered 429 GAIA_TO04 for being over `maxConcurrent`, since the last reset. */
	concurrencyRefusals = 0;

	/**
	 * Highest number of requests in flight (the arriving one included, so a refused arrival counts)
	 * seen at an arrival after the first concurrency refusal; undefined while there was none.
	 */
	peakAfterFirstRefusal: number | undefined;

	private nextRowId = 1;

	/** Records `reset()` seeds again. */
	private readonly fixtures: Array<{ app: number; records: Array<Record<string, { value: unknown }>> }> = [];

	private journal?: Journal;

	private readonly clock: () => Date;

	private readonly cursorIdleMs: number;

	private readonly fileKeyTtlMs: number;

	constructor(options: DomainOptions = {}) {
		this.maxConcurrent = options.maxConcurrent ?? 100;
		this.files = new FileStore(options.maxFileBytes);
		this.fileKeyTtlMs = options.fileKeyTtlMs ?? DEFAULT_FILE_KEY_TTL_MS;
		this.clock = options.now ?? (() => new Date());
		this.cursorIdleMs = options.cursorIdleMs ?? 10 * 60_000;
		this.users.set(ADMINISTRATOR.code, { ...ADMINISTRATOR });
		for (const [login, password] of Object.entries(options.users ?? {})) {
			this.addUser({ code: login, name: this.users.get(login)?.name ?? login, password });
		}
		for (const [token, { apps }] of Object.entries(options.apiTokens ?? {})) this.addApiToken(token, apps);
	}

	now(): Date {
		return this.clock();
	}

	addApp(definition: AppDefinition): number {
		const id = definition.id ?? Math.max(0, ...this.apps.keys()) + 1;
		if (this.apps.has(id)) throw new Error(`App ${id} already exists`);
		const defs: Record<string, FieldDef> = { ...definition.fields };
		const process = definition.process && structuredClone(definition.process);
		if (process) {
			const status = Object.keys(defs).find((code) => defs[code].type === 'STATUS') ?? 'ステータス';
			const states = Object.fromEntries(
				[...process.states].sort((a, b) => a.index - b.index).map((state) => [state.name, { name: state.name, index: String(state.index) }]),
			);
			defs[status] = { label: status, ...defs[status], type: 'STATUS', enabled: process.enable, states };
			if (!Object.values(defs).some((def) => def.type === 'STATUS_ASSIGNEE')) defs['作業者'] = { type: 'STATUS_ASSIGNEE' };
		}
		const fields = Object.fromEntries(Object.entries(defs).map(([code, def]) => [code, toProperty(code, def)]));
		const unique = new Map<string, Map<string, number>>();
		for (const field of Object.values(fields)) if (field.unique) unique.set(field.code, new Map());
		this.apps.set(id, {
			id,
			name: definition.name,
			description: definition.description ?? '',
			guestSpaceId: definition.guestSpaceId,
			spaceId: definition.spaceId ?? definition.guestSpaceId,
			fields,
			copies: lookupCopyFields(fields),
			records: new Map(),
			nextRecordId: 1,
			unique,
			createdAt: formatDateTime(this.now()),
			process: process ?? processOfForm(fields),
			hasProcess: process !== undefined || Object.values(fields).some((field) => field.type === 'STATUS'),
		});
		return id;
	}

	addApiToken(token: string, apps: number[]): void {
		const set = this.tokens.get(token) ?? new Set<number>();
		apps.forEach((app) => set.add(app));
		this.tokens.set(token, set);
	}

	addUser(user: KintoneUser): void {
		this.users.set(user.code, { ...user });
	}

	/** Stores records as POST records.json would (validated), without auth or the 100 limit. */
	seedRecords(appId: number, records: Array<Record<string, { value: unknown }>>, keepOnReset = false): string[] {
		const app = this.apps.get(appId);
		if (keepOnReset) this.fixtures.push({ app: appId, records });
		if (!app) throw new Error(`No app ${appId}`);
		const caller: Caller = { user: ADMINISTRATOR, t: messages('en') };
		try {
			return this.transaction(() => this.insertAll(app, records.map((record) => ({ record })), caller)).map(
				(record) => String(record.id),
			);
		} catch (error) {
			if (error instanceof KintoneError) {
				throw new Error(`seedRecords: ${error.code} ${error.message} ${JSON.stringify(error.errors ?? {})}`);
			}
			throw error;
		}
	}

	recordViews(appId: number): Array<{ id: string; revision: string; record: KintoneRecord }> {
		const app = this.apps.get(appId);
		if (!app) return [];
		return sortedRecords(app).map((record) => this.view(app, record));
	}

	recordView(appId: number, id: string): { id: string; revision: string; record: KintoneRecord } | undefined {
		const app = this.apps.get(appId);
		const record = app?.records.get(Number(id));
		return app && record ? this.view(app, record) : undefined;
	}

	reset(): void {
		for (const app of this.apps.values()) {
			app.records.clear();
			app.nextRecordId = 1;
			app.unique.forEach((index) => index.clear());
		}
		this.cursors.clear();
		this.files.reset();
		this.nextRowId = 1;
		this.peakConcurrency = 0;
		this.concurrencyRefusals = 0;
		this.peakAfterFirstRefusal = undefined;
		for (const { app, records } of this.fixtures) this.seedRecords(app, records);
	}

	// ---- access ------------------------------------------------------------------------------

	/**
	 * The app a request is about, after kintone's checks: the `app` parameter, existence (404
	 * GAIA_AP01), the guest-space path (GAIA_IL23) and, for API-token calls, a token of this app
	 * (GAIA_IA02).
	 */
	appFor(appParam: unknown, guestSpaceId: number | undefined, caller: Caller, paramName = 'app'): AppState {
		const id = positiveInteger(appParam, paramName, caller.t);
		const app = this.apps.get(id);
		if (!app) throw new KintoneError(404, 'GAIA_AP01', caller.t.appNotFound(String(id)));
		if (app.guestSpaceId !== guestSpaceId) throw new KintoneError(400, 'GAIA_IL23', caller.t.guestPath);
		if (caller.tokenApps && !caller.tokenApps.has(app.id)) throw new KintoneError(400, 'GAIA_IA02', caller.t.tokenMismatch);
		return app;
	}

	appInfo(app: AppState): Record<string, unknown> {
		const space = app.spaceId === undefined ? null : String(app.spaceId);
		return {
			appId: String(app.id),
			code: '',
			name: app.name,
			description: app.description,
			spaceId: space,
			threadId: space,
			createdAt: app.createdAt,
			creator: { ...ADMINISTRATOR },
			modifiedAt: app.createdAt,
			modifier: { ...ADMINISTRATOR },
		};
	}

	/** GET apps.json: apps visible through this path (guest space or not) and these credentials. */
	listApps(
		filter: { ids?: string[]; codes?: string[]; name?: string; spaceIds?: string[]; limit?: unknown; offset?: unknown },
		guestSpaceId: number | undefined,
		caller: Caller,
	): Array<Record<string, unknown>> {
		const bag = new ErrorBag();
		const limit = filter.limit === undefined ? 100 : Number(filter.limit);
		const offset = filter.offset === undefined ? 0 : Number(filter.offset);
		if (!Number.isInteger(limit) || limit < 1) bag.add('limit', caller.t.minOne);
		else if (limit > 100) bag.add('limit', caller.t.maxApps);
		if (!Number.isInteger(offset) || offset < 0) bag.add('offset', caller.t.invalidInput);
		if (!bag.empty) throw validationError(caller.t, bag.errors);
		return [...this.apps.values()]
			.filter((app) => app.guestSpaceId === guestSpaceId)
			.filter((app) => !caller.tokenApps || caller.tokenApps.has(app.id))
			.filter((app) => !filter.ids?.length || filter.ids.map(Number).includes(app.id))
			// Apps have no app code here, so a codes filter matches only the empty code.
			.filter(() => !filter.codes?.length || filter.codes.includes(''))
			.filter((app) => !filter.name || app.name.toLowerCase().includes(filter.name.toLowerCase()))
			.filter((app) => !filter.spaceIds?.length || filter.spaceIds.includes(String(app.spaceId)))
			.sort((a, b) => a.id - b.id)
			.slice(offset, offset + limit)
			.map((app) => this.appInfo(app));
	}

	// ---- reads ---------------------------------------------------------------------------------

	getRecords(
		app: AppState,
		params: { query?: unknown; fields?: string[]; totalCount?: unknown },
		caller: Caller,
	): { records: KintoneRecord[]; totalCount: string | null } {
		const query = compileQuery(String(params.query ?? ''), app.fields, this.queryContext(caller));
		const matched = candidates(app, query).filter((record) => query.matches(record)).sort(query.compare);
		const offset = query.offset ?? 0;
		const page = matched.slice(offset, offset + (query.limit ?? 100));
		const only = params.fields?.length ? new Set(params.fields) : undefined;
		const totalCount = params.totalCount === true || params.totalCount === 'true';
		return {
			records: page.map((record) => renderRecord(app.fields, record, only)),
			totalCount: totalCount ? String(matched.length) : null,
		};
	}

	getRecord(app: AppState, idParam: unknown, caller: Caller): { record: KintoneRecord } {
		const id = positiveInteger(idParam, 'id', caller.t);
		const record = app.records.get(id);
		if (!record) throw new KintoneError(404, 'GAIA_RE01', caller.t.recordNotFound(String(id)));
		return { record: renderRecord(app.fields, record) };
	}

	createCursor(
		app: AppState,
		params: { query?: unknown; fields?: string[]; size?: unknown },
		caller: Caller,
	): { id: string; totalCount: string } {
		const size = params.size === undefined || params.size === null ? 100 : Number(params.size);
		if (!Number.isInteger(size) || size < 1) throw validationError(caller.t, { size: { messages: [caller.t.minOne] } });
		if (size > 500) throw validationError(caller.t, { size: { messages: [caller.t.maxCursorSize] } });
		const query = compileQuery(String(params.query ?? ''), app.fields, this.queryContext(caller));
		if (query.limit !== undefined || query.offset !== undefined) {
			throw validationError(caller.t, { query: { messages: [caller.t.cursorQuery] } });
		}
		this.expireCursors();
		if (this.cursors.size >= MAX_OPEN_CURSORS) throw new KintoneError(429, 'GAIA_TM12', caller.t.cursorLimit);
		const ids = [...app.records.values()]
			.filter((record) => query.matches(record))
			.sort(query.compare)
			.map((record) => record.id);
		const cursor: Cursor = {
			id: randomUUID(),
			app,
			ids,
			only: params.fields?.length ? new Set(params.fields) : undefined,
			size,
			position: 0,
			lastAccess: Date.now(),
		};
		this.cursors.set(cursor.id, cursor);
		return { id: cursor.id, totalCount: String(ids.length) };
	}

	/** The next page of a cursor; the cursor is gone once read to the end (as in kintone). */
	readCursor(id: unknown, guestSpaceId: number | undefined, caller: Caller): { records: KintoneRecord[]; next: boolean } {
		const cursor = this.openCursor(id, guestSpaceId, caller);
		const ids = cursor.ids.slice(cursor.position, cursor.position + cursor.size);
		cursor.position += ids.length;
		cursor.lastAccess = Date.now();
		const next = cursor.position < cursor.ids.length;
		if (!next) this.cursors.delete(cursor.id);
		// Values are those at read time; records deleted since creation are skipped.
		const records = ids
			.map((recordId) => cursor.app.records.get(recordId))
			.filter((record): record is StoredRecord => record !== undefined)
			.map((record) => renderRecord(cursor.app.fields, record, cursor.only));
		return { records, next };
	}

	deleteCursor(id: unknown, guestSpaceId: number | undefined, caller: Caller): Record<string, never> {
		this.cursors.delete(this.openCursor(id, guestSpaceId, caller).id);
		return {};
	}

	private openCursor(id: unknown, guestSpaceId: number | undefined, caller: Caller): Cursor {
		if (id === undefined || id === null || id === '') {
			throw validationError(caller.t, { id: { messages: [caller.t.requiredParam] } });
		}
		this.expireCursors();
		const cursor = this.cursors.get(String(id));
		if (!cursor) throw new KintoneError(404, 'GAIA_CN01', caller.t.cursorNotFound);
		this.appFor(cursor.app.id, guestSpaceId, caller);
		return cursor;
	}

	private expireCursors(): void {
		const now = Date.now();
		for (const cursor of this.cursors.values()) {
			if (now - cursor.lastAccess > this.cursorIdleMs) this.cursors.delete(cursor.id);
		}
	}

	private queryContext(caller: Caller) {
		return { t: caller.t, now: this.now(), loginUser: caller.user.code };
	}

	// ---- writes --------------------------------------------------------------------------------

	/** Runs `work` all-or-nothing: if it throws, every record it touched is restored. Nested calls join the outer one. */
	transaction<T>(work: () => T): T {
		if (this.journal) return work();
		this.journal = { records: new Map(), nextIds: new Map(), usedUploads: [], createdFiles: [] };
		try {
			return work();
		} catch (error) {
			this.rollback(this.journal);
			throw error;
		} finally {
			this.journal = undefined;
		}
	}

	addRecords(app: AppState, records: unknown, caller: Caller): { ids: string[]; revisions: string[] } {
		const list = recordList(records, caller.t, caller.t.maxAdd);
		const added = this.transaction(() => this.insertAll(app, list.map((record) => ({ record })), caller));
		return { ids: added.map((record) => String(record.id)), revisions: added.map((record) => String(record.revision)) };
	}

	addRecord(app: AppState, record: unknown, caller: Caller): { id: string; revision: string } {
		const [added] = this.transaction(() => this.insertAll(app, [{ record }], caller, () => 'record'));
		return { id: String(added.id), revision: String(added.revision) };
	}

	updateRecords(
		app: AppState,
		records: unknown,
		upsert: boolean,
		caller: Caller,
	): { records: Array<{ id: string; revision: string; operation?: 'INSERT' | 'UPDATE' }> } {
		const list = recordList(records, caller.t, caller.t.maxUpdate) as RecordInput[];
		return this.transaction(() => {
			const bag = new ErrorBag();
			const results = list.map((input, index) => {
				const { record, operation } = this.upsertOne(app, input, `records[${index}]`, upsert, bag, caller);
				const result = { id: String(record.id), revision: String(record.revision) };
				return upsert ? { ...result, operation } : result;
			});
			if (!bag.empty) throw validationError(caller.t, bag.errors);
			return { records: results };
		});
	}

	updateRecord(app: AppState, input: RecordInput, caller: Caller): { revision: string } {
		return this.transaction(() => {
			const bag = new ErrorBag();
			const { record } = this.upsertOne(app, input, 'record', false, bag, caller);
			if (!bag.empty) throw validationError(caller.t, bag.errors);
			return { revision: String(record.revision) };
		});
	}

	deleteRecords(app: AppState, idsParam: unknown, revisionsParam: unknown, caller: Caller): Record<string, never> {
		const { t } = caller;
		const ids = Array.isArray(idsParam) ? idsParam : idsParam === undefined ? [] : [idsParam];
		if (ids.length === 0) throw validationError(t, { ids: { messages: [t.maxDelete, t.requiredParam] } });
		if (ids.length > MAX_WRITE) throw validationError(t, { ids: { messages: [t.maxDelete] } });
		const revisions = Array.isArray(revisionsParam) ? revisionsParam : undefined;
		if (revisions && revisions.length > 0 && revisions.length !== ids.length) {
			throw validationError(t, { revisions: { messages: [t.revisionsMismatch] } });
		}
		return this.transaction(() => {
			ids.forEach((idParam, index) => {
				const id = positiveInteger(idParam, `ids[${index}]`, t);
				const record = app.records.get(id);
				if (!record) throw new KintoneError(404, 'GAIA_RE01', t.recordNotFound(String(id)));
				checkRevision(record, revisions?.[index], t);
				this.remove(app, id);
			});
			return {};
		});
	}

	private upsertOne(
		app: AppState,
		input: RecordInput,
		prefix: string,
		upsert: boolean,
		bag: ErrorBag,
		caller: Caller,
	): { record: StoredRecord; operation: 'INSERT' | 'UPDATE' } {
		const { t } = caller;
		if (typeof input !== 'object' || input === null) {
			bag.add(prefix, t.invalidInput);
			return { record: { id: 0, revision: 0, values: {} }, operation: 'UPDATE' };
		}
		const hasId = input.id !== undefined && input.id !== null;
		const hasKey = input.updateKey !== undefined && input.updateKey !== null;
		if (hasId === hasKey) {
			bag.add(`${prefix}.id`, hasId ? t.idOrUpdateKey : t.requiredParam);
			return { record: { id: 0, revision: 0, values: {} }, operation: 'UPDATE' };
		}
		const target = hasId
			? app.records.get(positiveInteger(input.id, `${prefix}.id`, t))
			: this.findByUpdateKey(app, input.updateKey as { field?: unknown; value?: unknown }, t);
		if (!target) {
			if (!upsert) {
				throw hasId
					? new KintoneError(404, 'GAIA_RE01', t.recordNotFound(String(input.id)))
					: new KintoneError(404, 'GAIA_RE20', t.keyNotFound(String(input.updateKey?.field), String(input.updateKey?.value)));
			}
			const record = { ...asRecordObject(input.record) };
			if (hasKey) record[String(input.updateKey?.field)] ??= { value: input.updateKey?.value };
			const [inserted] = this.insertAll(app, [{ record }], caller, () => prefix, bag);
			return { record: inserted, operation: 'INSERT' };
		}
		checkRevision(target, input.revision, t);
		const values = this.buildValues(app, input.record, target, prefix, bag, caller);
		const updated: StoredRecord = { id: target.id, revision: target.revision + 1, values };
		this.checkUnique(app, updated, prefix, bag, t);
		this.put(app, updated);
		return { record: updated, operation: 'UPDATE' };
	}

	private findByUpdateKey(app: AppState, updateKey: { field?: unknown; value?: unknown }, t: Messages): StoredRecord | undefined {
		const code = String(updateKey.field ?? '');
		const field = app.fields[code];
		if (!field || !['SINGLE_LINE_TEXT', 'NUMBER'].includes(field.type) || !field.unique) {
			throw new KintoneError(400, 'GAIA_IQ27', t.updateKeyNotUnique(code));
		}
		const key = uniqueKey(field, updateKey.value);
		const id = key === undefined ? undefined : app.unique.get(code)?.get(key);
		return id === undefined ? undefined : app.records.get(id);
	}

	private insertAll(
		app: AppState,
		inputs: Array<{ record: unknown }>,
		caller: Caller,
		prefixOf: (index: number) => string = (index) => `records[${index}]`,
		outerBag?: ErrorBag,
	): StoredRecord[] {
		const bag = outerBag ?? new ErrorBag();
		const added = inputs.map(({ record }, index) => {
			const prefix = prefixOf(index);
			const values = this.buildValues(app, record, undefined, prefix, bag, caller);
			const id = this.takeRecordId(app);
			for (const field of Object.values(app.fields)) if (field.type === 'RECORD_NUMBER') values[field.code] = String(id);
			const stored: StoredRecord = { id, revision: 1, values };
			this.checkUnique(app, stored, prefix, bag, caller.t);
			this.put(app, stored);
			return stored;
		});
		if (!outerBag && !bag.empty) throw validationError(caller.t, bag.errors);
		return added;
	}

	/**
	 * The values a record will hold after this write: sent values converted and validated, defaults
	 * on add, kept values on update, then what kintone computes (system fields, lookups, CALC).
	 */
	private buildValues(
		app: AppState,
		recordParam: unknown,
		existing: StoredRecord | undefined,
		prefix: string,
		bag: ErrorBag,
		caller: Caller,
	): StoredValues {
		const { t } = caller;
		const sent = asRecordObject(recordParam);
		if (recordParam !== undefined && recordParam !== null && typeof recordParam !== 'object') {
			bag.add(prefix, t.invalidInput);
		}
		const context: ConvertContext = {
			t,
			bag,
			userName: (code) => this.users.get(code)?.name,
			now: () => this.now(),
			file: (fileKey, kept) => this.fileFor(fileKey, kept),
		};
		const values: StoredValues = existing ? { ...existing.values } : {};
		if (existing && ('$id' in sent)) bag.add(`${prefix}.$id.value`, t.notUpdatable);
		for (const field of Object.values(app.fields)) {
			const kind = writeKindOf(field, app.copies);
			const provided = Object.prototype.hasOwnProperty.call(sent, field.code);
			if (existing && provided && (kind === 'addOnly' || field.type === 'RECORD_NUMBER')) {
				bag.add(`${prefix}.${field.code}.value`, t.notUpdatable);
				continue;
			}
			if (kind === 'ignore') continue;
			const entry = sent[field.code] as { value?: unknown } | undefined;
			if (provided && (typeof entry !== 'object' || entry === null || !('value' in entry))) {
				bag.add(`${prefix}.${field.code}.value`, t.badType);
				continue;
			}
			if (field.type === 'SUBTABLE') {
				if (provided) values[field.code] = this.convertRows(field, entry?.value, existing?.values[field.code], prefix, context);
				else if (!existing) values[field.code] = [];
			} else if (provided) {
				values[field.code] = convertValue(
					field,
					entry?.value,
					{ prefix, inSubtable: false, existing: existing?.values[field.code] },
					context,
				);
			} else if (!existing) {
				values[field.code] = defaultOf(field, this.now());
			}
		}
		this.fillComputed(app, values, sent, existing, caller);
		this.checkRequired(app, values, prefix, bag, t);
		return values;
	}

	private convertRows(
		table: FieldProperty,
		rowsParam: unknown,
		existingRows: unknown,
		prefix: string,
		context: ConvertContext,
	): StoredRow[] {
		if (!Array.isArray(rowsParam)) {
			context.bag.add(`${prefix}.${table.code}.value`, context.t.badType);
			return [];
		}
		const previous = new Map(((existingRows as StoredRow[] | undefined) ?? []).map((row) => [row.id, row]));
		const inner = table.fields as FormFields;
		return rowsParam.map((row: { id?: unknown; value?: unknown }, index) => {
			const rowPrefix = `${prefix}.${table.code}.value[${index}].value`;
			// A row with a known id is merged into that row; any other row is new and gets a new id.
			const matched = row?.id !== undefined && row?.id !== null ? previous.get(Number(row.id)) : undefined;
			const value: Record<string, unknown> = matched
				? { ...matched.value }
				: Object.fromEntries(Object.values(inner).map((field) => [field.code, defaultOf(field, this.now())]));
			const sentCells = asRecordObject(row?.value);
			for (const field of Object.values(inner)) {
				if (!Object.prototype.hasOwnProperty.call(sentCells, field.code) || field.type === 'CALC') continue;
				const cell = sentCells[field.code] as { value?: unknown } | undefined;
				const existing = matched?.value[field.code];
				value[field.code] = convertValue(field, cell?.value, { prefix: rowPrefix, inSubtable: true, existing }, context);
			}
			return { id: matched ? matched.id : this.nextRowId++, value };
		});
	}

	/** System fields, process management, lookups and calculations: what kintone fills itself. */
	private fillComputed(
		app: AppState,
		values: StoredValues,
		sent: Record<string, unknown>,
		existing: StoredRecord | undefined,
		caller: Caller,
	): void {
		const now = formatDateTime(this.now());
		for (const field of Object.values(app.fields)) {
			const provided = !existing && Object.prototype.hasOwnProperty.call(sent, field.code) && values[field.code] !== '';
			switch (field.type) {
				case 'CREATOR':
					if (!provided && !existing) values[field.code] = { ...caller.user };
					break;
				case 'MODIFIER':
					if (!provided) values[field.code] = { ...caller.user };
					break;
				case 'CREATED_TIME':
					if (!provided && !existing) values[field.code] = now;
					break;
				case 'UPDATED_TIME':
					if (!provided) values[field.code] = now;
					break;
				case 'STATUS':
					if (!existing) values[field.code] = initialState(app.process)?.name ?? 'Not started';
					break;
				case 'STATUS_ASSIGNEE': {
					const first = initialState(app.process);
					if (!existing) values[field.code] = first ? this.assigneesOf(first.assignee, undefined, caller) ?? [] : [];
					break;
				}
				case 'CATEGORY':
					if (!existing) values[field.code] = [];
					break;
				default:
					if (field.lookup) this.applyLookup(app, field, values, sent, existing, caller);
			}
		}
		for (const field of Object.values(app.fields)) {
			if (field.type === 'CALC') values[field.code] = evaluateCalc(String(field.expression ?? ''), values, app.fields);
			if (field.type === 'SUBTABLE') {
				for (const inner of Object.values(field.fields as FormFields)) {
					if (inner.type !== 'CALC') continue;
					for (const row of values[field.code] as StoredRow[]) {
						row.value[inner.code] = evaluateCalc(String(inner.expression ?? ''), values, app.fields, row.value);
					}
				}
			}
		}
	}

	/**
	 * Copies the lookup source's values into the copy fields when the key was sent (or on add); a
	 * key with no source record, or a source app the caller's tokens cannot read, is GAIA_LO04.
	 */
	private applyLookup(
		app: AppState,
		field: FieldProperty,
		values: StoredValues,
		sent: Record<string, unknown>,
		existing: StoredRecord | undefined,
		caller: Caller,
	): void {
		const lookup = field.lookup!;
		if (existing && !Object.prototype.hasOwnProperty.call(sent, field.code)) return;
		const key = values[field.code];
		const clear = () => lookup.fieldMappings.forEach(({ field: code }) => (values[code] = emptyValue(app.fields[code].type)));
		if (isEmptyValue(key)) {
			clear();
			return;
		}
		const sourceApp = this.apps.get(Number(lookup.relatedApp.app));
		const readable = sourceApp && (!caller.tokenApps || caller.tokenApps.has(sourceApp.id));
		const keyField = sourceApp?.fields[lookup.relatedKeyField];
		const source =
			readable && keyField
				? keyField.type === 'RECORD_NUMBER'
					? sourceApp.records.get(Number(key))
					: [...sourceApp.records.values()].find((record) => sameValue(record.values[keyField.code], key))
				: undefined;
		if (!source) throw new KintoneError(400, 'GAIA_LO04', caller.t.lookupMissing(field.code, String(key)));
		for (const { field: code, relatedField } of lookup.fieldMappings) {
			const value = relatedField === '$id' ? String(source.id) : source.values[relatedField];
			values[code] = structuredClone(value ?? emptyValue(app.fields[code].type));
		}
	}

	private checkRequired(app: AppState, values: StoredValues, prefix: string, bag: ErrorBag, t: Messages): void {
		for (const field of Object.values(app.fields)) {
			if (writeKindOf(field, app.copies) !== 'write') continue;
			if (field.type === 'SUBTABLE') {
				(values[field.code] as StoredRow[]).forEach((row, index) => {
					for (const inner of Object.values(field.fields as FormFields)) {
						if (inner.required && isEmptyValue(row.value[inner.code])) {
							bag.add(requiredKey(`${prefix}.${field.code}.value[${index}].value`, inner), t.required);
						}
					}
				});
			} else if (field.required && isEmptyValue(values[field.code])) {
				const key = requiredKey(prefix, field);
				if (!bag.errors[key]) bag.add(key, t.required);
			}
		}
	}

	private checkUnique(app: AppState, record: StoredRecord, prefix: string, bag: ErrorBag, t: Messages): void {
		for (const [code, index] of app.unique) {
			const key = uniqueKey(app.fields[code], record.values[code]);
			const owner = key === undefined ? undefined : index.get(key);
			if (owner !== undefined && owner !== record.id) bag.add(`${prefix}.${code}.value`, t.duplicate);
		}
	}

	private view(app: AppState, record: StoredRecord) {
		return { id: String(record.id), revision: String(record.revision), record: renderRecord(app.fields, record) };
	}

	// ---- files ------------------------------------------------------------------------------

	/** POST file.json: an upload fileKey for a received file. No record permission is needed (kintone's docs). */
	upload(file: FileBytes): { fileKey: string } {
		return { fileKey: this.files.register(file, this.now().getTime()).key };
	}

	/**
	 * GET file.json: a stored file by its download fileKey (the one in a record's FILE value), if a
	 * record the caller can read holds it; 404 GAIA_BL01 otherwise (emulator's choice of code).
	 */
	downloadFile(fileKey: unknown, guestSpaceId: number | undefined, caller: Caller): StoredFile {
		if (fileKey === undefined || fileKey === null || fileKey === '') {
			throw validationError(caller.t, { fileKey: { messages: [caller.t.requiredParam] } });
		}
		const file = this.files.files.get(String(fileKey));
		const app = file?.owner && this.apps.get(file.owner.app);
		const record = file?.owner && app?.records.get(file.owner.id);
		if (!file || !app || !record || !fileKeysOf(app, record).includes(file.key)) {
			throw new KintoneError(404, 'GAIA_BL01', caller.t.fileNotFound(String(fileKey)));
		}
		this.appFor(app.id, guestSpaceId, caller);
		return file;
	}

	/** Download fileKeys of the files records hold now, in app and record order. */
	heldFileKeys(): string[] {
		return [...this.apps.values()].flatMap((app) => sortedRecords(app).flatMap((record) => fileKeysOf(app, record)));
	}

	/** A FILE value's fileKey: kept (already in the field) or an upload used up now (journaled). */
	private fileFor(fileKey: string, kept: unknown): FileValue | undefined {
		const held = Array.isArray(kept) ? (kept as FileValue[]).find((file) => file.fileKey === fileKey) : undefined;
		if (held) return { ...held };
		const upload = this.files.uploads.get(fileKey);
		if (!upload || upload.used || this.now().getTime() - upload.uploadedAt >= this.fileKeyTtlMs) return undefined;
		upload.used = true;
		this.journal?.usedUploads.push(upload.key);
		const stored = this.files.store(upload, this.now());
		this.journal?.createdFiles.push(stored.key);
		return { contentType: stored.contentType, fileKey: stored.key, name: stored.name, size: String(stored.size) };
	}

	// ---- process management -------------------------------------------------------------------

	/** GET app/status.json, in the shape of kintone's process management settings. */
	processSettings(app: AppState): Record<string, unknown> {
		const { process } = app;
		const entity = (code: string) => ({ entity: { type: 'USER', code }, includeSubs: false });
		return {
			enable: process.enable,
			states: app.hasProcess
				? Object.fromEntries(
						[...process.states]
							.sort((a, b) => a.index - b.index)
							.map((state) => [
								state.name,
								{
									name: state.name,
									index: String(state.index),
									assignee: { type: state.assignee?.type ?? 'ONE', entities: (state.assignee?.entities ?? []).map(entity) },
								},
							]),
					)
				: null,
			actions: app.hasProcess
				? process.actions.map((action) => ({ name: action.name, from: action.from, to: action.to, filterCond: '', type: 'PRIMARY' }))
				: null,
			revision: '1',
		};
	}

	/** PUT record/status.json. */
	updateRecordStatus(app: AppState, input: StatusInput, caller: Caller): { revision: string } {
		return this.transaction(() => ({ revision: String(this.runAction(app, input, '', caller).revision) }));
	}

	/** PUT records/status.json: 1 to 100 actions, all or nothing. */
	updateRecordsStatus(app: AppState, records: unknown, caller: Caller): { records: Array<{ id: string; revision: string }> } {
		const { t } = caller;
		if (!Array.isArray(records) || records.length === 0) throw validationError(t, { records: { messages: [t.requiredParam] } });
		if (records.length > MAX_WRITE) throw validationError(t, { records: { messages: [t.maxUpdate] } });
		return this.transaction(() => ({
			records: records.map((input: StatusInput, index) => {
				const record = this.runAction(app, input, `records[${index}].`, caller);
				return { id: String(record.id), revision: String(record.revision) };
			}),
		}));
	}

	/**
	 * One status action: the action must start from the record's status (GAIA_IL03), the next
	 * status's assignee chosen from a list must be given (GAIA_SA01); the revision goes up by 2
	 * ("The revision number will increase by 2", kintone's Update Status docs).
	 */
	private runAction(app: AppState, input: StatusInput, prefix: string, caller: Caller): StoredRecord {
		const { t } = caller;
		if (typeof input !== 'object' || input === null) throw validationError(t, { [prefix.replace(/\.$/, '') || 'id']: { messages: [t.invalidInput] } });
		if (!app.process.enable) throw new KintoneError(400, 'GAIA_ST02', t.processDisabled);
		const id = positiveInteger(input.id, `${prefix}id`, t);
		if (typeof input.action !== 'string' || input.action === '') {
			throw validationError(t, { [`${prefix}action`]: { messages: [t.requiredParam] } });
		}
		const record = app.records.get(id);
		if (!record) throw new KintoneError(404, 'GAIA_RE01', t.recordNotFound(String(id)));
		checkRevision(record, input.revision, t);
		const status = Object.values(app.fields).find((field) => field.type === 'STATUS');
		const current = status ? record.values[status.code] : undefined;
		const action = app.process.actions.find((candidate) => candidate.name === input.action && candidate.from === current);
		const next = action && app.process.states.find((state) => state.name === action.to);
		if (!action || !next) throw new KintoneError(400, 'GAIA_IL03', t.statusFailed);
		const assignee = input.assignee === undefined || input.assignee === null || input.assignee === '' ? undefined : String(input.assignee);
		const assignees = this.assigneesOf(next.assignee, assignee, caller, `${prefix}assignee`);
		if (!assignees) throw new KintoneError(400, 'GAIA_SA01', t.assigneeRequired);
		const values: StoredValues = { ...record.values };
		const now = formatDateTime(this.now());
		for (const field of Object.values(app.fields)) {
			if (field.type === 'STATUS') values[field.code] = next.name;
			if (field.type === 'STATUS_ASSIGNEE') values[field.code] = assignees;
			if (field.type === 'MODIFIER') values[field.code] = { ...caller.user };
			if (field.type === 'UPDATED_TIME') values[field.code] = now;
		}
		const updated: StoredRecord = { id: record.id, revision: record.revision + 2, values };
		this.put(app, updated);
		return updated;
	}

	/**
	 * The assignees of a status: all its candidates (ALL, ANY, or ONE with a single candidate), the
	 * chosen one (ONE), none when it has no assignee; undefined when one must be chosen and was not.
	 */
	private assigneesOf(
		def: AssigneeDef | undefined,
		chosen: string | undefined,
		caller: Caller,
		key = 'assignee',
	): Array<{ code: string; name: string }> | undefined {
		const entity = (code: string) => {
			const user = this.users.get(code);
			if (!user) throw new KintoneError(400, 'GAIA_IL26', caller.t.userNotFound(code));
			return { code, name: user.name };
		};
		const candidates = def?.entities ?? [];
		if (candidates.length === 0) return [];
		if (def?.type !== 'ONE') return candidates.map(entity);
		if (chosen !== undefined) {
			if (!candidates.includes(chosen)) throw validationError(caller.t, { [key]: { messages: [caller.t.notAssigneeCandidate(chosen)] } });
			return [entity(chosen)];
		}
		return candidates.length === 1 ? [entity(candidates[0])] : undefined;
	}

	// ---- storage with undo journal -----------------------------------------------------------

	private takeRecordId(app: AppState): number {
		if (this.journal && !this.journal.nextIds.has(app)) this.journal.nextIds.set(app, app.nextRecordId);
		return app.nextRecordId++;
	}

	private remember(app: AppState, id: number): void {
		if (!this.journal) return;
		const touched = this.journal.records.get(app) ?? new Map<number, StoredRecord | undefined>();
		if (!touched.has(id)) touched.set(id, app.records.get(id));
		this.journal.records.set(app, touched);
	}

	private put(app: AppState, record: StoredRecord): void {
		this.remember(app, record.id);
		this.unindex(app, app.records.get(record.id));
		app.records.set(record.id, record);
		this.index(app, record);
		for (const key of fileKeysOf(app, record)) {
			const file = this.files.files.get(key);
			if (file) file.owner = { app: app.id, id: record.id };
		}
	}

	private remove(app: AppState, id: number): void {
		this.remember(app, id);
		this.unindex(app, app.records.get(id));
		app.records.delete(id);
	}

	private rollback(journal: Journal): void {
		for (const [app, touched] of journal.records) {
			for (const [id, previous] of touched) {
				this.unindex(app, app.records.get(id));
				if (previous) {
					app.records.set(id, previous);
					this.index(app, previous);
				} else {
					app.records.delete(id);
				}
			}
		}
		for (const [app, nextId] of journal.nextIds) app.nextRecordId = nextId;
		for (const key of journal.usedUploads) {
			const upload = this.files.uploads.get(key);
			if (upload) upload.used = false;
		}
		for (const key of journal.createdFiles) this.files.files.delete(key);
	}

	private index(app: AppState, record: StoredRecord): void {
		for (const [code, index] of app.unique) {
			const key = uniqueKey(app.fields[code], record.values[code]);
			// A duplicate is refused before commit; keep the first owner if validation is still pending.
			if (key !== undefined && !index.has(key)) index.set(key, record.id);
		}
	}

	private unindex(app: AppState, record: StoredRecord | undefined): void {
		if (!record) return;
		for (const [code, index] of app.unique) {
			const key = uniqueKey(app.fields[code], record.values[code]);
			if (key !== undefined && index.get(key) === record.id) index.delete(key);
		}
	}
}

/** Process management starts records in the state of the lowest index. */
function initialState(process: ProcessDef): ProcessDef['states'][number] | undefined {
	return [...process.states].sort((a, b) => a.index - b.index)[0];
}

/**
 * The process of an app defined without `process`: that of its STATUS field (`states` as the
 * process management settings API returns them, enabled or not), with no actions.
 */
function processOfForm(fields: FormFields): ProcessDef {
	const status = Object.values(fields).find((field) => field.type === 'STATUS');
	const states = Object.entries((status?.states ?? {}) as Record<string, { index: string }>).map(([name, state]) => ({
		name,
		index: Number(state.index),
	}));
	return { enable: status !== undefined && status.enabled !== false, states, actions: [] };
}

/** Every fileKey a record holds, in FILE fields and FILE cells of subtable rows. */
function fileKeysOf(app: AppState, record: StoredRecord): string[] {
	const keys: string[] = [];
	const collect = (value: unknown) => {
		if (Array.isArray(value)) for (const file of value as FileValue[]) keys.push(file.fileKey);
	};
	for (const field of Object.values(app.fields)) {
		if (field.type === 'FILE') collect(record.values[field.code]);
		if (field.type === 'SUBTABLE') {
			const inner = Object.values(field.fields as FormFields).filter((cell) => cell.type === 'FILE');
			if (inner.length === 0) continue;
			for (const row of (record.values[field.code] as StoredRow[] | undefined) ?? []) {
				for (const cell of inner) collect(row.value[cell.code]);
			}
		}
	}
	return keys;
}

function sortedRecords(app: AppState): StoredRecord[] {
	return [...app.records.values()].sort((a, b) => a.id - b.id);
}

/**
 * The records a query can match: through the record IDs or a unique field's index when the query
 * names keys (`$id in (…)`, `code = "…"`) or bounds record IDs (`$id >= 1 and $id < 501`),
 * otherwise every record. `matches` still decides.
 */
function candidates(app: AppState, query: CompiledQuery): StoredRecord[] {
	const keys = query.keys;
	const index = keys && app.unique.get(keys.field);
	if (keys?.field === '$id') return keys.values.flatMap((id) => app.records.get(Number(id)) ?? []);
	const range = query.idRange;
	if (range && range.max - range.min < app.records.size) {
		const records: StoredRecord[] = [];
		for (let id = range.min; id <= range.max; id++) {
			const record = app.records.get(id);
			if (record) records.push(record);
		}
		return records;
	}
	if (!keys || !index) return [...app.records.values()];
	return keys.values.flatMap((value) => {
		const id = index.get(uniqueKey(app.fields[keys.field], value) ?? '');
		return id === undefined ? [] : (app.records.get(id) ?? []);
	});
}

function uniqueKey(field: FieldProperty, value: unknown): string | undefined {
	if (isEmptyValue(value)) return undefined;
	if (field.type === 'NUMBER') {
		const number = Number(String(value).trim());
		return Number.isFinite(number) ? String(number) : String(value);
	}
	return String(value);
}

function sameValue(stored: unknown, key: unknown): boolean {
	if (typeof stored === 'string' && stored !== '' && !Number.isNaN(Number(stored)) && !Number.isNaN(Number(key))) {
		return Number(stored) === Number(key);
	}
	return String(stored) === String(key);
}

function defaultOf(field: FieldProperty, now: Date): unknown {
	if (field.defaultNowValue === true) {
		if (field.type === 'DATE') return now.toISOString().slice(0, 10);
		if (field.type === 'DATETIME') return formatDateTime(now);
		if (field.type === 'TIME') return now.toISOString().slice(11, 16);
	}
	if (field.type === 'RADIO_BUTTON') {
		const first = Object.entries(field.options ?? {}).sort(([, a], [, b]) => Number(a.index) - Number(b.index))[0];
		return field.defaultValue || first?.[0] || '';
	}
	if (field.defaultValue !== undefined && field.defaultValue !== '' && field.defaultValue !== null) {
		return structuredClone(field.defaultValue);
	}
	return emptyValue(field.type);
}

function asRecordObject(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function recordList(records: unknown, t: Messages, tooMany: string): unknown[] {
	if (!Array.isArray(records)) throw validationError(t, { records: { messages: [t.requiredParam] } });
	if (records.length > MAX_WRITE) throw validationError(t, { records: { messages: [tooMany] } });
	return records;
}

function checkRevision(record: StoredRecord, revision: unknown, t: Messages): void {
	if (revision === undefined || revision === null || revision === '' || Number(revision) === -1) return;
	if (Number(revision) !== record.revision) throw new KintoneError(409, 'GAIA_CO02', t.revisionConflict);
}

export function positiveInteger(value: unknown, name: string, t: Messages): number {
	if (value === undefined || value === null || value === '') {
		throw validationError(t, { [name]: { messages: [t.requiredParam] } });
	}
	const number = Number(value);
	if (!Number.isInteger(number) || number < 1) throw validationError(t, { [name]: { messages: [t.minOne] } });
	return number;
}
