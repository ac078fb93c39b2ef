import type { IDataObject } from 'n8n-workflow';

import { NS, OBJ, autoMap, requestsTo, runApaas, sentRecords, useFeishuApaasEmulator } from './setup';

const create = { operation: 'create', columns: autoMap };

function books(count: number) {
	return Array.from({ length: count }, (_, index) => ({ book_name: `书 ${index}`, 作者: '佚名', book_count: index }));
}

describe('Feishu aPaaS node: Create Many (batch_create) through n8n WorkflowExecute', () => {
	const apaas = useFeishuApaasEmulator();

	it('creates one record per item and returns each with its new _id, paired with its item', async () => {
		const result = await runApaas(apaas.emulator, create, [
			{ book_name: '三体', 作者: '刘慈欣' },
			// An _id carried over from elsewhere is not sent: Feishu assigns IDs.
			{ _id: '42', book_name: '活着', 作者: '余华', in_stock: true },
		]);

		expect(result.status).toBe('success');
		const [output] = result.outputs;
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const stored = apaas.emulator.records(NS, OBJ);
		expect(stored.get(String(output[0].json._id))?.values).toEqual({ book_name: '三体', 作者: '刘慈欣' });
		expect(stored.get(String(output[1].json._id))?.values).toEqual({ book_name: '活着', 作者: '余华', in_stock: true });
		expect(output[1].json._id).not.toBe('42');
		expect(sentRecords(requestsTo(apaas.emulator, 'batch_create')[0].body)[1]).toEqual({ book_name: '活着', 作者: '余华', in_stock: true });
	});

	it('a connection lost after Feishu applied a batch: not resent, its records reported as unknown, the rest go on', async () => {
		apaas.emulator.server.inject({
			match: (request) => request.path.endsWith('batch_create'),
			nth: 2,
			action: { kind: 'resetAfterHandling' },
		});
		const result = await runApaas(apaas.emulator, create, books(1234), { node: { onError: 'continueErrorOutput' } });

		expect(result.status).toBe('success');
		expect(requestsTo(apaas.emulator, 'batch_create').map((request) => sentRecords(request.body).length)).toEqual([500, 500, 234]);
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(734);
		expect(errors).toHaveLength(500);
		expect(errors[0].pairedItem).toEqual({ item: 500 });
		expect(errors[499].pairedItem).toEqual({ item: 999 });
		expect(errors.every((item) => (item.json.details as { outcome: string }).outcome === 'unknown')).toBe(true);
		expect(String(errors[0].json.error)).toContain('may or may not have applied');
		// Feishu did create them: exactly once, since nothing was resent.
		expect(apaas.emulator.records(NS, OBJ).size).toBe(1234);
	});

	it('a timeout on a create is not retried either', async () => {
		apaas.emulator.server.inject({ match: (request) => request.path.endsWith('batch_create'), action: { kind: 'delay', ms: 800 } });
		const result = await runApaas(
			apaas.emulator,
			{ ...create, options: { timeout: 200 } },
			books(3),
			{ node: { onError: 'continueErrorOutput' } },
		);
		const [success, errors] = result.outputs;
		expect(success).toHaveLength(0);
		expect(errors.map((item) => (item.json.details as { outcome: string }).outcome)).toEqual(['unknown', 'unknown', 'unknown']);
		expect(requestsTo(apaas.emulator, 'batch_create')).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 900));
		expect(apaas.emulator.records(NS, OBJ).size).toBe(3);
	});

	it('a 5xx on a create is not retried, and without Continue On Fail the run says to check before rerunning', async () => {
		apaas.emulator.server.inject({
			match: (request) => request.path.endsWith('batch_create'),
			action: { kind: 'respond', reply: { status: 502, body: 'Bad Gateway' } },
		});
		const result = await runApaas(apaas.emulator, create, books(2));
		expect(result.status).toBe('error');
		expect(result.error?.description).toContain('may or may not have been written');
		expect(requestsTo(apaas.emulator, 'batch_create')).toHaveLength(1);
	});

	it('a record Feishu refuses fails alone with its code and field; the others are created', async () => {
		const input: IDataObject[] = books(4);
		input[2] = { ...input[2], in_stock: 'yes' };
		const result = await runApaas(apaas.emulator, create, input, { node: { onError: 'continueErrorOutput' } });
		const [success, errors] = result.outputs;
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 3 }]);
		expect(errors[0].pairedItem).toEqual({ item: 2 });
		expect(errors[0].json.details).toMatchObject({ code: '2320001', fields: ['in_stock'], outcome: 'failed' });
		expect(apaas.emulator.records(NS, OBJ).size).toBe(3);
	});

	it('with Stop Workflow, the error names the refused item once', async () => {
		const input: IDataObject[] = books(4);
		input[2] = { ...input[2], in_stock: 'yes' };
		const result = await runApaas(apaas.emulator, create, input);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Item 2 \(new record\) \[2320001\]: Feishu refused the record/);
	});

	it('writing a computed field is refused per record', async () => {
		const result = await runApaas(apaas.emulator, create, [{ book_name: 'x', code: 'A-1' }], {
			node: { onError: 'continueErrorOutput' },
		});
		expect(result.outputs[1][0].json.details).toMatchObject({ subCode: 'field_read_only', fields: ['code'] });
	});
});
