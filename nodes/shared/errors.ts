/** An input that cannot become a record; names the field when one is to blame. */
export class RecordInputError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'RecordInputError';
	}
}
