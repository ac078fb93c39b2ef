import type { RequestContext } from './request';

/**
 * The token renewals of one execution, shared by its requests in flight: one request renews, the
 * others wait for it and then go out with the new token, instead of each renewing on its own (a
 * refresh token may be single-use, and a burst of renewals helps nobody).
 */
interface RenewalGate {
	/** Counts finished renewals, so a request can tell that the token changed since it was sent. */
	generation: number;
	/** Set while a request of this execution renews the token. */
	renewing?: Promise<void>;
}

// Keyed by the execution's context: nothing outlives the execution (n8n queue mode).
const renewalGates = new WeakMap<RequestContext, RenewalGate>();

export function renewalGateOf(ctx: RequestContext): RenewalGate {
	let gate = renewalGates.get(ctx);
	if (!gate) {
		gate = { generation: 0 };
		renewalGates.set(ctx, gate);
	}
	return gate;
}

/** Marks the gate as renewing; call the returned function once the renewing attempt is over. */
export function claimRenewal(gate: RenewalGate): () => void {
	let finish = () => {};
	gate.renewing = new Promise<void>((resolve) => (finish = resolve));
	return () => {
		gate.generation++;
		gate.renewing = undefined;
		finish();
	};
}
