import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import { appLocator, fieldMapper, revisionOption, writeOptions, keepFilesOption } from '../descriptions';
import { updateKeyReadBack } from './readBack';
import type { WriteOperation } from './write';
import { keyOf, writeUpdates, writtenRecord } from './write';

const properties: INodeProperties[] = [appLocator, ...fieldMapper('upsert'), writeOptions([keepFilesOption, revisionOption])];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['upsert'] } }, properties);

/** PUT /k/v1/records.json with `upsert: true`: records not found are added; each answer says which. */
export const upsertRecords: WriteOperation = {
	method: 'PUT',
	action: 'create or update',
	keysNameRecords: true,
	// By update key, a replay lands on the record the first attempt added or changed: the record ends
	// the same (unless a revision is checked: a replay would then be refused). By record ID, a replay
	// after an unknown outcome could add a record twice (an unknown ID inserts a new record).
	idempotent: (records) => records.every((record) => record.updateKey !== undefined && record.revision === undefined),
	payload: (app, records) => ({ app, upsert: true, records: records.map((record) => record.entry) }),
	results: (answer, records, afterLostAnswer) => {
		const results = (answer.records ?? []) as IDataObject[];
		return records.map((record, index) =>
			writtenRecord(
				{
					// The key first: a unique field coded "id" must not hide kintone's record ID.
					...keyOf(record),
					id: results[index]?.id,
					revision: results[index]?.revision,
					operation: operationOf(results[index]?.operation, afterLostAnswer),
				},
				record.entry.record as IDataObject,
			),
		);
	},
};

/**
 * What kintone did to the record. A resend after a lost answer that updated the record cannot tell
 * whether the lost attempt had inserted it; an insert by the resend means the lost attempt did not.
 */
function operationOf(operation: unknown, afterLostAnswer: boolean | undefined): string {
	if (operation === 'INSERT') return 'inserted';
	return afterLostAnswer ? 'inserted or updated' : 'updated';
}

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	return await writeUpdates(this, client, target, upsertRecords, (mapping) => updateKeyReadBack(client, target, mapping));
}
