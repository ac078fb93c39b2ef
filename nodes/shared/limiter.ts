/**
 * At most `max` tasks at once; the others wait their turn in order. Promises only: node code may
 * not use timers.
 */
export class Limiter {
	private running = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(private readonly max: number) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
		else this.running++;
		try {
			return await task();
		} finally {
			// The next task takes this one's place, so `running` stays the same.
			const next = this.waiting.shift();
			if (next) next();
			else this.running--;
		}
	}
}
