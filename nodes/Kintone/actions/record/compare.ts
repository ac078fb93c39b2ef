import type { FormField } from '../../transport/fields';

/**
 * Whether a value as the node sends it (kintone's write format, see transport/convert.ts) leaves
 * the field as kintone stores it now: compared as kintone stores it, so that a value in another
 * format (`"1.50"` for 1.5, a date-time with seconds, options in another order) is no change.
 */
export function sameValue(field: FormField, sent: unknown, stored: unknown): boolean {
	const same = SAME_BY_TYPE[field.type] ?? sameText;
	return same(sent, stored, field);
}

/** A unique field's value as kintone compares keys: a number field's `"1.50"` is the record of `1.5`. */
export function keyText(field: FormField | undefined, value: unknown): string {
	const text = value === null || value === undefined ? '' : String(value);
	return field?.type === 'NUMBER' && text.trim() !== '' ? String(Number(text)) : text;
}

type Same = (sent: unknown, stored: unknown, field: FormField) => boolean;

/** kintone returns an empty field as "" (text) or null (a date, a choice): both mean empty. */
const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

const sameText: Same = (sent, stored) => text(sent) === text(stored);

/** NUMBER travels as text: `"1.50"` and `"1.5"` are one number; empty is no number. */
const sameNumber: Same = (sent, stored) => {
	const [a, b] = [text(sent).trim(), text(stored).trim()];
	return a === '' || b === '' ? a === b : Number(a) === Number(b);
};

/** DATETIME: kintone keeps minutes (seconds are dropped), in UTC whatever the offset written. */
const sameMinute: Same = (sent, stored) => {
	const [a, b] = [text(sent), text(stored)];
	if (a === '' || b === '') return a === b;
	return Math.floor(Date.parse(a) / 60_000) === Math.floor(Date.parse(b) / 60_000);
};

const sameSet = (a: string[], b: string[]) => {
	const set = new Set(a);
	return set.size === new Set(b).size && b.every((entry) => set.has(entry));
};

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** CHECK_BOX, MULTI_SELECT: the same options, in any order. */
const sameOptions: Same = (sent, stored) => sameSet(list(sent).map(text), list(stored).map(text));

/** Users, organisations, groups: the same codes, in any order (kintone adds their names when read). */
const sameEntities: Same = (sent, stored) => sameSet(codes(sent), codes(stored));

const codes = (value: unknown) => list(value).map((entry) => text((entry as { code?: unknown } | null)?.code));

/**
 * FILE: a file key from an upload is new each time and kintone gives the stored file another key,
 * so only "no files" on both sides is no change.
 */
const sameFiles: Same = (sent, stored) => list(sent).length === 0 && list(stored).length === 0;

type Row = { id?: unknown; value?: Record<string, { value?: unknown } | undefined> };

/**
 * SUBTABLE: row by row, in order: as many rows, each with the same cells (those the item sets; a
 * row that names its ID must be that row). kintone replaces the whole table when it is written.
 */
const sameRows: Same = (sent, stored, field) => {
	const [rows, current] = [list(sent) as Row[], list(stored) as Row[]];
	if (rows.length !== current.length) return false;
	return rows.every((row, index) => {
		const now = current[index];
		if (row.id !== undefined && text(row.id) !== text(now?.id)) return false;
		return Object.entries(row.value ?? {}).every(([code, cell]) => {
			const inner = field.fields?.[code];
			return inner ? sameValue(inner, cell?.value, now?.value?.[code]?.value) : true;
		});
	});
};

const SAME_BY_TYPE: Record<string, Same> = {
	NUMBER: sameNumber,
	DATETIME: sameMinute,
	CHECK_BOX: sameOptions,
	MULTI_SELECT: sameOptions,
	USER_SELECT: sameEntities,
	ORGANIZATION_SELECT: sameEntities,
	GROUP_SELECT: sameEntities,
	FILE: sameFiles,
	SUBTABLE: sameRows,
};
