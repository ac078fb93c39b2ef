import type { IDataObject } from 'n8n-workflow';

import type { HttpResponse } from './request';

// Codes for which the request certainly never reached the server.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What one attempt brought back: an HTTP answer, or no answer and why. */
export interface Attempt {
	response?: HttpResponse;
	/** Set when no HTTP answer came back. */
	networkCode?: string;
}

/** A 5xx, a timeout or a dropped connection leaves open whether the service applied the request. */
export function mayHaveBeenApplied({ response, networkCode }: Attempt): boolean {
	if (response) return response.statusCode >= 500;
	return !(networkCode && NOT_SENT_CODES.has(networkCode));
}

/**
 * Reads what n8n's helper threw: an HTTP answer (wrapped in NodeApiError) or a network failure.
 * Anything else (a credential that cannot authenticate, a cancelled execution) is not a transport
 * outcome and is thrown on unchanged.
 */
export function fromThrown(error: unknown): Attempt {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	for (const candidate of candidates) {
		const axiosResponse = (candidate as { response?: AxiosLikeResponse })?.response;
		if (axiosResponse && typeof axiosResponse.status === 'number') {
			return {
				response: {
					statusCode: axiosResponse.status,
					headers: (axiosResponse.headers ?? {}) as IDataObject,
					body: axiosResponse.data,
				},
			};
		}
	}
	for (const candidate of candidates) {
		const code = (candidate as { code?: unknown })?.code;
		if (typeof code === 'string' && NETWORK_CODE.test(code) && code !== 'ERR_CANCELED') {
			return { networkCode: code };
		}
	}
	throw error;
}

// Node's socket errors (ECONNRESET, ETIMEDOUT, ...) and axios' own (ECONNABORTED, ERR_NETWORK, ...).
const NETWORK_CODE = /^(E[A-Z]+|ERR_[A-Z_]+)$/;

interface AxiosLikeResponse {
	status: number;
	headers?: unknown;
	data?: unknown;
}

export function describe({ response, networkCode }: Attempt): string {
	if (!response) return `No answer from the service (${networkCode})`;
	if (response.statusCode === 429) return 'The service answered 429 Too Many Requests';
	return `The service answered HTTP ${response.statusCode}`;
}
