/** Field types as kintone names them in `/k/v1/app/form/fields.json` and in record values. */
export type FieldType =
	| 'SINGLE_LINE_TEXT'
	| 'MULTI_LINE_TEXT'
	| 'RICH_TEXT'
	| 'LINK'
	| 'NUMBER'
	| 'CALC'
	| 'CHECK_BOX'
	| 'RADIO_BUTTON'
	| 'DROP_DOWN'
	| 'MULTI_SELECT'
	| 'DATE'
	| 'TIME'
	| 'DATETIME'
	| 'USER_SELECT'
	| 'ORGANIZATION_SELECT'
	| 'GROUP_SELECT'
	| 'FILE'
	| 'SUBTABLE'
	| 'RECORD_NUMBER'
	| 'CREATOR'
	| 'MODIFIER'
	| 'CREATED_TIME'
	| 'UPDATED_TIME'
	| 'STATUS'
	| 'STATUS_ASSIGNEE'
	| 'CATEGORY';

/** A lookup definition, as kintone puts it on the lookup key field (SINGLE_LINE_TEXT or NUMBER). */
export interface LookupDef {
	relatedApp: { app: string; code: string };
	/** Field of the related app the key value is looked up in. */
	relatedKeyField: string;
	/** Copy-destination fields of this app filled from the related record (kintone will not write them otherwise). */
	fieldMappings: Array<{ field: string; relatedField: string }>;
	lookupPickerFields?: string[];
	filterCond?: string;
	sort?: string;
}

/**
 * A field property as `/k/v1/app/form/fields.json` returns it (the emulator fills `code`, `label`,
 * `noLabel`, `required` and the like with kintone's defaults when omitted).
 */
export interface FieldDef {
	type: FieldType;
	label?: string;
	noLabel?: boolean;
	required?: boolean;
	/** "Prohibit duplicate values": SINGLE_LINE_TEXT, NUMBER, LINK, DATE, DATETIME only. Required for updateKey fields. */
	unique?: boolean;
	/** CHECK_BOX, RADIO_BUTTON, DROP_DOWN, MULTI_SELECT: option name -> {label, index}. */
	options?: Record<string, { label: string; index: string }>;
	/** CALC (and auto-calculated SINGLE_LINE_TEXT): `a + b` style sums of NUMBER fields are evaluated by the emulator. */
	expression?: string;
	/** Auto-calculated SINGLE_LINE_TEXT (not writable). */
	hideExpression?: boolean;
	lookup?: LookupDef;
	/** SUBTABLE: its inner fields. */
	fields?: Record<string, FieldDef>;
	/** STATUS / CATEGORY: whether process management / categories are on. */
	enabled?: boolean;
	defaultValue?: unknown;
	[property: string]: unknown;
}

/** A field value in a record as the GET APIs return it. */
export interface FieldValue {
	type: string;
	value: unknown;
}

/** A record in GET shape: field code -> `{type, value}`, including `$id` and `$revision`. */
export type KintoneRecord = Record<string, FieldValue>;

export interface AppDefinition {
	/** App ID; the next free one when omitted. */
	id?: number;
	name: string;
	/** The app lives in this guest space: reachable only through `/k/guest/{space}/v1/...`. */
	guestSpaceId?: number;
	/** Space the app belongs to (guest or not); reported by apps.json. */
	spaceId?: number;
	description?: string;
	/** Field code -> property. System fields (RECORD_NUMBER, CREATOR, ...) are part of the form like any other. */
	fields: Record<string, FieldDef>;
	/**
	 * Process management. Sets the STATUS field's `enabled` and `states` (STATUS `ステータス` and
	 * STATUS_ASSIGNEE `作業者` are added when the form has none). Without it, an app whose form has an
	 * enabled STATUS field has that field's states and no actions.
	 */
	process?: ProcessDef;
}

/** Who may be assigned a status: user codes, and whether one must be chosen (ONE) or all/any of them are assignees. */
export interface AssigneeDef {
	type: 'ONE' | 'ALL' | 'ANY';
	entities: string[];
}

export interface ProcessDef {
	enable: boolean;
	/** New records start in the state of the lowest index. */
	states: Array<{ name: string; index: number; assignee?: AssigneeDef }>;
	/** An action moves a record from one state to another. */
	actions: Array<{ name: string; from: string; to: string }>;
}

/** A user of the emulated domain (for password authentication and USER_SELECT / CREATOR values). */
export interface KintoneUser {
	code: string;
	name: string;
	password?: string;
}
