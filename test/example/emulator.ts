import type { RecordedRequest, Reply } from '../emulators/server';
import { EmulatorServer, Router } from '../emulators/server';

interface StoredRecord {
	id: string;
	name: string;
	writes: number;
}

type Batch = Array<{ id?: string; name: string }>;

/** The example service's data: POST creates, PUT updates `{ id, name }` records; name "bad" is refused. */
class ExampleState {
	readonly records = new Map<string, StoredRecord>();

	private nextId = 1;

	create(request: RecordedRequest): Reply {
		const results = (request.body as { records: Batch }).records.map(({ name }) => {
			if (name === 'bad') return { ok: false, error: 'Name "bad" is not allowed' };
			// Like many services, it quotes a refused value cut to a number of UTF-16 units, even inside an emoji.
			if (name.startsWith('bad ')) return { ok: false, error: `Name "${name.slice(0, 9)}" is not allowed: ${name}` };
			const id = String(this.nextId++);
			this.records.set(id, { id, name, writes: 1 });
			return { ok: true, id };
		});
		return { status: 200, body: { results } };
	}

	update(request: RecordedRequest): Reply {
		const results = (request.body as { records: Batch }).records.map(({ id, name }) => {
			const existing = this.records.get(String(id));
			if (!existing) return { ok: false, error: `No record ${id}` };
			existing.name = name;
			existing.writes++;
			return { ok: true, id: existing.id };
		});
		return { status: 200, body: { results } };
	}
}

export class ExampleEmulator {
	private constructor(
		readonly server: EmulatorServer,
		private readonly state: ExampleState,
	) {}

	static async start(apiKey = 'example-key'): Promise<ExampleEmulator> {
		const state = new ExampleState();
		const guarded = (handle: (request: RecordedRequest) => Reply) => (request: RecordedRequest) =>
			request.headers['x-api-key'] === apiKey ? handle(request) : { status: 401, body: { message: 'Bad API key' } };
		const router = new Router()
			.on('POST', '/records', guarded((request) => state.create(request)))
			.on('PUT', '/records', guarded((request) => state.update(request)));
		const server = await EmulatorServer.start(router.handler(() => ({ status: 404, body: { message: 'Not found' } })));
		return new ExampleEmulator(server, state);
	}

	get url(): string {
		return this.server.url;
	}

	get records(): Map<string, StoredRecord> {
		return this.state.records;
	}
}
