import { checkedValue, isNumberText, parseIsoDateTime } from '../../nodes/shared/values';

describe('checkedValue: values checked by the type their field has in the mapping form', () => {
	const field = (type: string, extra = {}) => ({ id: 'f', type, ...extra }) as Parameters<typeof checkedValue>[0];

	it('numbers: numeric text becomes a number unless digits would be lost; anything else names the field', () => {
		expect(checkedValue(field('number'), ' 12 ')).toBe(12);
		expect(checkedValue(field('number'), '-1.50e2')).toBe(-150);
		expect(checkedValue(field('number'), '12345678901234567890')).toBe('12345678901234567890');
		expect(() => checkedValue(field('number'), '12x')).toThrow('"f" needs a number, got "12x"');
		expect(() => checkedValue(field('number'), Number.NaN)).toThrow('"f" needs a number');
	});

	it('yes/no, options and times', () => {
		expect(checkedValue(field('boolean'), 'TRUE')).toBe(true);
		expect(() => checkedValue(field('boolean'), 'yes')).toThrow('"f" needs true or false, got "yes"');
		const options = field('options', { options: [{ name: 'True', value: true }, { name: 'False', value: false }] });
		expect(checkedValue(options, 'false')).toBe(false);
		expect(() => checkedValue(options, 'maybe')).toThrow('"maybe" is not an option of "f"; the options are "true", "false"');
		expect(checkedValue(field('time'), '09:30')).toBe('09:30');
		expect(() => checkedValue(field('time'), '24:00')).toThrow('"f" needs a time like 09:30');
	});

	it('dates that do not exist are refused, never rolled over to another day', () => {
		expect(checkedValue(field('dateTime'), '2024-02-29')).toBe('2024-02-29');
		expect(() => checkedValue(field('dateTime'), '2024-02-30')).toThrow('(a day and time that exist)');
		expect(() => checkedValue(field('dateTime'), '2023-02-29T10:00:00Z')).toThrow('"f" needs a date');
		expect(parseIsoDateTime('2024-05-31T09:30:00+09:00')).toBe(Date.UTC(2024, 4, 31, 0, 30));
		expect(parseIsoDateTime('2024-05-31T09:60:00Z')).toBeNaN();
	});

	it('the number check takes linear time: a long run of digits ending in a letter is refused at once', () => {
		const text = `${'1'.repeat(200_000)}x`;
		const started = performance.now();
		expect(isNumberText(text)).toBe(false);
		const refusing = performance.now() - started;
		const accepting = performance.now();
		expect(isNumberText(`${'1'.repeat(200_000)}`)).toBe(true);
		// A backtracking pattern spends seconds on the first and milliseconds on the second.
		expect(refusing).toBeLessThan((performance.now() - accepting) * 20 + 50);
	});
});
