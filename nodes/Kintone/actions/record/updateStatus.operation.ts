import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import type { ServiceClient } from '../../../shared/client';
import { RecordInputError } from '../../../shared/errors';
import type { RecordOutcome } from '../../../shared/results';
import { failed } from '../../../shared/results';
import { writeBatches } from '../../../shared/batchEndpoint';
import type { KintoneTarget } from '../../transport';
import { kintoneRequest } from '../../transport';
import type { FormFields } from '../../transport/fields';
import { canBeUpdateKey, fetchFormFields, RECORD_ID } from '../../transport/fields';
import { toKeyValue } from '../../transport/convert';
import { appLocator, recordIdParameter, revisionOption, writeOptions } from '../descriptions';
import type { Probe } from './blame';
import { expectedRevision, recordIdOf } from './mapping';
import type { KintoneRecord } from './read';
import { looseKeyText, RecordReader } from './read';
import type { RecordWrite, WriteOperation } from './write';
import { recordWrite, writtenRecord } from './write';

const properties: INodeProperties[] = [
	appLocator,
	{
		displayName: 'Find Records By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Record ID', value: 'id', description: 'The record ID, as Get Many returns it' },
			{ name: 'Unique Field', value: 'key', description: 'A Text or Number field with "Prohibit duplicate values" turned on' },
		],
		default: 'id',
	},
	recordIdParameter('The ID of the record whose status changes, per item', { show: { findBy: ['id'] } }),
	{
		displayName: 'Unique Field Name or ID',
		name: 'keyField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getUniqueFields', loadOptionsDependsOn: ['app.value', 'options.guestSpaceId'] },
		default: '',
		required: true,
		displayOptions: { show: { findBy: ['key'] } },
		description:
			'The field that names each record. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Unique Field Value',
		name: 'keyValue',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { findBy: ['key'] } },
		placeholder: '={{ $json.code }}',
		description: 'The value of the unique field of the record whose status changes, per item',
	},
	{
		displayName: 'Action Name or ID',
		name: 'action',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getActions', loadOptionsDependsOn: ['app.value', 'options.guestSpaceId'] },
		default: '',
		required: true,
		description:
			'The process management action to run, as its button is named in kintone; each record must be in a status the action starts from. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Assignee',
		name: 'assignee',
		type: 'string',
		default: '',
		placeholder: 'sato',
		description:
			'Login name of the next assignee, when the next status has the assignee chosen from a list. Empty: kintone assigns as the process says.',
	},
	writeOptions([revisionOption]),
];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['updateStatus'] } }, properties);

/** kintone's process management settings, from `GET /k/v1/app/status.json`. */
interface ProcessSettings {
	enable?: boolean;
	actions?: Array<{ name: string; from: string; to: string }>;
}

/**
 * PUT /k/v1/records/status.json: `{app, records: [{id, action, assignee?, revision?}]}` (up to 100,
 * all or nothing) → `{records: [{id, revision}]}`
 * (https://kintone.dev/en/docs/kintone/rest-api/records/update-statuses).
 */
export function updateStatuses(app: AppReads): WriteOperation {
	return {
		method: 'PUT',
		endpoint: 'records/status',
		action: 'update',
		keysNameRecords: true,
		// A replay would run the action again, from the status the first run left.
		idempotent: () => false,
		payload: (app, records) => ({ app, records: records.map((record) => record.entry) }),
		results: (answer, records) => {
			const results = (answer.records ?? []) as IDataObject[];
			return records.map((record, index) => {
				const { action, assignee } = record.entry;
				return writtenRecord({ ...keyOf(record), id: results[index]?.id ?? record.id, revision: results[index]?.revision, action, ...(assignee ? { assignee } : {}) }, undefined);
			});
		},
		probe: (client, target) => statusProbe(client, target, app),
	};
}

/** The unique field a record was looked up by, as `{field: value}`. */
function keyOf(record: RecordWrite): IDataObject {
	return record.updateKey ? { [record.updateKey.field]: record.updateKey.value } : {};
}

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	const app = appReads(client, target);
	const byKey = this.getNodeParameter('findBy', 0, 'id') === 'key';
	const keyField = byKey ? await uniqueField(this, await app.form()) : undefined;
	const write = recordWrite(this, client, target, updateStatuses(app));
	const reader = new RecordReader(client, target);
	return await writeBatches<RecordWrite>(this, client, {
		...write,
		// Records named by a unique field get their IDs first: status.json takes record IDs only.
		around: keyField ? async (batch, send) => await withIds(reader, keyField, batch, send) : write.around,
		prepare: (itemIndex) => statusEntry(this, itemIndex, keyField),
	});
}

/** What the run reads about the app at most once, and only when it needs it. */
interface AppReads {
	form(): Promise<FormFields>;
	process(): Promise<ProcessSettings>;
}

function appReads(client: ServiceClient, target: KintoneTarget): AppReads {
	let form: Promise<FormFields> | undefined;
	let process: Promise<ProcessSettings> | undefined;
	return {
		form: async () => await (form ??= fetchFormFields(client, target)),
		process: async () =>
			await (process ??= client.read<ProcessSettings>(
				kintoneRequest(client, target, { method: 'GET', endpoint: 'app/status', qs: { app: target.app } }),
				`Could not read the process management settings of app ${target.app}`,
			)),
	};
}

/** The unique field chosen under "Unique Field", checked against the app's form. */
async function uniqueField(ctx: IExecuteFunctions, form: FormFields): Promise<string> {
	const code = String(ctx.getNodeParameter('keyField', 0, '') ?? '').trim();
	const field = form[code];
	if (!field || !canBeUpdateKey({ ...field, code })) {
		throw new RecordInputError(
			field
				? `"${code}" cannot name records: choose a Text or Number field with "Prohibit duplicate values" turned on, or find records by record ID`
				: `The app has no field "${code}"; choose the unique field from the list`,
			'keyField',
		);
	}
	return code;
}

/** One item's status change: which record, the action, and the assignee and revision when given. */
function statusEntry(ctx: IExecuteFunctions, itemIndex: number, keyField: string | undefined) {
	const action = String(ctx.getNodeParameter('action', itemIndex, '') ?? '').trim();
	if (action === '') throw new RecordInputError('Choose the action to run', 'action');
	const assignee = String(ctx.getNodeParameter('assignee', itemIndex, '') ?? '').trim();
	const revision = expectedRevision(ctx, itemIndex);
	const entry: IDataObject = { action, ...(assignee ? { assignee } : {}), ...(revision !== undefined ? { revision } : {}) };
	if (keyField) {
		const value = toKeyValue({ type: 'SINGLE_LINE_TEXT', code: keyField }, ctx.getNodeParameter('keyValue', itemIndex, ''), keyField);
		return { key: `${keyField} = "${value}"`, payload: { entry, updateKey: { field: keyField, value }, revision } };
	}
	const id = recordIdOf(ctx.getNodeParameter('recordId', itemIndex, ''), 'Record ID');
	return { key: `id ${id}`, payload: { entry: { id, ...entry }, id, revision } };
}

type Send = (records: Array<PendingRecord<RecordWrite>>) => Promise<RecordOutcome[]>;

/** Looks the batch's records up by their unique field (one read), then sends those found, by ID. */
async function withIds(reader: RecordReader, keyField: string, batch: Array<PendingRecord<RecordWrite>>, send: Send): Promise<RecordOutcome[]> {
	const found = await reader.withKeys(keyField, batch.map((record) => record.payload.updateKey!.value), [RECORD_ID, keyField]);
	const ids = new Map(found.map((record) => [looseKeyText(record[keyField]?.value), String(record[RECORD_ID]?.value)]));
	const missing = new Map<PendingRecord<RecordWrite>, RecordOutcome>();
	const ready = batch.filter((record) => {
		const id = ids.get(looseKeyText(record.payload.updateKey!.value));
		if (id === undefined) {
			missing.set(record, failed(record.itemIndex, { message: `No record of this app has ${record.key}, so no status was changed`, outcome: 'notSent', fields: [keyField] }, record.key));
			return false;
		}
		record.payload.id = id;
		record.payload.entry = { id, ...record.payload.entry };
		return true;
	});
	const sent = ready.length ? await send(ready) : [];
	// One outcome per record, in the batch's order.
	return batch.map((record) => missing.get(record) ?? sent[ready.indexOf(record)]);
}

/**
 * kintone refuses a whole request when one record's status does not offer the action (GAIA_IL03)
 * and does not say which: the records are read, and those whose current status no action of that
 * name starts from are the ones at fault.
 */
function statusProbe(client: ServiceClient, target: KintoneTarget, app: AppReads): Probe {
	return async (records, code) => {
		if (code !== 'GAIA_IL03') return undefined;
		const ids = records.map((record) => record.id).filter((id): id is string => id !== undefined);
		let statusField: string | undefined;
		let actions: NonNullable<ProcessSettings['actions']>;
		let current: KintoneRecord[];
		try {
			statusField = Object.entries(await app.form()).find(([, field]) => field.type === 'STATUS')?.[0];
			if (!statusField || ids.length === 0) return undefined;
			actions = (await app.process()).actions ?? [];
			current = await new RecordReader(client, target).page({ query: `$id in (${ids.join(', ')})`, fields: [RECORD_ID, statusField], max: ids.length });
		} catch (error) {
			// Without it the refusal is still reported, only without naming the record.
			client.ctx.logger.warn(`kintone: could not check which record's status refused the action: ${(error as Error).message}`);
			return undefined;
		}
		const statusOf = new Map(current.map((record) => [String(record[RECORD_ID]?.value), String(record[statusField!]?.value ?? '')]));
		return records.flatMap((record, position) => {
			const status = statusOf.get(record.id ?? '');
			const offered = actions.some((action) => action.name === record.entry.action && action.from === status);
			return offered ? [] : [position];
		});
	};
}
