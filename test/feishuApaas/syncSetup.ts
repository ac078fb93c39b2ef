import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FeishuApaasEmulator } from '../emulators/feishuApaas';
import type { RecordedRequest } from '../emulators/server';
import type { NodeRun } from '../harness/workflow';
import { NS, runApaas } from './setup';

/** An object with a field of every type Sync compares, a unique-in-practice `code` and a `region` to scope by. */
export const PRODUCTS = 'product__c';

export function defineProducts(emulator: FeishuApaasEmulator): void {
	emulator.defineObject(NS, PRODUCTS, [
		{ api_name: 'code', type: 'text', label: '编码' },
		{ api_name: 'name', type: 'text', label: '名称' },
		{ api_name: 'region', type: 'text', label: '区域' },
		{ api_name: 'price', type: 'decimal', label: '价格' },
		{ api_name: 'qty', type: 'number', label: '数量' },
		{ api_name: 'serial', type: 'bigint', label: '序列号' },
		{ api_name: 'active', type: 'boolean', label: '在售' },
		{ api_name: 'launch', type: 'date', label: '上市日期' },
		{ api_name: 'checked_at', type: 'dateTime', label: '盘点时间' },
		{ api_name: 'color', type: 'option', label: '颜色' },
		{ api_name: 'tags', type: 'multiOption', label: '标签' },
		{ api_name: 'owner', type: 'lookup', label: '负责人' },
		{ api_name: 'watchers', type: 'lookupMulti', label: '关注人' },
		{ api_name: 'title', type: 'multilingual', label: '标题' },
		{ api_name: 'manual', type: 'attachment', label: '说明书' },
		{ api_name: 'seq', type: 'autoNumber', label: '序号' },
	]);
}

const RECORDS = `/open-apis/apaas/v1/applications/${NS}/objects/${PRODUCTS}/records`;

/** Every request that writes records of the object: create, update, delete. */
export function writeRequests(emulator: FeishuApaasEmulator): RecordedRequest[] {
	return emulator.server.requests.filter((request) => /\/records\/batch_(create|update|delete)$/.test(request.path));
}

/** The queries Sync sent (its reads of the items' keys and of the scope). */
export function queries(emulator: FeishuApaasEmulator): IDataObject[] {
	return emulator.server.requests.filter((request) => request.path === `${RECORDS}/batch_query`).map((request) => request.body as IDataObject);
}

/**
 * Sync's parameters: the items' own fields (Map Automatically, no schema: values go as the items
 * hold them, so the node's comparison alone decides), matched by `matchOn`.
 */
export function syncParameters(matchOn = 'code', extra: IDataObject = {}): INodeParameters {
	return {
		operation: 'sync',
		objectApiName: PRODUCTS,
		columns: { mappingMode: 'autoMapInputData', value: null, matchingColumns: [matchOn], schema: [] },
		...extra,
	} as INodeParameters;
}

/** "Remove Records Not in Input" on, scoped to one region, with a safety limit. */
export function mirrorParameters(region: string, limit: IDataObject = { maxRemovedShare: 100 }): IDataObject {
	return {
		removeMissing: true,
		scope: { conditions: [{ field: 'region', operator: 'equal', value: region }] },
		...limit,
	};
}

export async function runSync(emulator: FeishuApaasEmulator, parameters: INodeParameters, items: IDataObject[], continueOnFail = true): Promise<NodeRun> {
	return await runApaas(emulator, parameters, items, { node: continueOnFail ? { onError: 'continueErrorOutput' } : {} });
}

export const jsonOf = (run: NodeRun, output = 0) => (run.outputs[output] ?? []).map((item) => item.json);

export const hintsOf = (run: NodeRun) => (run.run.data.resultData.runData['Node Under Test'][0].hints ?? []).map((hint) => hint.message);

/** Each stored record's write count and update time, by ID: what proves a record was not written. */
export function revisions(emulator: FeishuApaasEmulator): Map<string, string> {
	return new Map([...emulator.records(NS, PRODUCTS)].map(([id, record]) => [id, `${record.writes}@${record.updatedAt}`]));
}
