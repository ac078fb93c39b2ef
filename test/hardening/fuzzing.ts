import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import type { RecordedRequest } from '../emulators/server';
import type { NodeRun } from '../harness/workflow';

/** Text that breaks naive code: separators JSON allows but JavaScript once did not, controls, quotes, markup. */
const TRICKY_TEXT = [
	'\u2028',
	'line\u2029break',
	'😀',
	'👩🏽‍💻',
	'\u0000',
	'"',
	'\\',
	"'; DROP TABLE x; --",
	'</script>',
	'%2F',
	'../',
	'?a=1#b',
	'\u202Egnp.exe',
	'\uFEFFbom',
	'zero\u200Bwidth',
	'ＡＢＣ',
	'１２３',
	'NaN',
	'Infinity',
	'-0',
	'1e309',
	'0x1F',
	' 42 ',
	'1,000.5',
	'true',
	'null',
	'{}',
	'[]',
	'{"a":1}',
	'',
	' ',
];

/** Halves of surrogate pairs: JSON.stringify escapes them, but no service can store them. */
const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'ok\uD83D', '\uDE00ok', '😀'.slice(0, 1)];

const DATE_TEXT = [
	'2024-02-29',
	'2023-02-29',
	'2024-13-01',
	'2024/5/31',
	'5/31/2024',
	'31.05.2024',
	'2024-05-31T09:30:00Z',
	'2024-05-31T09:30:00.123+09:00',
	'2024-05-31 09:30',
	'2024-05-31T24:00:00',
	'Fri, 31 May 2024 09:30:00 GMT',
	'May 31, 2024',
	'1717147800000',
	'1717147800',
	'20240531',
	'2024-W22-5',
	'09:30',
	'9:5',
	'25:00',
	'0000-00-00',
	'+275760-09-13T00:00:00Z',
];

// U+FFFD is left out of generated text, so one in a request body can only be a surrogate mangled on the way.
const withoutReplacementCharacter = (text: string) => text.replace(/\uFFFD/g, '');

export const textArbitrary: fc.Arbitrary<string> = fc.oneof(
	{ weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(withoutReplacementCharacter) },
	{ weight: 3, arbitrary: fc.constantFrom(...TRICKY_TEXT) },
	{
		weight: 2,
		arbitrary: fc
			.tuple(fc.string({ maxLength: 4 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 4 }))
			.map((parts) => parts.join('')),
	},
	{ weight: 3, arbitrary: fc.constantFrom(...DATE_TEXT) },
	{ weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((length) => '長'.repeat(length)) },
	{ weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double()).map(String) },
);

export const numberArbitrary: fc.Arbitrary<number> = fc.oneof(
	fc.integer(),
	// fc.double yields NaN, ±Infinity and -0 too.
	fc.double(),
	fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53 + 1, 1e308, -1),
);

const scalarArbitrary: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 5, arbitrary: textArbitrary },
	{ weight: 3, arbitrary: numberArbitrary },
	{ weight: 1, arbitrary: fc.boolean() },
	{ weight: 1, arbitrary: fc.constant(null) },
	{ weight: 1, arbitrary: fc.date({ noInvalidDate: false }) },
);

const keyArbitrary: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...TRICKY_TEXT, ...LONE_SURROGATES));

/** Any value an item field may hold: scalars, nested lists and objects (depth-limited). */
export const valueArbitrary: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', maxDepth: 3 },
		{ weight: 6, arbitrary: scalarArbitrary },
		{ weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
		{ weight: 1, arbitrary: fc.dictionary(keyArbitrary, tie('value'), { maxKeys: 3 }) },
	),
})).value;

/**
 * An item: some of the given fields with any values (or plausible ones, so that some items convert),
 * a few unknown fields, and the record key from `keys` (existing IDs, so duplicates happen) or anything.
 */
export function itemArbitrary(
	fields: Record<string, fc.Arbitrary<unknown>>,
	key?: { name: string; values: fc.Arbitrary<unknown> },
): fc.Arbitrary<IDataObject> {
	const model: Record<string, fc.Arbitrary<unknown>> = {};
	for (const [name, plausible] of Object.entries(fields)) model[name] = fc.oneof(plausible, valueArbitrary);
	if (key) model[key.name] = fc.oneof({ weight: 4, arbitrary: key.values }, { weight: 1, arbitrary: valueArbitrary });
	return fc
		.tuple(fc.record(model, { requiredKeys: [] }), fc.dictionary(keyArbitrary, valueArbitrary, { maxKeys: 2 }))
		.map(([known, extra]) => ({ ...extra, ...known }) as IDataObject);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Fields whose value the APIs take as a JSON text of records. */
const JSON_TEXT_FIELDS = new Set(['records', 'record', 'items']);

function badText(text: string): string | undefined {
	if (LONE_SURROGATE.test(text)) return 'a lone surrogate';
	if (text.includes('\uFFFD')) return 'U+FFFD (a surrogate mangled by UTF-8)';
	return undefined;
}

function scanJson(value: unknown, where: string, problems: string[]): void {
	if (typeof value === 'string') {
		const bad = badText(value);
		if (bad) problems.push(`${where}: ${bad}`);
	} else if (Array.isArray(value)) {
		value.forEach((entry, index) => scanJson(entry, `${where}[${index}]`, problems));
	} else if (value !== null && typeof value === 'object') {
		for (const [key, entry] of Object.entries(value)) {
			const bad = badText(key);
			if (bad) problems.push(`${where} key ${JSON.stringify(key)}: ${bad}`);
			if (JSON_TEXT_FIELDS.has(key) && typeof entry === 'string') {
				try {
					scanJson(JSON.parse(entry), `${where}.${key}(parsed)`, problems);
				} catch {
					problems.push(`${where}.${key}: the JSON text inside does not parse`);
				}
			} else {
				scanJson(entry, `${where}.${key}`, problems);
			}
		}
	}
}

/**
 * What is wrong with the requests an emulator received: a body that is not JSON, text no service
 * can store (lone surrogates, or their U+FFFD remains), a JSON text field that does not parse.
 */
export function malformedRequests(requests: readonly RecordedRequest[]): string[] {
	const problems: string[] = [];
	for (const request of requests) {
		const label = `${request.method} ${request.path}`;
		const inUrl = badText(decodeURIComponentSafe(request.path)) ?? [...request.query.values()].map(badText).find(Boolean);
		if (inUrl) problems.push(`${label} URL: ${inUrl}`);
		if (request.rawBody === '') continue;
		if (request.rawBody.includes('\uFFFD')) problems.push(`${label}: U+FFFD in the raw body`);
		let body: unknown;
		try {
			body = JSON.parse(request.rawBody);
		} catch {
			problems.push(`${label}: the body is not JSON: ${request.rawBody.slice(0, 80)}`);
			continue;
		}
		scanJson(body, label, problems);
	}
	return problems;
}

function decodeURIComponentSafe(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return '\uFFFD';
	}
}

// Messages of JavaScript's own errors: an item failing with one of these was not handled, only caught.
const RAW_JS_ERROR = /Cannot read propert|is not a function|is not defined|is not iterable|Invalid time value|Maximum call stack|Unexpected token|\[object Object\]|Converting circular/;

/** What is wrong with a run under "Continue On Fail": it must succeed with one clear result per item, in order. */
export function runProblems(run: NodeRun, itemCount: number): string[] {
	const problems: string[] = [];
	if (run.status !== 'success' || run.error) problems.push(`run ${run.status}: ${run.error?.message}`);
	const outputs = run.outputs[0] ?? [];
	if (outputs.length !== itemCount) problems.push(`${outputs.length} output items for ${itemCount} input items`);
	outputs.forEach((output, index) => {
		if ((output.pairedItem as { item?: number } | undefined)?.item !== index) problems.push(`output ${index} is not paired with item ${index}`);
		if (output.json.error === undefined) return;
		const message = output.json.error;
		const details = output.json.details as IDataObject | undefined;
		if (typeof message !== 'string' || message.trim() === '') problems.push(`item ${index}: an error without a message`);
		else if (RAW_JS_ERROR.test(message) || message.length > 2_000) problems.push(`item ${index}: unclear error "${message.slice(0, 200)}"`);
		else if (LONE_SURROGATE.test(message)) problems.push(`item ${index}: its error message holds a lone surrogate`);
		if (details?.itemIndex !== index) problems.push(`item ${index}: error details name item ${String(details?.itemIndex)}`);
		if (!['failed', 'notSent', 'unknown'].includes(String(details?.outcome))) {
			problems.push(`item ${index}: error outcome ${String(details?.outcome)}`);
		}
	});
	return problems;
}
