import type { EmulatorServer, RecordedRequest, Reply } from '../emulators/server';

/** mulberry32: a small seeded PRNG, so that a run can be replayed from the seed it printed. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** `HARDENING_SEED` when set (to replay a run), else a fresh one; printed by the caller. */
export function chooseSeed(): number {
	const fromEnv = Number(process.env.HARDENING_SEED);
	return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
}

export type FaultKind =
	| 'rateLimited'
	| 'serverError'
	| 'resetBeforeHandling'
	| 'resetAfterHandling'
	| 'slowerThanTimeout'
	| 'tokenExpired';

export const FAULT_KINDS: readonly FaultKind[] = [
	'rateLimited',
	'serverError',
	'resetBeforeHandling',
	'resetAfterHandling',
	'slowerThanTimeout',
	'tokenExpired',
];

export type FaultRates = Partial<Record<FaultKind, number>>;

export interface ChaosPlan {
	random: () => number;
	/** Chance per request that may be hit, per kind (together below 1). */
	rates: FaultRates;
	/** The requests that may be hit (the write endpoints of the scenario). */
	match(request: RecordedRequest): boolean;
	/** The service's own "too many requests" answer, with a reset hint of `seconds`. */
	rateLimitReply(seconds: number): Reply;
	/** How long a slow answer takes: longer than the node's timeout. */
	slowMs: number;
	/** Makes every token issued so far expire (the request at hand then meets an expired token). */
	expireTokens?(): void;
}

const SERVER_ERRORS: Reply[] = [
	{ status: 500, body: { message: 'Internal Server Error (injected)' } },
	{ status: 502, body: '<html><body>502 Bad Gateway (injected)</body></html>' },
	{ status: 503, body: 'Service Unavailable (injected)' },
];

/**
 * After this many faulted requests in a row the next one goes through: with fault rates near one
 * half, a scenario of ten batches could otherwise (about once in a hundred seeds) fault every request
 * and leave nothing written, which tells nothing about what the node reports for written records.
 */
const MAX_FAULTS_IN_A_ROW = 3;

/**
 * Injects a seeded random mix of faults into an emulator's requests, deciding once per request
 * which fault (if any) hits it, and counts what it injected. Install after the emulator's reset.
 */
export class Chaos {
	readonly counts: Record<FaultKind, number> = {
		rateLimited: 0,
		serverError: 0,
		resetBeforeHandling: 0,
		resetAfterHandling: 0,
		slowerThanTimeout: 0,
		tokenExpired: 0,
	};

	private readonly decisions = new Map<number, string>();

	private enabled = true;

	/** When the last slow request arrived: the service applies it `slowMs` later. */
	private lastSlowAt = 0;

	/** Faulted requests since the last clean one (see MAX_FAULTS_IN_A_ROW). */
	private faultsInARow = 0;

	constructor(private readonly plan: ChaosPlan) {}

	get total(): number {
		return FAULT_KINDS.reduce((sum, kind) => sum + this.counts[kind], 0);
	}

	/**
	 * Stops injecting and waits until every slow request has been applied: the service still
	 * applies a request after the node gave up waiting for its answer.
	 */
	async stop(): Promise<void> {
		this.enabled = false;
		const wait = this.lastSlowAt + this.plan.slowMs + 200 - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	}

	install(server: EmulatorServer): void {
		const hit = (variant: string) => (request: RecordedRequest) => this.decide(request) === variant;
		const always = Number.MAX_SAFE_INTEGER;
		for (const seconds of [0, 1]) {
			server.inject({
				match: hit(`429:${seconds}`),
				times: always,
				action: { kind: 'respond', reply: this.plan.rateLimitReply(seconds) },
			});
		}
		SERVER_ERRORS.forEach((reply) =>
			server.inject({ match: hit(`5xx:${reply.status}`), times: always, action: { kind: 'respond', reply } }),
		);
		server.inject({ match: hit('resetBeforeHandling'), times: always, action: { kind: 'resetBeforeHandling' } });
		server.inject({ match: hit('resetAfterHandling'), times: always, action: { kind: 'resetAfterHandling' } });
		server.inject({ match: hit('slow'), times: always, action: { kind: 'delay', ms: this.plan.slowMs } });
	}

	/** The fault of one request, drawn when the server first asks about it. */
	private decide(request: RecordedRequest): string {
		const known = this.decisions.get(request.seq);
		if (known !== undefined) return known;
		let variant = 'none';
		const matched = this.plan.match(request);
		if (this.enabled && matched && this.faultsInARow < MAX_FAULTS_IN_A_ROW) {
			const { random, rates } = this.plan;
			let draw = random();
			for (const kind of FAULT_KINDS) {
				const rate = rates[kind] ?? 0;
				if (draw >= rate) {
					draw -= rate;
					continue;
				}
				this.counts[kind]++;
				variant = this.variantOf(kind);
				break;
			}
		}
		if (matched) this.faultsInARow = variant === 'none' ? 0 : this.faultsInARow + 1;
		this.decisions.set(request.seq, variant);
		return variant;
	}

	private variantOf(kind: FaultKind): string {
		const { random } = this.plan;
		switch (kind) {
			case 'rateLimited':
				// Mostly "retry now", sometimes "in a second", to keep runs short.
				return random() < 0.9 ? '429:0' : '429:1';
			case 'serverError':
				return `5xx:${SERVER_ERRORS[Math.floor(random() * SERVER_ERRORS.length)].status}`;
			case 'slowerThanTimeout':
				this.lastSlowAt = Date.now();
				return 'slow';
			case 'tokenExpired':
				if (!this.plan.expireTokens) throw new Error('This emulator has no tokens to expire');
				this.plan.expireTokens();
				return 'none';
			default:
				return kind;
		}
	}
}
