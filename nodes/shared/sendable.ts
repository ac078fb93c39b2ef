import { RecordInputError } from './errors';
import { LONE_SURROGATE } from './results';

/**
 * Throws a RecordInputError, naming where, for a value JSON cannot carry exactly: text with an
 * unpaired surrogate (e.g. an emoji cut in half), NaN or Infinity (JSON would send null), an
 * invalid date, or a value JSON has no form for. So no request ever holds a value the item did not.
 */
export function assertSendable(value: unknown, path = ''): void {
	// The quick walk runs on every record; only a value it rejects is walked again to say where.
	if (!isSendable(value)) checkSendable(value, path === '' ? [] : [path]);
}

/** Whether JSON carries the value exactly (what checkSendable checks, without saying where). */
function isSendable(value: unknown): boolean {
	switch (typeof value) {
		case 'string':
			// Native, and at once for text without any UTF-16 surrogate (Node 20+).
			return value.isWellFormed();
		case 'number':
			return Number.isFinite(value);
		case 'object':
			break;
		case 'bigint':
		case 'function':
		case 'symbol':
			return false;
		default:
			return true;
	}
	if (value === null) return true;
	if (Array.isArray(value)) return value.every(isSendable);
	// Dates and other values with toJSON are left to the full check.
	if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
	for (const key in value) {
		if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
		if (!key.isWellFormed() || !isSendable((value as Record<string, unknown>)[key])) return false;
	}
	return true;
}

/** Walks a value and throws for the first part JSON cannot carry, naming where it is. */
function checkSendable(value: unknown, at: Array<string | number>): void {
	if (typeof value === 'string') {
		// Only broken text needs the slower search for where it breaks.
		const match = value.isWellFormed() ? null : LONE_SURROGATE.exec(value);
		if (match) {
			unsendable(at, `contains an unpaired UTF-16 surrogate at position ${match.index} (broken text, e.g. half an emoji); fix or remove that character`);
		}
	} else if (typeof value === 'number') {
		if (!Number.isFinite(value)) unsendable(at, `is ${value}, which cannot be sent as a number`);
	} else if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
		unsendable(at, `is a ${typeof value}, which cannot be sent`);
	} else if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) unsendable(at, 'is an invalid date');
	} else if (Array.isArray(value)) {
		for (let index = 0; index < value.length; index++) {
			at.push(index);
			checkSendable(value[index], at);
			at.pop();
		}
	} else if (value !== null && typeof value === 'object') {
		const { toJSON } = value as { toJSON?: unknown };
		if (typeof toJSON === 'function') return checkSendable(toJSON.call(value), at);
		for (const key of Object.keys(value)) {
			if (!key.isWellFormed()) {
				unsendable(at, `has a key with an unpaired UTF-16 surrogate (broken text); fix or remove that character`);
			}
			at.push(key);
			checkSendable((value as Record<string, unknown>)[key], at);
			at.pop();
		}
	}
}

function unsendable(at: Array<string | number>, problem: string): never {
	const path = at.reduce<string>(
		(text, step) => (typeof step === 'number' ? `${text}[${step}]` : text === '' ? step : `${text}.${step}`),
		'',
	);
	throw new RecordInputError(`${path === '' ? 'The value' : `"${path}"`} ${problem}`, path || undefined);
}
