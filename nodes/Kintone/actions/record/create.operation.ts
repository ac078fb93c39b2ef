import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import { appLocator, fieldMapper, writeOptions } from '../descriptions';
import { itemRecord, itemValues, readFieldMapping } from './mapping';
import { uniqueFieldReadBack } from './readBack';
import type { WriteOperation } from './write';
import { writeRecords, writtenRecord } from './write';

const properties: INodeProperties[] = [appLocator, ...fieldMapper('add'), writeOptions([])];

export const description = updateDisplayOptions({ show: { resource: ['record'], operation: ['create'] } }, properties);

/** POST /k/v1/records.json: `{app, records}` → `{ids, revisions}` in the same order. */
export const createRecords: WriteOperation = {
	method: 'POST',
	action: 'create',
	keysNameRecords: false,
	// A replay would add the records twice; a lost answer is read back by a unique field instead (readBack.ts).
	idempotent: () => false,
	payload: (app, records) => ({ app, records: records.map((record) => record.entry) }),
	results: (answer, records) => {
		const ids = (answer.ids ?? []) as string[];
		const revisions = (answer.revisions ?? []) as string[];
		return records.map((record, index) => writtenRecord({ id: ids[index], revision: revisions[index] }, record.entry));
	},
};

export async function execute(
	this: IExecuteFunctions,
	client: ServiceClient,
	target: KintoneTarget,
): Promise<INodeExecutionData[]> {
	const mapping = await readFieldMapping(this, client, target, 'add', false);
	return await writeRecords(
		this,
		client,
		target,
		createRecords,
		(itemIndex) => {
			const { record, ignored, files } = itemRecord(this, mapping, itemIndex, itemValues(this, mapping, itemIndex));
			return { key: 'new record', payload: { entry: record, ...(files ? { files } : {}) }, ignored };
		},
		uniqueFieldReadBack(client, target, mapping),
	);
}
