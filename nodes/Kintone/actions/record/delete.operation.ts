import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import { appLocator, recordIdParameter, revisionOption, writeOptions } from '../descriptions';
import { expectedRevision, recordIdOf } from './mapping';
import type { WriteOperation } from './write';
import { writeRecords } from './write';

const properties: INodeProperties[] = [
	appLocator,
	recordIdParameter('The ID of the record to delete, per item'),
	writeOptions([revisionOption]),
];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['delete'] } }, properties);

/** DELETE /k/v1/records.json: `{app, ids, revisions?}` → `{}`. */
export const deleteRecords: WriteOperation = {
	method: 'DELETE',
	action: 'delete',
	keysNameRecords: true,
	// A replay of a delete that went through would fail with "record not found".
	idempotent: () => false,
	payload: (app, records) => {
		const payload: IDataObject = { app, ids: records.map((record) => record.id) };
		// -1 skips the check for records without an expected revision.
		if (records.some((record) => record.revision !== undefined)) {
			payload.revisions = records.map((record) => record.revision ?? '-1');
		}
		return payload;
	},
	results: (_answer, records) => records.map((record): IDataObject => ({ id: record.id, deleted: true })),
};

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	return await writeRecords(this, client, target, deleteRecords, (itemIndex) => {
		const id = recordIdOf(this.getNodeParameter('recordId', itemIndex, ''), 'Record ID');
		const revision = expectedRevision(this, itemIndex);
		return { key: `id ${id}`, payload: { entry: { id }, id, revision } };
	});
}
