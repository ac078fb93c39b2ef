import type { ILoadOptionsFunctions } from 'n8n-workflow';

import type { ServiceClient } from '../../shared/client';
import { asNodeError } from '../../shared/errors';
import type { KintoneTarget } from '../transport';
import { createClient, targetOf } from '../transport';
import type { FormFields } from '../transport/fields';
import { fetchFormFields } from '../transport/fields';

/** A client for the editor's dropdowns and field lists. */
export async function editorClient(ctx: ILoadOptionsFunctions): Promise<ServiceClient> {
	return await createClient(ctx);
}

/** The app and guest space the editor's current parameters point at. */
function editorTarget(ctx: ILoadOptionsFunctions): KintoneTarget {
	return targetOf(ctx, ctx.getNodeParameter('app', '', { extractValue: true }), ctx.getNodeParameter('options.guestSpaceId', ''));
}

/** The app's form, or why it cannot be read, as one sentence with kintone's code and message and the fix. */
export type EditorForm = { target: KintoneTarget; form: FormFields } | { problem: string };

/**
 * The form of the chosen app for the field lists; undefined, without a request, while no app is
 * chosen. A wrong app or guest space, a refused credential or an unreachable domain come back as
 * `problem`, for the editor to show rather than an empty or stale list.
 */
export async function editorForm(ctx: ILoadOptionsFunctions): Promise<EditorForm | undefined> {
	if (String(ctx.getNodeParameter('app', '', { extractValue: true }) ?? '').trim() === '') return undefined;
	try {
		const target = editorTarget(ctx);
		return { target, form: await fetchFormFields(await editorClient(ctx), target) };
	} catch (error) {
		// The node's own errors already say what failed and, in the description, what to do.
		const { message, description } = asNodeError(ctx, error);
		return { problem: `${sentence(message)}${description ? ` ${description}` : ''}` };
	}
}

/** Text ending with a full stop, not two. */
function sentence(text: string): string {
	const trimmed = text.trim();
	return /[.。!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** Text for a notice, which n8n renders as HTML: kintone's messages may hold `<Space ID>`. */
export function noticeText(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
