import { toBatches } from '../../nodes/shared/batching';

describe('toBatches', () => {
	it('cuts in order into batches of at most the given size', () => {
		const items = Array.from({ length: 1234 }, (_, index) => index);
		const batches = toBatches(items, 500);
		expect(batches.map((batch) => batch.length)).toEqual([500, 500, 234]);
		expect(batches.flat()).toEqual(items);
	});

	it('returns no batch for no records and one for an exact fit', () => {
		expect(toBatches([], 100)).toEqual([]);
		expect(toBatches([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
	});

	it.each([0, -1, 1.5, Number.NaN])('refuses a batch size of %p', (size) => {
		expect(() => toBatches([1], size)).toThrow(RangeError);
	});
});
