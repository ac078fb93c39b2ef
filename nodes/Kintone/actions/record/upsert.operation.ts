import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import { appLocator, fieldMapper, revisionOption, writeOptions, keepFilesOption } from '../descriptions';
import type { WriteOperation } from './write';
import { keyOf, writeUpdates, writtenRecord } from './write';

const properties: INodeProperties[] = [appLocator, ...fieldMapper('upsert'), writeOptions([keepFilesOption, revisionOption])];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['upsert'] } }, properties);

/** PUT /k/v1/records.json with `upsert: true`: records not found are added; each answer says which. */
export const upsertRecords: WriteOperation = {
	method: 'PUT',
	action: 'create or update',
	keysNameRecords: true,
	// A replay after an unknown outcome could add a record twice (an unknown ID inserts a new record).
	idempotent: () => false,
	payload: (app, records) => ({ app, upsert: true, records: records.map((record) => record.entry) }),
	results: (answer, records) => {
		const results = (answer.records ?? []) as IDataObject[];
		return records.map((record, index) =>
			writtenRecord(
				{
					// The key first: a unique field coded "id" must not hide kintone's record ID.
					...keyOf(record),
					id: results[index]?.id,
					revision: results[index]?.revision,
					operation: results[index]?.operation === 'INSERT' ? 'inserted' : 'updated',
				},
				record.entry.record as IDataObject,
			),
		);
	},
};

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	return await writeUpdates(this, client, target, upsertRecords);
}
