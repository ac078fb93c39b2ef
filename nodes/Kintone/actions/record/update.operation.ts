import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import { appLocator, fieldMapper, revisionOption, writeOptions, keepFilesOption } from '../descriptions';
import type { WriteOperation } from './write';
import { keyOf, writeUpdates, writtenRecord } from './write';

const properties: INodeProperties[] = [appLocator, ...fieldMapper('update'), writeOptions([keepFilesOption, revisionOption])];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['update'] } }, properties);

/** PUT /k/v1/records.json: `{app, records: [{id | updateKey, revision?, record}]}` → `{records: [{id, revision}]}`. */
export const updateRecords: WriteOperation = {
	method: 'PUT',
	action: 'update',
	keysNameRecords: true,
	// Setting the same values again changes nothing, unless a revision check would now fail.
	idempotent: (records) => records.every((record) => record.revision === undefined),
	payload: (app, records) => ({ app, records: records.map((record) => record.entry) }),
	results: (answer, records) => {
		const results = (answer.records ?? []) as IDataObject[];
		return records.map((record, index) =>
			writtenRecord({ ...keyOf(record), id: results[index]?.id, revision: results[index]?.revision }, record.entry.record as IDataObject),
		);
	},
};

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	return await writeUpdates(this, client, target, updateRecords);
}
