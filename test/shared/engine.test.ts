import { ExampleEmulator } from '../example/emulator';
import { names, runExample } from '../example/setup';

describe('shared engine through n8n WorkflowExecute (example node)', () => {
	let emulator: ExampleEmulator;

	beforeAll(async () => {
		emulator = await ExampleEmulator.start();
	});
	afterAll(async () => await emulator.server.close());
	beforeEach(() => {
		emulator.server.reset();
		emulator.records.clear();
	});

	it('sends 1,234 items as 500 + 500 + 234 and returns 1,234 items in order, paired', async () => {
		const result = await runExample(emulator, { operation: 'create', batchSize: 500 }, names(1234));

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		const sizes = emulator.server.requests.map((request) => (request.body as { records: unknown[] }).records.length);
		expect(sizes).toEqual([500, 500, 234]);
		const [output] = result.outputs;
		expect(output).toHaveLength(1234);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.name).toBe(`record ${index}`);
		});
		expect(emulator.records.size).toBe(1234);
	});
});
