import { ParamError, quoteIdent } from './sql';

/**
 * PostgREST horizontal filtering, as the data table API takes it in its single `filter` parameter.
 *
 * The decoded `filter` value is read as a PostgREST query string: conditions joined by `&`, each
 * `column=[not.]operator.value` (or `or=(...)`, `and=(...)`, `not.or=(...)`, `not.and=(...)`), each
 * key and value then percent-decoded once more (`+` is a space), exactly as PostgREST reads its own
 * query string. So a value containing `&`, `=`, `%` or `+` must be percent-encoded inside the
 * expression (`name=eq.a%26b`), and the whole expression encoded again as the `filter` parameter.
 * A decoded value without any `=` cannot be an expression; it is decoded once more first (the
 * documentation shows the example value `age%3Dgt.10` in encoded form).
 *
 * Inside `in.(...)` lists and `or`/`and` trees, values containing `,` `.` `(` `)` are written in
 * double quotes with `\` escaping `"` and `\` (`in.("a,b","say \"hi\"")`). Values are never spliced
 * into SQL: each becomes a text parameter cast to the column's type.
 */

export type Operator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike' | 'in' | 'is';

export type FilterNode =
	| { kind: 'condition'; column: string; negated: boolean; operator: Operator; value: string | string[] }
	| { kind: 'group'; logic: 'and' | 'or'; negated: boolean; children: FilterNode[] };

const COMPARISONS = new Map([
	['eq', '='],
	['neq', '<>'],
	['gt', '>'],
	['gte', '>='],
	['lt', '<'],
	['lte', '<='],
]);
const IS_VALUES = new Map([
	['null', 'IS NULL'],
	['not_null', 'IS NOT NULL'],
	['true', 'IS TRUE'],
	['false', 'IS FALSE'],
	['unknown', 'IS UNKNOWN'],
]);

/** Percent-decoding as PostgREST's query parser does it: `+` is a space, invalid escapes stay literal. */
export function decodeQueryComponent(text: string): string {
	if (!/[%+]/.test(text)) return text;
	const bytes: number[] = [];
	const source = Buffer.from(text.replace(/\+/g, ' '), 'utf8');
	for (let index = 0; index < source.length; index++) {
		const byte = source[index];
		if (byte === 0x25 && index + 2 < source.length && /^[0-9a-fA-F]{2}$/.test(source.toString('latin1', index + 1, index + 3))) {
			bytes.push(parseInt(source.toString('latin1', index + 1, index + 3), 16));
			index += 2;
		} else {
			bytes.push(byte);
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

function fail(message: string): never {
	throw new ParamError(`Invalid filter: ${message}`);
}

/** Parses the decoded `filter` parameter into a list of conditions that must all hold. */
export function parseFilter(filter: string): FilterNode[] {
	const expression = filter.includes('=') ? filter : decodeQueryComponent(filter);
	const nodes: FilterNode[] = [];
	for (const part of expression.split('&')) {
		if (part === '') continue;
		const equals = part.indexOf('=');
		if (equals < 0) fail(`"${part}" is not column=operator.value`);
		const key = decodeQueryComponent(part.slice(0, equals));
		const value = decodeQueryComponent(part.slice(equals + 1));
		const logic = /^(not\.)?(and|or)$/.exec(key);
		if (logic) {
			const cursor = new Cursor(value);
			const children = cursor.groupBody();
			cursor.expectEnd();
			nodes.push({ kind: 'group', logic: logic[2] as 'and' | 'or', negated: Boolean(logic[1]), children });
		} else {
			if (key === '') fail(`"${part}" has no column`);
			nodes.push(parseTopLevelCondition(key, value));
		}
	}
	return nodes;
}

/** A top-level `column=op.value`: the value is everything after the operator, taken literally. */
function parseTopLevelCondition(column: string, text: string): FilterNode {
	let rest = text;
	let negated = false;
	if (rest.startsWith('not.')) {
		negated = true;
		rest = rest.slice(4);
	}
	const dot = rest.indexOf('.');
	if (dot < 0) fail(`"${column}=${text}" needs operator.value (e.g. eq.5)`);
	const operator = checkOperator(rest.slice(0, dot));
	const raw = rest.slice(dot + 1);
	if (operator === 'in') {
		const cursor = new Cursor(raw);
		const values = cursor.list();
		cursor.expectEnd();
		return { kind: 'condition', column, negated, operator, value: values };
	}
	return { kind: 'condition', column, negated, operator, value: raw };
}

function checkOperator(name: string): Operator {
	if (COMPARISONS.has(name) || ['like', 'ilike', 'in', 'is'].includes(name)) return name as Operator;
	return fail(`unknown operator "${name}" (supported: eq, neq, gt, gte, lt, lte, like, ilike, in, is, with not. and or/and groups)`);
}

/** A character cursor for `in` lists and `or`/`and` trees. */
class Cursor {
	private position = 0;

	constructor(private readonly text: string) {}

	expectEnd(): void {
		if (this.position !== this.text.length) fail(`unexpected "${this.text.slice(this.position)}"`);
	}

	private peek(): string {
		return this.text[this.position] ?? '';
	}

	private expect(char: string): void {
		if (this.peek() !== char) fail(`expected "${char}" at position ${this.position} of "${this.text}"`);
		this.position++;
	}

	private skip(char: string): boolean {
		if (this.peek() !== char) return false;
		this.position++;
		return true;
	}

	private skipSpaces(): void {
		while (this.peek() === ' ') this.position++;
	}

	/** `(item,item,...)` of a logic group. */
	groupBody(): FilterNode[] {
		this.expect('(');
		const children: FilterNode[] = [];
		for (;;) {
			this.skipSpaces();
			children.push(this.groupItem());
			this.skipSpaces();
			if (!this.skip(',')) break;
		}
		this.expect(')');
		return children;
	}

	/** A nested `[not.]and(...)` / `[not.]or(...)`, or `column.[not.]operator.value`. */
	private groupItem(): FilterNode {
		const nested = /^(not\.)?(and|or)\(/.exec(this.text.slice(this.position));
		if (nested) {
			this.position += nested[0].length - 1;
			const children = this.groupBody();
			return { kind: 'group', logic: nested[2] as 'and' | 'or', negated: Boolean(nested[1]), children };
		}
		const column = this.peek() === '"' ? this.quoted() : this.until('.');
		if (column === '') fail(`missing column at position ${this.position} of "${this.text}"`);
		this.expect('.');
		let negated = false;
		if (this.text.startsWith('not.', this.position)) {
			negated = true;
			this.position += 4;
		}
		const operator = checkOperator(this.until('.'));
		this.expect('.');
		if (operator === 'in') return { kind: 'condition', column, negated, operator, value: this.list() };
		return { kind: 'condition', column, negated, operator, value: this.logicValue() };
	}

	/** `(a,"b,c",d)` — elements quoted or running to the next `,` or `)`. */
	list(): string[] {
		this.expect('(');
		const values: string[] = [];
		if (this.skip(')')) return values;
		do values.push(this.element());
		while (this.skip(','));
		this.expect(')');
		return values;
	}

	/** One value inside a logic group: quoted, a `{...}` array literal, or up to `,` / `)`. */
	private logicValue(): string {
		if (this.peek() === '{') {
			const close = this.text.indexOf('}', this.position);
			if (close >= 0 && !this.text.slice(this.position + 1, close).includes('{')) {
				const literal = this.text.slice(this.position, close + 1);
				this.position = close + 1;
				return literal;
			}
		}
		return this.element();
	}

	/** A quoted value when it is followed by `,` `)` or the end (as PostgREST requires), else raw text. */
	private element(): string {
		if (this.peek() === '"') {
			const start = this.position;
			const value = this.quoted();
			if (['', ',', ')'].includes(this.peek())) return value;
			this.position = start;
		}
		return this.until(',', ')');
	}

	private quoted(): string {
		this.expect('"');
		let value = '';
		while (this.peek() !== '"') {
			if (this.peek() === '') fail(`unterminated quoted value in "${this.text}"`);
			if (this.peek() === '\\') this.position++;
			if (this.peek() === '') fail(`unterminated quoted value in "${this.text}"`);
			value += this.peek();
			this.position++;
		}
		this.position++;
		return value;
	}

	private until(...stops: string[]): string {
		const start = this.position;
		while (this.peek() !== '' && !stops.includes(this.peek())) this.position++;
		return this.text.slice(start, this.position);
	}
}

/** Column facts the SQL compiler needs. */
export interface FilterColumn {
	/** The cast target for values, e.g. `int4`, `varchar`, `int4[]`. */
	castType: string;
}

/** Compiles conditions to a WHERE expression; values are appended to `params` as text parameters. */
export function filterToSql(
	nodes: FilterNode[],
	columnOf: (name: string) => FilterColumn,
	params: Array<string | null>,
): string {
	if (nodes.length === 0) return 'TRUE';
	return nodes.map((node) => nodeToSql(node, columnOf, params)).join(' AND ');
}

function nodeToSql(node: FilterNode, columnOf: (name: string) => FilterColumn, params: Array<string | null>): string {
	let sql: string;
	if (node.kind === 'group') {
		const joiner = node.logic === 'and' ? ' AND ' : ' OR ';
		sql = `(${node.children.map((child) => nodeToSql(child, columnOf, params)).join(joiner)})`;
	} else {
		const { castType } = columnOf(node.column);
		const column = quoteIdent(node.column);
		const bind = (value: string) => `CAST($${params.push(value)} AS ${castType})`;
		if (node.operator === 'in') {
			const values = node.value as string[];
			sql = values.length === 0 ? 'FALSE' : `${column} IN (${values.map(bind).join(', ')})`;
		} else if (node.operator === 'is') {
			const test = IS_VALUES.get((node.value as string).toLowerCase());
			if (!test) fail(`is.${String(node.value)} is not one of is.null, is.not_null, is.true, is.false, is.unknown`);
			sql = `${column} ${test}`;
		} else if (node.operator === 'like' || node.operator === 'ilike') {
			const pattern = (node.value as string).replace(/\*/g, '%');
			sql = `${column} ${node.operator === 'like' ? 'LIKE' : 'ILIKE'} $${params.push(pattern)}`;
		} else {
			sql = `${column} ${COMPARISONS.get(node.operator)} ${bind(node.value as string)}`;
		}
	}
	return node.negated ? `NOT (${sql})` : sql;
}
