/**
 * A decision about a field name (the column or field it writes to, or none), made once per run:
 * the items of a run mostly repeat the same names. A decision that throws is not kept, so every
 * item with that name gets the error.
 */
export function decidedOncePerName<T extends object | string | null>(decide: (name: string) => T): (name: string) => T {
	const decisions = new Map<string, T>();
	return (name) => {
		let decision = decisions.get(name);
		if (decision === undefined) {
			decision = decide(name);
			decisions.set(name, decision);
		}
		return decision;
	};
}
