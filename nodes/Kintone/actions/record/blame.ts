import type { IDataObject } from 'n8n-workflow';

import type { PendingRecord } from '../../../shared/batching';
import type { ServiceClient } from '../../../shared/client';
import type { KintoneTarget } from '../../transport';
import { kintoneRequest } from '../../transport';
import type { KintoneErrorBody, RecordProblem } from '../../transport/errors';
import { KINTONE_CODES, problemsByRecord, recordIdsInMessage } from '../../transport/errors';
import { looseKeyText, queryText } from './read';
import type { RecordWrite } from './write';

/** The records of a refused request, as positions in the batch, with what kintone said about each. */
export type Blame = Map<number, RecordProblem | undefined>;

/**
 * For refusals kintone explains without naming a record (an action a record's status does not
 * offer): the positions of the records at fault, found by reading them; undefined when it cannot tell.
 */
export type Probe = (records: RecordWrite[], code: string) => Promise<number[] | undefined>;

/**
 * The records kintone blames: from the `records[N]` keys of `errors`, else the record IDs its message
 * names, else (revision conflict, record not found: kintone names no record) by reading the
 * records the request was about.
 */
export async function blamedRecords(
	client: ServiceClient,
	target: KintoneTarget,
	batch: Array<PendingRecord<RecordWrite>>,
	error: KintoneErrorBody,
	failing: { offset: number; size: number },
	probe?: Probe,
): Promise<Blame> {
	const blamed: Blame = new Map();
	const positions = Array.from({ length: failing.size }, (_, index) => failing.offset + index);
	for (const [index, problem] of problemsByRecord(error)) {
		if (index < failing.size) blamed.set(failing.offset + index, problem);
	}
	if (blamed.size > 0) return new Map([...blamed].sort(([a], [b]) => a - b));
	const ids = recordIdsInMessage(error.message);
	for (const position of positions) {
		if (ids.includes(batch[position].payload.id ?? '')) blamed.set(position, undefined);
	}
	const records = positions.map((position) => batch[position].payload);
	const probed = blamed.size > 0 ? undefined : await probe?.(records, error.code);
	if (blamed.size > 0 || (!probed && !PROBED_CODES.has(error.code))) return blamed;
	for (const position of probed ?? (await probeRecords(client, target, records, error.code))) {
		blamed.set(failing.offset + position, undefined);
	}
	return blamed;
}

const PROBED_CODES = new Set<string>([
	KINTONE_CODES.revisionConflict,
	KINTONE_CODES.recordNotFound,
	KINTONE_CODES.keyNotFound,
]);

interface CurrentRecord {
	$id?: { value?: string };
	$revision?: { value?: string };
	[code: string]: { value?: unknown } | undefined;
}

/**
 * Reads the records a refused request was about and returns the positions of those that explain the
 * refusal: a revision that is no longer current (GAIA_CO02), or no such record (GAIA_RE01 / RE20).
 */
async function probeRecords(
	client: ServiceClient,
	target: KintoneTarget,
	records: RecordWrite[],
	code: string,
): Promise<number[]> {
	const keyField = records.find((record) => record.updateKey)?.updateKey?.field;
	const ids = records.map((record) => record.id).filter((id): id is string => id !== undefined);
	const keys = records.map((record) => record.updateKey?.value).filter((key): key is string => key !== undefined);
	const conditions = [
		ids.length ? `$id in (${ids.join(', ')})` : '',
		keyField && keys.length ? `${keyField} in (${keys.map(queryText).join(', ')})` : '',
	].filter(Boolean);
	if (conditions.length === 0) return [];

	const qs: IDataObject = {
		app: target.app,
		query: `${conditions.join(' or ')} limit 500`,
		fields: ['$id', '$revision', ...(keyField ? [keyField] : [])],
	};
	let current: CurrentRecord[];
	try {
		const body = await client.read<{ records?: CurrentRecord[] }>(
			kintoneRequest(client, target, { method: 'GET', endpoint: 'records', qs }),
			'Could not check which record kintone refused',
		);
		current = body.records ?? [];
	} catch (error) {
		// Without it the failure is still reported, only without naming the record.
		client.ctx.logger.warn(`kintone: ${(error as Error).message}`);
		return [];
	}
	const byId = new Map(current.map((record) => [String(record.$id?.value), record]));
	const byKey = new Map(current.map((record) => [looseKeyText(keyField ? record[keyField]?.value : undefined), record]));

	return records.flatMap((record, position) => {
		const found = record.id !== undefined ? byId.get(record.id) : byKey.get(looseKeyText(record.updateKey?.value));
		if (code === KINTONE_CODES.revisionConflict) {
			return found && record.revision !== undefined && found.$revision?.value !== record.revision ? [position] : [];
		}
		return found ? [] : [position];
	});
}
