import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { appLocator, fieldMapper, revisionOption, writeOptions } from '../descriptions';
import { expectedRevision, itemValues, readFieldMapping, recordTarget, toRecord } from './mapping';
import type { RecordWrite, WriteOperation } from './write';
import { readWriteSettings, writeRecords } from './write';

const properties: INodeProperties[] = [appLocator, fieldMapper('update'), writeOptions([revisionOption])];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['update'] } }, properties);

/** PUT /k/v1/records.json: `{app, records: [{id | updateKey, revision?, record}]}` → `{records: [{id, revision}]}`. */
export const updateRecords: WriteOperation = {
	method: 'PUT',
	keysNameRecords: true,
	// Setting the same values again changes nothing, unless a revision check would now fail.
	idempotent: (records) => records.every((record) => record.revision === undefined),
	payload: (app, records) => ({ app, records: records.map((record) => record.entry) }),
	results: (answer, records) => {
		const results = (answer.records ?? []) as IDataObject[];
		return records.map((_, index): IDataObject => ({ id: results[index]?.id, revision: results[index]?.revision }));
	},
};

/** One item as an update (or upsert) entry: which record, the expected revision and the new values. */
export function prepareUpdate(
	ctx: IExecuteFunctions,
	mapping: Awaited<ReturnType<typeof readFieldMapping>>,
	itemIndex: number,
): { key: string; payload: RecordWrite; ignored?: string[] } {
	const values = itemValues(ctx, mapping, itemIndex);
	const { key, id, updateKey } = recordTarget(mapping, values);
	const revision = mapping.checkRevision ? expectedRevision(ctx, itemIndex) : undefined;
	const entry: IDataObject = id !== undefined ? { id } : { updateKey };
	if (revision !== undefined) entry.revision = revision;
	const { record, ignored } = toRecord(mapping, values);
	entry.record = record;
	return { key, payload: { entry, id, updateKey, revision }, ignored };
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const settings = await readWriteSettings(this);
	const mapping = await readFieldMapping(this, settings, 'update', true);
	return await writeRecords(this, settings, updateRecords, (itemIndex) => prepareUpdate(this, mapping, itemIndex));
}
