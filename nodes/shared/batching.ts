/** One record waiting to be written, tied to the input item it came from. */
export interface PendingRecord<T> {
	itemIndex: number;
	/** How people recognise the record in messages, e.g. `id 42` or `code = "A-1"`. */
	key: string;
	payload: T;
}

/** Cuts records into consecutive batches of at most `maxSize`, keeping input order. */
export function toBatches<T>(records: readonly T[], maxSize: number): T[][] {
	if (!Number.isInteger(maxSize) || maxSize < 1) {
		throw new RangeError(`Batch size must be a positive whole number, got ${maxSize}`);
	}
	const batches: T[][] = [];
	for (let start = 0; start < records.length; start += maxSize) {
		batches.push(records.slice(start, start + maxSize));
	}
	return batches;
}
