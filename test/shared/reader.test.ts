import type { INodeExecutionData } from 'n8n-workflow';

import type { EmulatorServer } from '../emulators/server';

import { NS, OBJ, runApaas, useFeishuApaasEmulator } from '../feishuApaas/setup';
import { CONTACTS, WORKSPACE, contactRows, run, target, useFeishuDataTableEmulator } from '../feishuDataTable/setup';
import { runKintone, sampleRecord, useKintoneEmulator } from '../kintone/setup';

/**
 * Get Many on every node goes through the shared reader: a read the service refuses becomes one
 * error item for its input item, of the same shape whatever the node (with Settings > On Error >
 * "Continue (using error output)"), and the other items' records still come out.
 */
function expectOneErrorItem(outputs: INodeExecutionData[][], code: string, doing: string) {
	const [success, errors] = outputs;
	expect(success.length).toBeGreaterThan(0);
	expect(success.every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
	expect(errors).toHaveLength(1);
	expect(errors[0].pairedItem).toEqual({ item: 1 });
	expect(Object.keys(errors[0].json).sort()).toEqual(['details', 'error', 'message']);
	expect(errors[0].json.details).toEqual({ itemIndex: 1, httpCode: '400' });
	expect(String(errors[0].json.error)).toContain(doing);
	expect(String(errors[0].json.error)).toContain(`[${code}]`);
}

/** The second read of the run (the second item's) is refused with this answer. */
function refuseSecondRead(server: EmulatorServer, match: (path: string) => boolean, body: object) {
	server.inject({
		match: (request) => match(request.path),
		nth: 2,
		action: { kind: 'respond', reply: { status: 400, body } },
	});
}

describe('Get Many: one error-item shape on every node', () => {
	describe('Kintone', () => {
		const kintone = useKintoneEmulator();

		it('a refused read is an error item for its input item', async () => {
			kintone.emulator.seedRecords(kintone.sample.app, [sampleRecord(0), sampleRecord(1)]);
			refuseSecondRead(kintone.emulator.server, (path) => path.endsWith('/records.json'), {
				code: 'GAIA_IQ11',
				id: 'x1',
				message: 'The query is invalid.',
			});

			const result = await runKintone(kintone.emulator, kintone.sample, { operation: 'getAll', limit: 5 }, [{}, {}], {
				node: { onError: 'continueErrorOutput' },
			});

			expectOneErrorItem(result.outputs, 'GAIA_IQ11', `Could not read records of app ${kintone.sample.app}`);
		});
	});

	describe('Feishu aPaaS', () => {
		const apaas = useFeishuApaasEmulator();

		it('a refused read is an error item for its input item', async () => {
			apaas.emulator.seedRecords(NS, OBJ, [{ book_name: 'a' }]);
			refuseSecondRead(apaas.emulator.server, (path) => path.endsWith('/batch_query'), { code: 2320001, msg: 'param is invalid' });

			const result = await runApaas(apaas.emulator, { operation: 'getAll', returnAll: true, select: '_id' }, [{}, {}], {
				node: { onError: 'continueErrorOutput' },
			});

			expectOneErrorItem(result.outputs, '2320001', `Could not read records of object "${OBJ}"`);
		});
	});

	describe('Feishu Data Table', () => {
		const dataTable = useFeishuDataTableEmulator([CONTACTS]);

		it('a refused read is an error item for its input item', async () => {
			await dataTable.emulator.insertRows(WORKSPACE, CONTACTS.name, contactRows(['a']));
			refuseSecondRead(dataTable.emulator.server, (path) => path.endsWith('/records'), { code: 2320001, msg: 'invalid filter' });

			const result = await run(dataTable.env, { ...target(CONTACTS.name), operation: 'getAll', returnAll: true }, [{}, {}], {
				onError: 'continueErrorOutput',
			});

			expectOneErrorItem(result.outputs, '2320001', `Could not read rows of table "${CONTACTS.name}"`);
		});
	});
});
