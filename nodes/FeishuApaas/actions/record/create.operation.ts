import type { INodeProperties } from 'n8n-workflow';

import { dryRunOption } from '../../../shared/descriptions';
import { batchSizeOption, columnsFor, optionsFor } from '../descriptions';
import type { MappedWrite } from './write';
import { mappedWriteOperation } from './write';

export const description: INodeProperties[] = [...columnsFor('create'), optionsFor('create', [batchSizeOption, dryRunOption])];

/** POST .../records/batch_create. Never resent when its outcome is unknown: that could duplicate records. */
export const createRecords: MappedWrite = {
	action: 'batch_create',
	method: 'POST',
	idempotent: false,
	// Feishu assigns the ID; an `_id` carried over from another record must not be sent.
	neverSent: ['_id'],
	// Messages name the item already: "Item 3 (new record): ...".
	prepare: (fields) => ({ key: 'new record', payload: fields }),
	onSuccess: (record, result) => ({ _id: result.id, ...record.payload }),
};

export const execute = mappedWriteOperation(createRecords);
