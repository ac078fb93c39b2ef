import type { RecordedRequest, Reply } from '../emulators/server';
import { EmulatorServer, Router } from '../emulators/server';

interface StoredRecord {
	id: string;
	name: string;
	writes: number;
}

/** The example service: POST creates, PUT updates `{ id, name }` records; name "bad" is refused. */
export class ExampleEmulator {
	readonly records = new Map<string, StoredRecord>();

	private nextId = 1;

	private constructor(readonly server: EmulatorServer) {}

	static async start(apiKey = 'example-key'): Promise<ExampleEmulator> {
		const router = new Router();
		let emulator: ExampleEmulator | undefined;
		const guarded = (handle: (request: RecordedRequest) => Reply) => (request: RecordedRequest) =>
			request.headers['x-api-key'] === apiKey ? handle(request) : { status: 401, body: { message: 'Bad API key' } };
		router.on('POST', '/records', guarded((request) => emulator!.create(request)));
		router.on('PUT', '/records', guarded((request) => emulator!.update(request)));
		const server = await EmulatorServer.start(router.handler(() => ({ status: 404, body: { message: 'Not found' } })));
		emulator = new ExampleEmulator(server);
		return emulator;
	}

	get url(): string {
		return this.server.url;
	}

	private batch(request: RecordedRequest): Array<{ id?: string; name: string }> {
		return (request.body as { records: Array<{ id?: string; name: string }> }).records;
	}

	private create(request: RecordedRequest): Reply {
		const results = this.batch(request).map(({ name }) => {
			if (name === 'bad') return { ok: false, error: 'Name "bad" is not allowed' };
			const id = String(this.nextId++);
			this.records.set(id, { id, name, writes: 1 });
			return { ok: true, id };
		});
		return { status: 200, body: { results } };
	}

	private update(request: RecordedRequest): Reply {
		const results = this.batch(request).map(({ id, name }) => {
			const existing = this.records.get(String(id));
			if (!existing) return { ok: false, error: `No record ${id}` };
			existing.name = name;
			existing.writes++;
			return { ok: true, id: existing.id };
		});
		return { status: 200, body: { results } };
	}
}
