import type { Messages } from './errors';
import { KintoneError, validationError } from './errors';
import type { FieldProperty, FormFields, StoredRow, StoredValues } from './fields';
import { formatDateTime, isEmptyValue, normalizeDateTime } from './fields';

/**
 * The subset of kintone's query language the emulator understands: conditions with = != < > <= >=,
 * in / not in, like / not like (case-insensitive substring, where kintone does word search),
 * is empty / is not empty, and / or / parentheses, functions TODAY() NOW() YESTERDAY() TOMORROW()
 * LOGINUSER(), then `order by f [asc|desc], ...`, `limit n`, `offset n`. Subtable columns match
 * when any row matches.
 */
export interface CompiledQuery {
	matches(record: QueryRecord): boolean;
	/**
	 * When the whole condition is `field in (…)` or `field = …`: the field and its literals, so that
	 * records can be found through an index (as kintone does) before `matches` checks them.
	 */
	keys?: { field: string; values: string[] };
	/** The record IDs the condition allows at most (`$id >= a and $id < b` and so on, joined by "and"). */
	idRange?: { min: number; max: number };
	compare(a: QueryRecord, b: QueryRecord): number;
	limit?: number;
	offset?: number;
}

export interface QueryRecord {
	id: number;
	values: StoredValues;
}

export interface QueryContext {
	t: Messages;
	now: Date;
	loginUser: string;
}

type Token =
	| { kind: 'string'; text: string }
	| { kind: 'number'; text: string }
	| { kind: 'word'; text: string }
	| { kind: 'operator'; text: string }
	| { kind: 'punct'; text: '(' | ')' | ',' };

type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in' | 'like' | 'not like' | 'is empty' | 'is not empty';

interface Test {
	kind: 'test';
	field: string;
	operator: Operator;
	values: string[];
}

type Condition = { kind: 'and' | 'or'; left: Condition; right: Condition } | Test;

/** How a field's values compare; decides the allowed operators too. */
type Category = 'number' | 'text' | 'longText' | 'date' | 'dateTime' | 'time' | 'choice' | 'entity' | 'file';

const CATEGORY_BY_TYPE: Record<string, Category> = {
	__ID__: 'number',
	RECORD_NUMBER: 'number',
	NUMBER: 'number',
	CALC: 'number',
	SINGLE_LINE_TEXT: 'text',
	LINK: 'text',
	MULTI_LINE_TEXT: 'longText',
	RICH_TEXT: 'longText',
	DATE: 'date',
	DATETIME: 'dateTime',
	CREATED_TIME: 'dateTime',
	UPDATED_TIME: 'dateTime',
	TIME: 'time',
	CHECK_BOX: 'choice',
	MULTI_SELECT: 'choice',
	RADIO_BUTTON: 'choice',
	DROP_DOWN: 'choice',
	STATUS: 'choice',
	CATEGORY: 'choice',
	USER_SELECT: 'entity',
	ORGANIZATION_SELECT: 'entity',
	GROUP_SELECT: 'entity',
	CREATOR: 'entity',
	MODIFIER: 'entity',
	STATUS_ASSIGNEE: 'entity',
	FILE: 'file',
};

const COMPARISONS: Operator[] = ['=', '!=', '<', '>', '<=', '>='];
const ALLOWED: Record<Category, Operator[]> = {
	number: [...COMPARISONS, 'in', 'not in'],
	text: ['=', '!=', 'in', 'not in', 'like', 'not like'],
	longText: ['like', 'not like', 'is empty', 'is not empty'],
	date: COMPARISONS,
	dateTime: COMPARISONS,
	time: COMPARISONS,
	choice: ['in', 'not in'],
	entity: ['in', 'not in'],
	file: ['like', 'not like', 'is empty', 'is not empty'],
};

interface ResolvedField {
	code: string;
	category: Category;
	/** The SUBTABLE holding this column, when it is one. */
	table?: string;
}

/** The bounds the `$id` tests of a condition's "and" chain put on record IDs; undefined when there are none. */
function idRangeOf(condition: Condition): { min: number; max: number } | undefined {
	const tests: Test[] = [];
	const collect = (node: Condition): boolean => {
		if (node.kind === 'and') return collect(node.left) && collect(node.right);
		if (node.kind === 'test') tests.push(node);
		return node.kind === 'test';
	};
	if (!collect(condition)) return undefined;
	let [min, max] = [1, Infinity];
	for (const { field, operator, values } of tests) {
		const value = Number(values[0]);
		if (field !== '$id' || !Number.isFinite(value)) continue;
		if (operator === '>=' || operator === '=') min = Math.max(min, Math.ceil(value));
		if (operator === '>') min = Math.max(min, Math.floor(value) + 1);
		if (operator === '<=' || operator === '=') max = Math.min(max, Math.floor(value));
		if (operator === '<') max = Math.min(max, Math.ceil(value) - 1);
	}
	return Number.isFinite(max) ? { min, max } : undefined;
}

export function compileQuery(query: string, fields: FormFields, context: QueryContext): CompiledQuery {
	const parser = new Parser(tokenize(query, context.t), context);
	const parsed = parser.parseQuery();
	const resolve = (code: string): ResolvedField => resolveField(code, fields, context.t);
	const check = (condition: Condition): void => {
		if (condition.kind !== 'test') {
			check(condition.left);
			check(condition.right);
			return;
		}
		const field = resolve(condition.field);
		const allowed = ALLOWED[field.category].filter((operator) => !field.table || (operator !== '=' && operator !== '!='));
		if (!allowed.includes(condition.operator)) {
			throw new KintoneError(400, 'GAIA_IQ03', context.t.queryOperator(condition.field, condition.operator));
		}
	};
	if (parsed.where) check(parsed.where);
	const order = parsed.orderBy.map(({ field, descending }) => ({ field: resolve(field), descending }));
	if (order.some(({ field }) => field.table)) throw validationError(context.t, { query: { messages: [context.t.querySyntax] } });
	return {
		matches: (record) => !parsed.where || evaluate(parsed.where, record, resolve),
		keys:
			parsed.where?.kind === 'test' && (parsed.where.operator === 'in' || parsed.where.operator === '=')
				? { field: parsed.where.field, values: parsed.where.values }
				: undefined,
		idRange: parsed.where ? idRangeOf(parsed.where) : undefined,
		compare: (a, b) => {
			for (const { field, descending } of order) {
				const result = compareValues(field, valueOf(field, a), valueOf(field, b));
				if (result !== 0) return descending ? -result : result;
			}
			return order.length === 0 ? b.id - a.id : 0;
		},
		limit: parsed.limit,
		offset: parsed.offset,
	};
}

function resolveField(code: string, fields: FormFields, t: Messages): ResolvedField {
	if (code === '$id') return { code, category: 'number' };
	const top = fields[code];
	if (top && CATEGORY_BY_TYPE[top.type]) return { code, category: CATEGORY_BY_TYPE[top.type] };
	for (const table of Object.values(fields)) {
		const inner = table.type === 'SUBTABLE' ? (table.fields as Record<string, FieldProperty>)[code] : undefined;
		if (inner && CATEGORY_BY_TYPE[inner.type]) return { code, category: CATEGORY_BY_TYPE[inner.type], table: table.code };
	}
	throw new KintoneError(400, 'GAIA_IQ11', t.queryFieldNotFound(code));
}

function valueOf(field: ResolvedField, record: QueryRecord): unknown {
	return field.code === '$id' ? String(record.id) : record.values[field.code];
}

function evaluate(condition: Condition, record: QueryRecord, resolve: (code: string) => ResolvedField): boolean {
	if (condition.kind === 'test') return evaluateTest(condition, record, resolve);
	if (condition.kind === 'and') return evaluate(condition.left, record, resolve) && evaluate(condition.right, record, resolve);
	return evaluate(condition.left, record, resolve) || evaluate(condition.right, record, resolve);
}

function evaluateTest(
	condition: Test,
	record: QueryRecord,
	resolve: (code: string) => ResolvedField,
): boolean {
	const field = resolve(condition.field);
	const { operator, values } = condition;
	const negated = operator === 'not in' || operator === 'not like' || operator === 'is not empty' || operator === '!=';
	const positive = negated ? positiveOf(operator) : operator;
	const test = (value: unknown) => testValue(field, positive, value, values);
	if (field.table) {
		const rows = (record.values[field.table] as StoredRow[] | undefined) ?? [];
		const any = rows.some((row) => test(row.value[field.code]));
		return negated ? !any : any;
	}
	const result = test(valueOf(field, record));
	return negated ? !result : result;
}

function positiveOf(operator: Operator): Operator {
	return ({ 'not in': 'in', 'not like': 'like', 'is not empty': 'is empty', '!=': '=' } as const)[
		operator as 'not in' | 'not like' | 'is not empty' | '!='
	];
}

function testValue(field: ResolvedField, operator: Operator, value: unknown, literals: string[]): boolean {
	switch (operator) {
		case 'is empty':
			return isEmptyValue(typeof value === 'string' ? value.trim() : value);
		case 'like': {
			const needle = literals[0].toLowerCase();
			const haystack =
				field.category === 'file'
					? ((value as Array<{ name: string }>) ?? []).map((file) => file.name).join(' ')
					: String(value ?? '');
			return haystack.toLowerCase().includes(needle);
		}
		case 'in': {
			const items = itemsOf(field, value);
			if (items.length === 0) return literals.includes('');
			return items.some((item) =>
				literals.some((literal) => (field.category === 'number' ? sameNumber(item, literal) : item === literal)),
			);
		}
		default: {
			const literal = literals[0];
			if (literal === '' || isEmptyValue(value)) {
				return operator === '=' ? literal === '' && isEmptyValue(value) : false;
			}
			const result = compareValues(field, value, literal);
			return (
				(operator === '=' && result === 0) ||
				(operator === '<' && result < 0) ||
				(operator === '>' && result > 0) ||
				(operator === '<=' && result <= 0) ||
				(operator === '>=' && result >= 0)
			);
		}
	}
}

function itemsOf(field: ResolvedField, value: unknown): string[] {
	if (value === null || value === undefined || value === '') return [];
	if (Array.isArray(value)) {
		return field.category === 'entity' ? value.map((entity: { code: string }) => entity.code) : value.map(String);
	}
	if (typeof value === 'object') return [(value as { code: string }).code];
	return [String(value)];
}

function sameNumber(a: string, b: string): boolean {
	return a !== '' && b !== '' && Number(a) === Number(b);
}

function compareValues(field: ResolvedField, a: unknown, b: unknown): number {
	const emptyA = isEmptyValue(a);
	const emptyB = isEmptyValue(b);
	if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? -1 : 1;
	if (field.category === 'number') return Number(a) - Number(b);
	if (field.category === 'dateTime') {
		const left = String(a);
		const literal = String(b);
		// A date-only literal compares against the day of the date-time.
		if (/^\d{4}-\d{2}-\d{2}$/.test(literal)) return left.slice(0, 10).localeCompare(literal);
		return left.localeCompare(normalizeDateTime(literal) ?? literal);
	}
	const left = typeof a === 'object' ? JSON.stringify(a) : String(a);
	const right = typeof b === 'object' ? JSON.stringify(b) : String(b);
	return left < right ? -1 : left > right ? 1 : 0;
}

function tokenize(query: string, t: Messages): Token[] {
	const tokens: Token[] = [];
	const syntax = () => validationError(t, { query: { messages: [t.querySyntax] } });
	let index = 0;
	while (index < query.length) {
		const char = query[index];
		if (/[\s\u3000]/.test(char)) {
			index++;
		} else if (char === '"') {
			let text = '';
			index++;
			for (;;) {
				if (index >= query.length) throw syntax();
				const next = query[index++];
				if (next === '"') break;
				if (/[\t\n\r]/.test(next)) throw syntax();
				if (next === '\\') {
					const escaped = query[index++];
					text += escaped === 't' ? '\t' : escaped === 'n' ? '\n' : escaped === 'r' ? '\r' : escaped;
				} else {
					text += next;
				}
			}
			tokens.push({ kind: 'string', text });
		} else if (char === '(' || char === ')' || char === ',') {
			tokens.push({ kind: 'punct', text: char });
			index++;
		} else {
			const operator = /^(!=|<=|>=|=|<|>)/.exec(query.slice(index));
			if (operator) {
				tokens.push({ kind: 'operator', text: operator[1] });
				index += operator[1].length;
				continue;
			}
			const word = /^[^\s\u3000(),"=!<>]+/.exec(query.slice(index));
			if (!word) throw syntax();
			tokens.push({ kind: /^-?\d+(\.\d+)?$/.test(word[0]) ? 'number' : 'word', text: word[0] });
			index += word[0].length;
		}
	}
	return tokens;
}

class Parser {
	private position = 0;

	constructor(
		private readonly tokens: Token[],
		private readonly context: QueryContext,
	) {}

	parseQuery(): { where?: Condition; orderBy: Array<{ field: string; descending: boolean }>; limit?: number; offset?: number } {
		const where = this.atClause() ? undefined : this.or();
		const orderBy: Array<{ field: string; descending: boolean }> = [];
		let limit: number | undefined;
		let offset: number | undefined;
		if (this.keyword('order')) {
			this.expectKeyword('by');
			do {
				const field = this.word();
				const direction = this.peekWord();
				if (direction === 'asc' || direction === 'desc') this.position++;
				orderBy.push({ field, descending: direction === 'desc' });
			} while (this.punct(','));
		}
		if (this.keyword('limit')) {
			limit = this.integer();
			if (limit > 500) throw new KintoneError(400, 'GAIA_QU01', this.context.t.limitTooLarge);
		}
		if (this.keyword('offset')) {
			offset = this.integer();
			if (offset > 10_000) throw new KintoneError(400, 'GAIA_QU02', this.context.t.offsetTooLarge);
		}
		if (this.position < this.tokens.length) throw this.syntax();
		return { where, orderBy, limit, offset };
	}

	private or(): Condition {
		let left = this.and();
		while (this.keyword('or')) left = { kind: 'or', left, right: this.and() };
		return left;
	}

	private and(): Condition {
		let left = this.factor();
		while (this.keyword('and')) left = { kind: 'and', left, right: this.factor() };
		return left;
	}

	private factor(): Condition {
		if (this.punct('(')) {
			const inner = this.or();
			if (!this.punct(')')) throw this.syntax();
			return inner;
		}
		const field = this.word();
		if (this.keyword('is')) {
			const not = this.keyword('not');
			this.expectKeyword('empty');
			return { kind: 'test', field, operator: not ? 'is not empty' : 'is empty', values: [] };
		}
		const not = this.keyword('not');
		if (this.keyword('in')) {
			if (!this.punct('(')) throw this.syntax();
			const values = [this.value()];
			while (this.punct(',')) values.push(this.value());
			if (!this.punct(')')) throw this.syntax();
			return { kind: 'test', field, operator: not ? 'not in' : 'in', values };
		}
		if (this.keyword('like')) return { kind: 'test', field, operator: not ? 'not like' : 'like', values: [this.value()] };
		if (not) throw this.syntax();
		const token = this.tokens[this.position++];
		if (token?.kind !== 'operator') throw this.syntax();
		return { kind: 'test', field, operator: token.text as Operator, values: [this.value()] };
	}

	private value(): string {
		const token = this.tokens[this.position++];
		if (token?.kind === 'string' || token?.kind === 'number') return token.text;
		if (token?.kind === 'word' && this.punct('(')) {
			if (!this.punct(')')) throw this.syntax();
			return this.callFunction(token.text.toUpperCase());
		}
		throw this.syntax();
	}

	private callFunction(name: string): string {
		const { now, loginUser } = this.context;
		const day = (offsetDays: number) => new Date(now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
		switch (name) {
			case 'TODAY':
				return day(0);
			case 'YESTERDAY':
				return day(-1);
			case 'TOMORROW':
				return day(1);
			case 'NOW':
				return formatDateTime(now);
			case 'LOGINUSER':
				return loginUser;
			default:
				throw this.syntax();
		}
	}

	private atClause(): boolean {
		const word = this.peekWord();
		return this.position >= this.tokens.length || word === 'order' || word === 'limit' || word === 'offset';
	}

	private peekWord(): string | undefined {
		const token = this.tokens[this.position];
		return token?.kind === 'word' ? token.text.toLowerCase() : undefined;
	}

	private keyword(word: string): boolean {
		if (this.peekWord() !== word) return false;
		this.position++;
		return true;
	}

	private expectKeyword(word: string): void {
		if (!this.keyword(word)) throw this.syntax();
	}

	private punct(text: '(' | ')' | ','): boolean {
		const token = this.tokens[this.position];
		if (token?.kind !== 'punct' || token.text !== text) return false;
		this.position++;
		return true;
	}

	private word(): string {
		const token = this.tokens[this.position++];
		if (token?.kind !== 'word') throw this.syntax();
		return token.text;
	}

	private integer(): number {
		const token = this.tokens[this.position++];
		if (token?.kind !== 'number' || !/^\d+$/.test(token.text)) throw this.syntax();
		return Number(token.text);
	}

	private syntax(): KintoneError {
		return validationError(this.context.t, { query: { messages: [this.context.t.querySyntax] } });
	}
}
