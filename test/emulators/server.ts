import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';

/** A request as the emulator received it. */
export interface RecordedRequest {
	/** 1-based arrival order since the last reset. */
	seq: number;
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	rawBody: string;
	/** The body parsed as JSON, or undefined when it is empty or not JSON. */
	body: unknown;
	/**
	 * What a `streamBody` consumer made of a body it took instead of the server (e.g. an upload
	 * written to disk); `rawBody` is then ''.
	 */
	streamed?: unknown;
	receivedAt: number;
	/** Route parameters, filled by the router. */
	params: Record<string, string>;
	/** The HTTP status answered; undefined while in flight or when the connection was dropped. */
	status?: number;
}

export interface Reply {
	status: number;
	/** JSON (objects), text (strings), bytes (Buffer) or a stream of bytes (Readable, e.g. a file on disk). */
	body?: unknown;
	headers?: Record<string, string>;
}

/**
 * Takes the body of a request the server would otherwise buffer as a string (uploads that must not
 * sit in the JS heap): returns the consumer for requests it wants, undefined for the others. What
 * the consumer resolves to becomes `request.streamed`.
 */
export type BodyStreamer = (req: IncomingMessage) => ((body: IncomingMessage) => Promise<unknown>) | undefined;

export interface ServerOptions {
	port?: number;
	streamBody?: BodyStreamer;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

/**
 * What to do to some requests instead of (or around) normal handling:
 * - `respond`: answer with this status, body and headers; the request is not handled;
 * - `resetBeforeHandling`: drop the connection; the request is not handled;
 * - `resetAfterHandling`: handle the request (its effects apply), then drop the connection;
 * - `delay`: wait `ms`, then handle and answer normally (slower than a client timeout, the
 *   client gives up while the service still applies the request, as real services do).
 */
export type FaultAction =
	| { kind: 'respond'; reply: Reply }
	| { kind: 'resetBeforeHandling' }
	| { kind: 'resetAfterHandling' }
	| { kind: 'delay'; ms: number };

export interface Fault {
	/** Which requests the fault considers; all by default. */
	match?: (request: RecordedRequest) => boolean;
	/** Apply to the Nth matching request from now on (1-based); the next one by default. */
	nth?: number;
	/** How many matching requests in a row it hits, starting at the Nth. Default 1. */
	times?: number;
	action: FaultAction;
}

interface ArmedFault extends Fault {
	seen: number;
	hits: number;
}

/** What happened to a request, recorded for assertions. */
export type RequestFate = 'handled' | 'faultReply' | 'resetBeforeHandling' | 'resetAfterHandling';

/**
 * A loopback HTTP server for emulators: records every request, injects faults, and hands the rest
 * to a handler. Binds 127.0.0.1 on an ephemeral port unless told otherwise. Bodies are buffered as
 * text unless `streamBody` takes them (uploads to disk); faults apply once the body is read, either way.
 */
export class EmulatorServer {
	readonly requests: RecordedRequest[] = [];

	readonly fates: RequestFate[] = [];

	private faults: ArmedFault[] = [];

	private readonly sockets = new Set<Socket>();

	private constructor(
		private readonly server: ReturnType<typeof createServer>,
		private readonly streamBody?: BodyStreamer,
	) {}

	static async start(handler: Handler, options: ServerOptions = {}): Promise<EmulatorServer> {
		const server = createServer();
		const emulator = new EmulatorServer(server, options.streamBody);
		server.on('request', (req, res) => void emulator.serve(handler, req, res));
		server.on('connection', (socket) => {
			emulator.sockets.add(socket);
			socket.on('close', () => emulator.sockets.delete(socket));
		});
		// Longer than any client keeps an idle connection (Node's agents: 5 s by default; the official
		// SDKs' likewise), so the client always closes first: a server closing an idle socket just as
		// the client reuses it makes that request fail with ECONNRESET, more often on a busy machine.
		server.keepAliveTimeout = 65_000;
		server.headersTimeout = 66_000;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port ?? 0, '127.0.0.1', resolve);
		});
		return emulator;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	inject(fault: Fault): void {
		this.faults.push({ ...fault, seen: 0, hits: 0 });
	}

	/** Forgets recorded requests and pending faults; emulator state is the caller's to reset. */
	reset(): void {
		this.requests.length = 0;
		this.fates.length = 0;
		this.faults = [];
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private takeFault(request: RecordedRequest): FaultAction | undefined {
		for (const fault of this.faults) {
			if (fault.match && !fault.match(request)) continue;
			fault.seen++;
			const first = fault.nth ?? 1;
			if (fault.seen >= first && fault.hits < (fault.times ?? 1)) {
				fault.hits++;
				return fault.action;
			}
		}
		return undefined;
	}

	private async serve(handler: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
		const consume = this.streamBody?.(req);
		let rawBody = '';
		let streamed: unknown;
		try {
			if (consume) streamed = await consume(req);
			else rawBody = await readBody(req);
		} catch {
			// The client went away (or the disk failed) while sending the body: nothing to answer.
			req.socket.destroy();
			return;
		}
		const url = new URL(req.url ?? '/', this.url);
		const request: RecordedRequest = {
			seq: this.requests.length + 1,
			method: req.method ?? 'GET',
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			rawBody,
			body: parseJson(rawBody),
			...(consume ? { streamed } : {}),
			receivedAt: Date.now(),
			params: {},
		};
		this.requests.push(request);
		const fateIndex = this.fates.push('handled') - 1;

		const fault = this.takeFault(request);
		if (fault?.kind === 'resetBeforeHandling') {
			this.fates[fateIndex] = 'resetBeforeHandling';
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'respond') {
			this.fates[fateIndex] = 'faultReply';
			request.status = fault.reply.status;
			send(res, fault.reply);
			return;
		}
		if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));

		let reply: Reply;
		try {
			reply = await handler(request);
		} catch (error) {
			reply = { status: 500, body: { message: `Emulator error: ${(error as Error).message}` } };
		}
		if (fault?.kind === 'resetAfterHandling' || res.destroyed) {
			if (reply.body instanceof Readable) reply.body.destroy();
		}
		if (fault?.kind === 'resetAfterHandling') {
			this.fates[fateIndex] = 'resetAfterHandling';
			req.socket.destroy();
			return;
		}
		if (!res.destroyed) {
			request.status = reply.status;
			send(res, reply);
		}
	}
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function parseJson(text: string): unknown {
	if (text === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function send(res: ServerResponse, { status, body, headers }: Reply): void {
	if (Buffer.isBuffer(body) || body instanceof Readable) {
		res.writeHead(status, { ...withoutContentType(headers), 'content-type': contentTypeOf(headers) ?? 'application/octet-stream' });
		if (Buffer.isBuffer(body)) res.end(body);
		else body.on('error', () => res.destroy()).pipe(res);
		return;
	}
	const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, {
		...withoutContentType(headers),
		'content-type':
			contentTypeOf(headers) ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
	});
	res.end(payload);
}

function contentTypeOf(headers: Record<string, string> | undefined): string | undefined {
	return Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

function withoutContentType(headers: Record<string, string> | undefined): Record<string, string> {
	return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-type'));
}

type RouteHandler = (request: RecordedRequest) => Reply | Promise<Reply>;

/** Method + path routing with `:name` parameters (each matching one path segment). */
export class Router {
	private readonly routes: Array<{ method: string; pattern: RegExp; names: string[]; handle: RouteHandler }> = [];

	on(method: string, path: string, handle: RouteHandler): this {
		const names: string[] = [];
		const pattern = new RegExp(
			'^' +
				path
					.split('/')
					.map((segment) => {
						if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
						names.push(segment.slice(1));
						return '([^/]+)';
					})
					.join('/') +
				'$',
		);
		this.routes.push({ method: method.toUpperCase(), pattern, names, handle });
		return this;
	}

	/** A Handler for EmulatorServer; unknown paths answer `notFound`. */
	handler(notFound: (request: RecordedRequest) => Reply): Handler {
		return async (request) => {
			for (const route of this.routes) {
				if (route.method !== request.method) continue;
				const match = route.pattern.exec(request.path);
				if (!match) continue;
				route.names.forEach((name, index) => {
					request.params[name] = decodeURIComponent(match[index + 1]);
				});
				return await route.handle(request);
			}
			return notFound(request);
		};
	}
}
