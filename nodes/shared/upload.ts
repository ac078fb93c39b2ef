import { randomBytes } from 'node:crypto';

/** A file to send, read from the start each time a request carrying it is sent (a retry reads it again). */
export interface FileSource {
	name: string;
	mimeType: string;
	/** Its size in bytes, known before it is read. */
	bytes: number;
	read(): AsyncIterable<Uint8Array>;
}

/**
 * A `multipart/form-data` body of one file part, streamed: n8n's HTTP stack (axios) reads a Blob
 * through its `stream()`, chunk by chunk, so a file of any size goes out without being held in
 * memory. A community node may not import `node:stream` (n8n Cloud rules), and a real Blob would
 * hold the whole file; this object has the shape axios reads as a Blob, and nothing more.
 */
export class MultipartBody {
	readonly [Symbol.toStringTag] = 'Blob';

	readonly size: number;

	/** Axios sends it as the request's Content-Type. */
	readonly type: string;

	private readonly head: Buffer;

	private readonly tail: Buffer;

	constructor(
		part: string,
		private readonly file: FileSource,
	) {
		const boundary = `----n8nBulkRecords${randomBytes(12).toString('hex')}`;
		this.type = `multipart/form-data; boundary=${boundary}`;
		this.head = Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="${part}"; filename="${quoted(file.name)}"\r\nContent-Type: ${file.mimeType || 'application/octet-stream'}\r\n\r\n`,
			'utf8',
		);
		this.tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
		this.size = this.head.length + file.bytes + this.tail.length;
	}

	async *stream(): AsyncGenerator<Uint8Array> {
		yield this.head;
		let sent = 0;
		for await (const chunk of this.file.read()) {
			sent += chunk.length;
			yield chunk;
		}
		// The Content-Length was announced from the size: a file that changed since must not go out cut short or padded.
		if (sent !== this.file.bytes) throw new Error(`"${this.file.name}" holds ${sent} bytes, not the ${this.file.bytes} announced`);
		yield this.tail;
	}
}

/**
 * A file name inside the quoted `filename` parameter, as UTF-8 (kintone's upload page asks for
 * Japanese names in UTF-8): a quote or a line break cannot end it early.
 */
function quoted(name: string): string {
	// As browsers send it (RFC 7578, 4.2): a quote as %22, line breaks as spaces.
	return name.replace(/[\r\n]/g, ' ').replace(/"/g, '%22');
}
