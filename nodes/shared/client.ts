import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestMethods,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError, RequestFailedError } from './errors';
import type { HttpResponse, RequestContext, ServiceRules } from './request';
import { sendRequest, withCredentialData } from './request';
import type { Nouns, RecordFailure } from './results';
import type { RetryBudget } from './retry';
import { retryBudgetFor } from './retry';
import { BUSY } from './concurrency';
import type { RateWindow } from './throttle';
import { Throttle } from './throttle';
import type { MultipartBody } from './upload';

/** What a service said about a request it did not accept, and what to do about it. */
export interface ServiceError {
	code?: string;
	message: string;
	hint?: string;
	httpCode: string;
}

/**
 * Everything the engine needs to know about one service; each node has one. The engine itself
 * knows no service: a profile is where a node says how its service answers.
 */
export interface ServiceProfile {
	/** How messages name the service, e.g. "kintone". */
	name: string;
	/** What messages call the service's fields and records, e.g. columns and rows; default fields and records. */
	nouns?: Nouns;
	/** Credential type, rate-limit answers, token expiry. */
	rules: ServiceRules;
	/** Where the credential points: the API's base URL, or what to fix in the credential. */
	baseUrl(credentials: ICredentialDataDecryptedObject): { url: string } | { problem: string };
	/** Said under a base URL problem, e.g. which credential to open. */
	credentialHint?: string;
	/** The service's documented request rates (per second, per minute); none: only its 429 hints pace requests. */
	rateWindows?: readonly RateWindow[];
	/**
	 * Whether the credential stays the same during a run (an API token, a password): then it is
	 * decrypted once for the run, not by n8n for every request.
	 */
	fixedCredential?: boolean;
	/** Whether the service accepted the request as a whole. */
	isSuccess(response: HttpResponse): boolean;
	/** The service's own code and message in an answer it did not accept. */
	errorOf(response: HttpResponse): { code?: string; message: string };
	/** What to do about the errors people meet most, by the service's code. */
	hints: Readonly<Record<string, string>>;
	/** Headers every request carries. */
	headers?: Readonly<Record<string, string>>;
	/** The part of an accepted answer that reads return (Feishu's `data`); the body when absent. */
	unwrap?(body: unknown): unknown;
	/**
	 * The service's limit on concurrent requests and how many are running, as an answer reports
	 * them (kintone's `X-ConcurrencyLimit-Limit` and `-Running`); undefined when it does not say.
	 */
	concurrency?(response: HttpResponse): { running: number; limit: number } | undefined;
}

/** One request, relative to the client's base URL. */
export interface ServiceRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	/** JSON, or one file streamed as multipart/form-data. */
	body?: IDataObject | MultipartBody;
	headers?: Record<string, string>;
	/** `stream`: the answer's body comes back unread, as a stream (file downloads); JSON otherwise. */
	encoding?: 'stream';
}

export interface ClientSettings {
	baseUrl: string;
	timeoutMs: number;
	throttle?: Throttle;
	retry?: RetryBudget;
	/** Credential data decrypted once per run, for credentials that do not change during one. */
	credentialOptions?: IAdditionalCredentialOptions;
}

/**
 * One execution's connection to one service, built once by the node's router and handed to every
 * operation: the base URL, one throttle, the retry budget and the service's profile.
 */
export class ServiceClient {
	/**
	 * Answers so far that asked to slow down: rate limits, or BUSY of the service's concurrent
	 * requests running. Adaptive concurrency watches it.
	 */
	pressure = 0;

	/** The service's limit on concurrent requests, once an answer said it. */
	concurrencyLimit?: number;

	constructor(
		readonly ctx: RequestContext,
		readonly profile: ServiceProfile,
		readonly settings: ClientSettings,
	) {}

	get baseUrl(): string {
		return this.settings.baseUrl;
	}

	/**
	 * Sends one request with the engine's throttling and retries; answers the service did not accept
	 * come back for the caller to read. `idempotent`: sending it twice leaves the same result, so a
	 * lost answer may be retried.
	 */
	async send<T = unknown>(request: ServiceRequest, idempotent: boolean): Promise<HttpResponse<T>> {
		const { settings, profile } = this;
		const response = await sendRequest<T>(
			this.ctx,
			profile.rules,
			{
				method: request.method,
				url: `${settings.baseUrl}${request.path}`,
				qs: request.qs,
				// n8n's HTTP helper hands a Blob-shaped body to axios as it is (see MultipartBody).
				body: request.body as IDataObject | undefined,
				json: request.encoding === undefined,
				encoding: request.encoding,
				timeout: settings.timeoutMs,
				headers: { ...profile.headers, ...request.headers },
			},
			{
				idempotent,
				throttle: settings.throttle,
				retry: settings.retry,
				credentialOptions: settings.credentialOptions,
				onRateLimited: () => this.pressure++,
			},
		);
		const concurrency = profile.concurrency?.(response);
		if (concurrency && concurrency.limit > 0 && concurrency.running >= 0) {
			this.concurrencyLimit = concurrency.limit;
			if (concurrency.running >= BUSY * concurrency.limit) this.pressure++;
		}
		return response;
	}

	isSuccess(response: HttpResponse): boolean {
		return this.profile.isSuccess(response);
	}

	/** The service's code, message and hint for an answer it did not accept. */
	describe(response: HttpResponse): ServiceError {
		const { code, message } = this.profile.errorOf(response);
		return { code, message, hint: code ? this.profile.hints[code] : undefined, httpCode: String(response.statusCode) };
	}

	/** The failure of the records of a request the service refused as a whole: its code, message and hint. */
	refusal(response: HttpResponse): RecordFailure {
		const { code, message, hint, httpCode } = this.describe(response);
		return {
			message: `${this.profile.name} refused the request${code ? ` (code ${code})` : ''}: ${message}${hint ? `. ${hint}` : ''}`,
			outcome: 'failed',
			code,
			serviceMessage: message,
			httpCode,
		};
	}

	/**
	 * For reads and metadata: the answer's payload when the service accepted the request, otherwise
	 * a NodeApiError saying what was being done, the service's code and message, and what to do.
	 * A read is safe to resend unless it moves something on (a cursor): then `idempotent` is false.
	 */
	async read<T = IDataObject>(request: ServiceRequest, doing: string, itemIndex?: number, idempotent = true): Promise<T> {
		let response: HttpResponse;
		try {
			response = await this.send(request, idempotent);
		} catch (error) {
			if (!(error instanceof RequestFailedError)) throw asNodeError(this.ctx, error, itemIndex);
			throw new NodeApiError(this.ctx.getNode(), { message: error.message } as JsonObject, {
				message: `${doing}: ${error.message}`,
				itemIndex,
				httpCode: error.response ? String(error.response.statusCode) : undefined,
			});
		}
		if (this.isSuccess(response)) {
			return (this.profile.unwrap ? this.profile.unwrap(response.body) : response.body) as T;
		}
		const { code, message, hint, httpCode } = this.describe(response);
		// The service's own error body when it gave one; a gateway's page or body is not passed on.
		const body = code !== undefined ? response.body : { message };
		throw new NodeApiError(this.ctx.getNode(), body as JsonObject, {
			message: `${doing}: ${code ? `[${code}] ` : ''}${message}`,
			description: hint,
			httpCode,
			itemIndex,
		});
	}
}

/** The options of every operation that shape its client (Timeout, Max Wait on Rate Limits, Throttle Requests). */
export interface ClientOptions {
	timeout?: number;
	/** "Max Wait on Rate Limits", in seconds. */
	rateLimitWait?: unknown;
	/** Off: the service's documented rates are not kept (its 429 answers are still waited out). */
	throttle?: boolean;
}

/** How long a request waits for its answer unless the operation's Timeout option says otherwise. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** The client of one run (or one editor call), from the node's profile, its credential and the options. */
export async function openClient(
	ctx: RequestContext,
	profile: ServiceProfile,
	options: ClientOptions = {},
): Promise<ServiceClient> {
	const credentials = await ctx.getCredentials(profile.rules.credentialType);
	const base = profile.baseUrl(credentials);
	if ('problem' in base) throw new NodeOperationError(ctx.getNode(), base.problem, { description: profile.credentialHint });
	return new ServiceClient(ctx, profile, {
		baseUrl: base.url,
		timeoutMs: options.timeout && options.timeout > 0 ? options.timeout : DEFAULT_TIMEOUT_MS,
		// Even without documented rates, a throttle lets one 429's hint pause every request of the run.
		throttle: options.throttle === false ? undefined : new Throttle(profile.rateWindows ?? []),
		retry: retryBudgetFor(options.rateLimitWait),
		credentialOptions: profile.fixedCredential
			? withCredentialData(ctx, profile.rules.credentialType, credentials)
			: undefined,
	});
}
