import type { INodeProperties } from 'n8n-workflow';

import { dryRunOption } from '../../../shared/descriptions';
import { batchSizeOption, columnsFor, optionsFor } from '../descriptions';
import type { MappedWrite } from './write';
import { mappedWriteOperation } from './write';
import { uniqueFieldReadBack } from './readBack';

const uniqueFieldOption: INodeProperties = {
	// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options
	displayName: 'Unique Field for Lost Answers',
	name: 'uniqueField',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getUniqueFieldCandidates', loadOptionsDependsOn: ['namespace', 'objectApiName.value'] },
	default: '',
	hint: 'When an answer is lost, records found by this field are reported created and missing ones sent again; without it they are "outcome unknown"',
	description:
		'A field whose values aPaaS keeps unique (set to unique in the object), which every item sets. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const description: INodeProperties[] = [...columnsFor('create'), optionsFor('create', [batchSizeOption, uniqueFieldOption, dryRunOption])];

/**
 * POST .../records/batch_create. Never resent blindly when its outcome is unknown (that could
 * duplicate records): with a Unique Field for Lost Answers, the records are read back by it first.
 */
export const createRecords: MappedWrite = {
	action: 'batch_create',
	method: 'POST',
	idempotent: false,
	// Feishu assigns the ID; an `_id` carried over from another record must not be sent.
	neverSent: ['_id'],
	// Messages name the item already: "Item 3 (new record): ...".
	prepare: (fields) => ({ key: 'new record', payload: fields }),
	onSuccess: (record, result) => ({ _id: result.id, ...record.payload }),
	lostAnswers: uniqueFieldReadBack,
};

export const execute = mappedWriteOperation(createRecords);
