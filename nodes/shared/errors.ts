import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { HttpResponse, RequestContext } from './request';
import type { RecordFailure } from './results';

/** An input that cannot become a record; names the field when one is to blame. */
export class RecordInputError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'RecordInputError';
	}
}

/** Errors of the nodes reach n8n as NodeApiError or NodeOperationError, with the item they belong to. */
export function asNodeError(
	ctx: RequestContext,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

export type RequestFailureKind =
	/** The request may or may not have been applied (timeout, reset, 5xx on a non-idempotent write). */
	| 'outcomeUnknown'
	/** The service kept refusing the request (rate limits, unreachable) until the retry budget ran out. */
	| 'retriesExhausted';

/** A request that did not produce a usable answer. Never carries credentials or headers. */
export class RequestFailedError extends Error {
	constructor(
		message: string,
		readonly kind: RequestFailureKind,
		readonly attempts: number,
		readonly response?: HttpResponse,
		readonly networkCode?: string,
	) {
		super(message);
		this.name = 'RequestFailedError';
	}
}

/** The failure of every record of a request that threw (RequestFailedError or another error). */
export function batchFailure(error: unknown): RecordFailure {
	if (error instanceof RequestFailedError) {
		return {
			message: error.message,
			outcome: error.kind === 'outcomeUnknown' ? 'unknown' : 'failed',
			httpCode: error.response ? String(error.response.statusCode) : error.networkCode,
		};
	}
	const { message, httpCode } = error as { message?: string; httpCode?: string | null };
	return { message: message ?? String(error), outcome: 'failed', httpCode: httpCode ?? undefined };
}
