/**
 * Application objects and their records, with the validation aPaaS applies per record.
 * Per-record error codes are not documented: this emulator reports every per-record refusal with
 * the documented "param is invalid" code 2320001 and tells the cases apart by `sub_code`.
 */

export interface FieldDefinition {
	api_name: string;
	/** aPaaS field type, e.g. text, number, bigint, decimal, boolean, date, dateTime, option, lookup. */
	type: string;
	/** Plain text (taken as zh_cn) or a map of locales. */
	label?: string | Record<string, string>;
	/** A field set to unique in the console: a record whose value another record holds is refused. */
	unique?: boolean;
}

export interface StoredRecord {
	_id: string;
	values: Record<string, unknown>;
	/** How often the record was written (created counts as one), to catch requests applied twice. */
	writes: number;
	/** `_createdAt` and `_updatedAt`, milliseconds since the epoch, as the service maintains them. */
	createdAt: number;
	updatedAt: number;
}

/** The system fields of a record as queries return them. */
export function systemValues(record: StoredRecord): Record<string, unknown> {
	return { _id: record._id, _createdAt: record.createdAt, _updatedAt: record.updatedAt };
}

export interface RecordError {
	code: string;
	message: string;
	sub_code: string;
	fields: string[];
}

export interface RecordResult {
	success: boolean;
	id?: string;
	errors: RecordError[];
}

export interface ObjectState {
	id: number;
	apiName: string;
	fields: Map<string, FieldDefinition>;
	records: Map<string, StoredRecord>;
	/** Whether objects/search reveals the object's metadata. */
	metadata: boolean;
	/** The object's name as the console shows it (zh_cn); its API name when not given. */
	label?: string;
}

/** Fields every object has; the service maintains all of them but `_id` is how records are named. */
const SYSTEM_FIELDS: FieldDefinition[] = [
	{ api_name: '_id', type: 'bigint', label: { zh_cn: 'ID', en_us: 'ID' } },
	{ api_name: '_createdAt', type: 'dateTime', label: { zh_cn: '创建时间', en_us: 'Created at' } },
	{ api_name: '_updatedAt', type: 'dateTime', label: { zh_cn: '更新时间', en_us: 'Updated at' } },
];
const READ_ONLY = new Set(['_id', '_createdAt', '_updatedAt']);
const COMPUTED_TYPES = new Set(['autonumber', 'formula']);

const TEXT_TYPES = new Set(['text', 'string', 'email', 'phone', 'mobilenumber', 'option', 'richtext']);
const NUMBER_TYPES = new Set(['number', 'bigint', 'decimal', 'float', 'integer']);

export function isNumberField(field: FieldDefinition | undefined): boolean {
	return NUMBER_TYPES.has(field?.type.toLowerCase() ?? '');
}

function isNumeric(value: unknown): boolean {
	if (typeof value === 'number') return Number.isFinite(value);
	return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
}

/** Why a value does not fit a field's type (the service's examples send numbers as strings too). */
function typeProblem(field: FieldDefinition, value: unknown): string | undefined {
	if (value === null) return undefined;
	const type = field.type.toLowerCase();
	if (TEXT_TYPES.has(type)) return typeof value === 'string' ? undefined : 'expects text';
	if (NUMBER_TYPES.has(type)) return isNumeric(value) ? undefined : 'expects a number';
	if (type === 'boolean') return typeof value === 'boolean' ? undefined : 'expects true or false';
	if (type === 'date') {
		return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : 'expects a date (YYYY-MM-DD)';
	}
	if (type === 'datetime') return isNumeric(value) ? undefined : 'expects a timestamp in milliseconds';
	if (type === 'multilingual') {
		return typeof value === 'object' && !Array.isArray(value) ? undefined : 'expects an object of locales';
	}
	if (type === 'lookup') {
		return typeof value === 'string' || (typeof value === 'object' && !Array.isArray(value))
			? undefined
			: 'expects a record ID or { _id }';
	}
	if (type === 'lookupmulti' || type === 'multioption') return Array.isArray(value) ? undefined : 'expects a list';
	return undefined;
}

function recordError(subCode: string, message: string, fields: string[]): RecordError {
	return { code: '2320001', message, sub_code: subCode, fields };
}

export class ObjectStore {
	private readonly objects = new Map<string, ObjectState>();

	private readonly namespaces = new Set<string>();

	private nextId = 1801464965461024n;

	private nextObjectId = 1764024447556775;

	private lastWrite = 0;

	define(namespace: string, apiName: string, fields: FieldDefinition[], options: { metadata?: boolean; label?: string } = {}): void {
		this.namespaces.add(namespace);
		const all = new Map<string, FieldDefinition>();
		for (const field of [...SYSTEM_FIELDS, ...fields]) all.set(field.api_name, field);
		this.objects.set(`${namespace}/${apiName}`, {
			id: this.nextObjectId++,
			apiName,
			fields: all,
			records: new Map(),
			metadata: options.metadata ?? true,
			label: options.label,
		});
	}

	/** Every object of a namespace, in the order defined. */
	list(namespace: string): ObjectState[] {
		return [...this.objects.entries()].filter(([key]) => key.startsWith(`${namespace}/`)).map(([, object]) => object);
	}

	hasNamespace(namespace: string): boolean {
		return this.namespaces.has(namespace);
	}

	get(namespace: string, apiName: string): ObjectState | undefined {
		return this.objects.get(`${namespace}/${apiName}`);
	}

	newId(): string {
		return String(this.nextId++);
	}

	/**
	 * The time of a write: the clock, but always later than the write before, so that every write
	 * shows as a new `_updatedAt` even within one millisecond.
	 */
	private writeTime(): number {
		this.lastWrite = Math.max(Date.now(), this.lastWrite + 1);
		return this.lastWrite;
	}

	/** A record added without a request (`writes` 0), for tests to start from. */
	seed(object: ObjectState, values: Record<string, unknown>): string {
		const id = this.newId();
		const now = this.writeTime();
		object.records.set(id, { _id: id, values: { ...values }, writes: 0, createdAt: now, updatedAt: now });
		return id;
	}

	/** Checks a record's values; on success returns undefined. */
	validate(object: ObjectState, values: Record<string, unknown>): RecordError | undefined {
		const unknown = Object.keys(values).filter((name) => !object.fields.has(name));
		if (unknown.length) return recordError('field_not_found', `field not found: ${unknown.join(', ')}`, unknown);
		const readOnly = Object.keys(values).filter(
			(name) => READ_ONLY.has(name) || COMPUTED_TYPES.has(object.fields.get(name)!.type.toLowerCase()),
		);
		if (readOnly.length) return recordError('field_read_only', `field is read-only: ${readOnly.join(', ')}`, readOnly);
		for (const [name, value] of Object.entries(values)) {
			const problem = typeProblem(object.fields.get(name)!, value);
			if (problem) return recordError('field_type_mismatch', `field ${name} ${problem}`, [name]);
		}
		return undefined;
	}

	create(object: ObjectState, values: Record<string, unknown>): RecordResult {
		const error = this.validate(object, values) ?? this.duplicateOf(object, values);
		if (error) return { success: false, errors: [error] };
		const id = this.newId();
		const now = this.writeTime();
		object.records.set(id, { _id: id, values: { ...values }, writes: 1, createdAt: now, updatedAt: now });
		return { success: true, id, errors: [] };
	}

	/** A unique field whose value another record holds already. */
	private duplicateOf(object: ObjectState, values: Record<string, unknown>, id?: string): RecordError | undefined {
		for (const field of object.fields.values()) {
			const value = values[field.api_name];
			if (!field.unique || value === undefined || value === null || value === '') continue;
			for (const record of object.records.values()) {
				if (record._id !== id && String(record.values[field.api_name]) === String(value)) {
					return recordError('field_value_duplicate', `field ${field.api_name} must be unique: ${String(value)} exists`, [field.api_name]);
				}
			}
		}
		return undefined;
	}

	update(object: ObjectState, id: string, values: Record<string, unknown>): RecordResult {
		const record = object.records.get(id);
		if (!record) return { success: false, id, errors: [recordError('record_not_found', `record not found: ${id}`, ['_id'])] };
		const error = this.validate(object, values);
		if (error) return { success: false, id, errors: [error] };
		Object.assign(record.values, values);
		record.writes++;
		record.updatedAt = this.writeTime();
		return { success: true, id, errors: [] };
	}

	delete(object: ObjectState, id: string): RecordResult {
		if (!object.records.delete(id)) {
			return { success: false, id, errors: [recordError('record_not_found', `record not found: ${id}`, ['_id'])] };
		}
		return { success: true, id, errors: [] };
	}

	reset(): void {
		this.objects.clear();
		this.namespaces.clear();
	}
}

/** The metadata objects/search returns for an object (`metadata: "Label"`). */
export function objectMeta(object: ObjectState) {
	const label = (value: FieldDefinition['label'], fallback: string) =>
		typeof value === 'string' ? { zh_cn: value } : (value ?? { zh_cn: fallback });
	return {
		object: {
			id: object.id,
			api_name: object.apiName,
			label: { zh_cn: object.label ?? object.apiName },
			settings: { display_name: '_id', allow_search_fields: ['_id'], search_layout: { display_fields: ['_id'] } },
		},
		fields: [...object.fields.values()].map((field, index) => ({
			id: object.id + index + 1,
			api_name: field.api_name,
			type: field.type,
			label: label(field.label, field.api_name),
		})),
	};
}
