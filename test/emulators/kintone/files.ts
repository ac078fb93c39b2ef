import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';

/**
 * kintone's limit on one file: 1 GB ("1個檔案最大1GB", https://jp.cybozu.help/k/zh-tw/admin/limitation/limit.html,
 * article 04044). The emulator takes it as 1 GiB.
 */
export const DEFAULT_MAX_FILE_BYTES = 1024 ** 3;

/**
 * An uploaded file not used by Add/Update Record within 3 days is deleted
 * (https://kintone.dev/en/docs/kintone/rest-api/files/upload-file/).
 */
export const DEFAULT_FILE_KEY_TTL_MS = 3 * 24 * 60 * 60_000;

/** Bytes of multipart framing (boundaries, part headers) allowed on top of the file itself. */
const FRAMING_BYTES = 64 * 1024;

/** Where a file's bytes are: a range of a request body written to the emulator's temp directory. */
export interface FileBytes {
	path: string;
	start: number;
	size: number;
	name: string;
	contentType: string;
}

/** An upload fileKey (`POST file.json`): usable once, until it expires. */
export interface Upload extends FileBytes {
	key: string;
	uploadedAt: number;
	used: boolean;
}

/** A file stored in a record's FILE field, under its download fileKey. */
export interface StoredFile extends FileBytes {
	key: string;
	/** The record that holds it (set when the record is stored). */
	owner?: { app: number; id: number };
}

/** A FILE value as kintone returns it. */
export interface FileValue {
	contentType: string;
	fileKey: string;
	name: string;
	size: string;
}

/** What an upload request's body was. */
export type ReceivedBody =
	| ({ kind: 'file' } & FileBytes)
	| { kind: 'tooLarge'; bytes: number }
	| { kind: 'noFile' };

/**
 * Files of the emulator: each upload body is streamed to a file in a temp directory (never held in
 * the JS heap), the `file` part located in it by scanning for the multipart boundary on the way; a
 * stored file is a range of that body file, read back from disk for downloads.
 */
export class FileStore {
	readonly uploads = new Map<string, Upload>();

	readonly files = new Map<string, StoredFile>();

	/** Upload fileKeys issued since the last reset. */
	issued = 0;

	private readonly dir: string;

	private bodies = 0;

	constructor(readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES) {
		this.dir = mkdtempSync(join(tmpdir(), 'kintone-emulator-files-'));
	}

	/** For `EmulatorServer`'s `streamBody`: takes multipart bodies of `POST …/file.json`. */
	wants(req: IncomingMessage): boolean {
		const path = (req.url ?? '').split('?')[0];
		return (
			req.method === 'POST' &&
			/^\/k(?:\/guest\/\d+)?\/v1\/file\.json$/.test(path) &&
			/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')
		);
	}

	/** Streams an upload body to disk and finds its `file` part. */
	async receive(req: IncomingMessage): Promise<ReceivedBody> {
		const boundary = boundaryOf(req.headers['content-type'] ?? '');
		const path = join(this.dir, `body-${++this.bodies}`);
		const out = createWriteStream(path);
		const scanner = boundary ? new DelimiterScanner(Buffer.from(`\r\n--${boundary}`, 'latin1')) : undefined;
		let written = 0;
		let received = 0;
		try {
			for await (const chunk of req as AsyncIterable<Buffer>) {
				received += chunk.length;
				// Over the limit: the rest is read (so the client gets the answer) but not kept.
				if (received > this.maxFileBytes + FRAMING_BYTES) continue;
				scanner?.push(chunk);
				written += chunk.length;
				if (!out.write(chunk)) await once(out, 'drain');
			}
		} finally {
			out.end();
			await finished(out).catch(() => undefined);
		}
		if (received > written) {
			rmSync(path, { force: true });
			return { kind: 'tooLarge', bytes: received };
		}
		const part = scanner ? this.filePart(path, scanner.found, scanner.delimiter.length) : undefined;
		if (!part) {
			rmSync(path, { force: true });
			return { kind: 'noFile' };
		}
		if (part.size > this.maxFileBytes) {
			rmSync(path, { force: true });
			return { kind: 'tooLarge', bytes: part.size };
		}
		return { kind: 'file', ...part };
	}

	/** Issues an upload fileKey (a UUID, as kintone's) for a received file. */
	register(file: FileBytes, now: number): Upload {
		const upload: Upload = { ...file, key: randomUUID(), uploadedAt: now, used: false };
		this.uploads.set(upload.key, upload);
		this.issued++;
		return upload;
	}

	/** Stores an upload under a new download fileKey (kintone's look like `20240131090000` + 35 hex digits). */
	store(upload: Upload, now: Date): StoredFile {
		const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
		const key = stamp + randomBytes(18).toString('hex').toUpperCase().slice(0, 35);
		const file: StoredFile = { path: upload.path, start: upload.start, size: upload.size, name: upload.name, contentType: upload.contentType, key };
		this.files.set(key, file);
		return file;
	}

	/** The bytes of a file, read from disk. */
	read(file: FileBytes): Buffer {
		const bytes = Buffer.alloc(file.size);
		const fd = openSync(file.path, 'r');
		try {
			let offset = 0;
			while (offset < file.size) {
				const read = readSync(fd, bytes, offset, file.size - offset, file.start + offset);
				if (read === 0) break;
				offset += read;
			}
		} finally {
			closeSync(fd);
		}
		return bytes;
	}

	stream(file: FileBytes): Readable {
		if (file.size === 0) return Readable.from([]);
		return createReadStream(file.path, { start: file.start, end: file.start + file.size - 1 });
	}

	/** Forgets every upload and file and deletes their bytes. */
	reset(): void {
		this.uploads.clear();
		this.files.clear();
		this.issued = 0;
		for (const name of readdirSync(this.dir)) rmSync(join(this.dir, name), { force: true });
	}

	close(): void {
		this.uploads.clear();
		this.files.clear();
		rmSync(this.dir, { recursive: true, force: true });
	}

	/**
	 * The first part named `file` with a file name: its headers read from disk after the boundary
	 * the scanner found, its bytes up to the next boundary.
	 */
	private filePart(path: string, delimiters: number[], length: number): FileBytes | undefined {
		if (delimiters.length < 2) return undefined;
		const fd = openSync(path, 'r');
		try {
			for (let index = 0; index + 1 < delimiters.length; index++) {
				const after = delimiters[index] + length;
				const end = delimiters[index + 1];
				const head = Buffer.alloc(Math.min(16 * 1024, Math.max(0, end - after)));
				readSync(fd, head, 0, head.length, after);
				const headersEnd = head.indexOf('\r\n\r\n');
				if (head.subarray(0, 2).toString('latin1') !== '\r\n' || headersEnd < 0) continue;
				const headers = parseHeaders(head.subarray(2, headersEnd).toString('utf8'));
				const disposition = headers['content-disposition'] ?? '';
				const name = param(disposition, 'name');
				const filename = extendedParam(disposition, 'filename') ?? param(disposition, 'filename');
				if (name !== 'file' || filename === undefined) continue;
				const start = after + headersEnd + 4;
				return {
					path,
					start,
					size: end - start,
					name: filename,
					contentType: headers['content-type']?.trim() || 'application/octet-stream',
				};
			}
			return undefined;
		} finally {
			closeSync(fd);
		}
	}
}

/**
 * Finds multipart delimiters (`CRLF--boundary`) in a body fed chunk by chunk, across chunk edges.
 * The body is scanned as if it began with CRLF, so the first boundary (at offset 0, no CRLF before
 * it) is found at offset -2. `found` holds body offsets of each delimiter's CRLF.
 */
class DelimiterScanner {
	readonly found: number[] = [];

	private tail = Buffer.from('\r\n', 'latin1');

	private tailStart = -2;

	constructor(readonly delimiter: Buffer) {}

	push(chunk: Buffer): void {
		const buffer = Buffer.concat([this.tail, chunk]);
		let from = 0;
		for (let index = buffer.indexOf(this.delimiter); index >= 0; index = buffer.indexOf(this.delimiter, from)) {
			this.found.push(this.tailStart + index);
			from = index + this.delimiter.length;
		}
		const keep = Math.min(buffer.length - from, this.delimiter.length - 1);
		this.tail = Buffer.from(buffer.subarray(buffer.length - keep));
		this.tailStart += buffer.length - keep;
	}
}

function boundaryOf(contentType: string): string | undefined {
	const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return match ? (match[1] ?? match[2]) : undefined;
}

function parseHeaders(text: string): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const line of text.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	return headers;
}

/** `name="value"` (or unquoted) in a Content-Disposition; UTF-8 bytes are allowed in the quotes, as browsers send them. */
function param(header: string, name: string): string | undefined {
	const match = new RegExp(`(?:^|;)\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(header);
	if (!match) return undefined;
	return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].trim();
}

/** RFC 5987 `name*=UTF-8''percent-encoded`. */
function extendedParam(header: string, name: string): string | undefined {
	const match = new RegExp(`(?:^|;)\\s*${name}\\*=([^']*)'[^']*'([^;]*)`, 'i').exec(header);
	if (!match) return undefined;
	try {
		return decodeURIComponent(match[2].trim());
	} catch {
		return undefined;
	}
}
