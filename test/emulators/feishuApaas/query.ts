/**
 * batch_query's criterion: conditions whose left side names a field
 * (`{"fieldPath":[{"fieldApiName":..}]}`) and right side holds a constant (`{"data":..}`),
 * combined by a logic expression such as "1 and (2 or 3)". Only "equal" appears in the docs;
 * the other operator names here are this emulator's assumption.
 */

export interface Condition {
	index?: string;
	left?: { type?: string; settings?: string };
	right?: { type?: string; settings?: string };
	operator?: string;
}

export class QueryError extends Error {}

type Test = (value: unknown, constant: unknown, numeric: boolean) => boolean;

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';
const compare = (value: unknown, constant: unknown) => {
	const a = Number(value);
	const b = Number(constant);
	return Number.isFinite(a) && Number.isFinite(b) ? a - b : String(value ?? '').localeCompare(String(constant ?? ''));
};

/**
 * "equal": text as it is; a number field's values as numbers (the constant is always text, as in
 * the docs' `{"data":"123456"}` for `_id`), so "1.5" finds 1.50, whole numbers compared without
 * rounding. The docs do not say how numbers compare: that aPaaS, which stores numbers, compares
 * them as numbers is this emulator's assumption.
 */
function sameConstant(value: unknown, constant: unknown, numeric: boolean): boolean {
	const [a, b] = [String(value).trim(), String(constant ?? '').trim()];
	if (!numeric || a === '' || b === '') return String(value) === String(constant);
	const whole = /^[+-]?\d+$/;
	if (whole.test(a) && whole.test(b)) return BigInt(a) === BigInt(b);
	return Number(a) === Number(b);
}

const OPERATORS: Record<string, Test> = {
	equal: (value, constant, numeric) => !isEmpty(value) && sameConstant(value, constant, numeric),
	notEqual: (value, constant, numeric) => isEmpty(value) || !sameConstant(value, constant, numeric),
	contain: (value, constant) => !isEmpty(value) && String(value).includes(String(constant)),
	notContain: (value, constant) => isEmpty(value) || !String(value).includes(String(constant)),
	isNull: (value) => isEmpty(value),
	isNotNull: (value) => !isEmpty(value),
	greaterThan: (value, constant) => !isEmpty(value) && compare(value, constant) > 0,
	greaterThanOrEqual: (value, constant) => !isEmpty(value) && compare(value, constant) >= 0,
	lessThan: (value, constant) => !isEmpty(value) && compare(value, constant) < 0,
	lessThanOrEqual: (value, constant) => !isEmpty(value) && compare(value, constant) <= 0,
};

function parseSettings(text: string | undefined, what: string): Record<string, unknown> {
	try {
		const parsed = JSON.parse(text ?? '');
		if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
	} catch {
		// reported below
	}
	throw new QueryError(`${what} settings must be a JSON object string`);
}

/** A predicate over a record's values; throws QueryError for a malformed criterion. */
export function compileFilter(
	filter: { conditions?: Condition[]; logic_expression?: string } | undefined,
	hasField: (name: string) => boolean,
	isNumber: (name: string) => boolean = () => false,
): (values: Record<string, unknown>) => boolean {
	const conditions = filter?.conditions ?? [];
	if (conditions.length === 0) return () => true;
	if (conditions.length > 10) throw new QueryError('at most 10 conditions are allowed');

	const tests = new Map<string, (values: Record<string, unknown>) => boolean>();
	conditions.forEach((condition, position) => {
		const left = parseSettings(condition.left?.settings, 'left');
		const path = left.fieldPath as Array<{ fieldApiName?: string }> | undefined;
		const field = path?.[0]?.fieldApiName;
		if (!field || !hasField(field)) throw new QueryError(`unknown field in condition: ${field}`);
		const constant = parseSettings(condition.right?.settings ?? '{}', 'right').data;
		const test = OPERATORS[condition.operator ?? ''];
		if (!test) throw new QueryError(`unsupported operator: ${condition.operator}`);
		const numeric = isNumber(field);
		tests.set(condition.index ?? String(position + 1), (values) => test(values[field], constant, numeric));
	});

	const expression = filter?.logic_expression?.trim() || [...tests.keys()].join(' and ');
	return compileLogic(expression, tests);
}

/** Recursive descent over `or` / `and` / parentheses / condition numbers. */
function compileLogic(
	expression: string,
	tests: Map<string, (values: Record<string, unknown>) => boolean>,
): (values: Record<string, unknown>) => boolean {
	const tokens = expression.match(/\(|\)|[A-Za-z]+|\d+/g) ?? [];
	let position = 0;
	type Predicate = (values: Record<string, unknown>) => boolean;

	const primary = (): Predicate => {
		const token = tokens[position++];
		if (token === '(') {
			const inner = disjunction();
			if (tokens[position++] !== ')') throw new QueryError('unbalanced parentheses in logic_expression');
			return inner;
		}
		const test = token === undefined ? undefined : tests.get(token);
		if (!test) throw new QueryError(`logic_expression names no condition "${token}"`);
		return test;
	};
	const conjunction = (): Predicate => {
		let left = primary();
		while (tokens[position]?.toLowerCase() === 'and') {
			position++;
			const a = left;
			const b = primary();
			left = (values) => a(values) && b(values);
		}
		return left;
	};
	const disjunction = (): Predicate => {
		let left = conjunction();
		while (tokens[position]?.toLowerCase() === 'or') {
			position++;
			const a = left;
			const b = conjunction();
			left = (values) => a(values) || b(values);
		}
		return left;
	};

	const predicate = disjunction();
	if (position !== tokens.length) throw new QueryError('malformed logic_expression');
	return predicate;
}

/** Opaque page tokens: the offset of the next page. */
/** A page token: where the next page starts, and the query's result it pages through (see batchQuery). */
export interface PageToken {
	offset: number;
	snapshot?: string;
}

export function encodePageToken(token: PageToken): string {
	return Buffer.from(JSON.stringify(token)).toString('base64');
}

export function decodePageToken(token: string): PageToken {
	try {
		const { offset, snapshot } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown; snapshot?: unknown };
		if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) {
			return typeof snapshot === 'string' ? { offset, snapshot } : { offset };
		}
	} catch {
		// reported below
	}
	throw new QueryError('invalid page_token');
}
