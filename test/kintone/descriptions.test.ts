import type { INodePropertyMode } from 'n8n-workflow';

import { appLocator, fieldMapper } from '../../nodes/Kintone/actions/descriptions';

/** The app's "By URL" mode, as n8n's editor checks it (the pattern between ^ and $). */
describe('Kintone node: the app locator', () => {
	const byUrl = appLocator.modes!.find((mode) => mode.name === 'url') as INodePropertyMode;
	const [validation] = byUrl.validation as unknown as Array<{ properties: { regex: string } }>;
	const accepts = (url: string) => new RegExp(`^${validation.properties.regex}$`).test(url);

	it('takes an app address as the browser shows it, the placeholder first', () => {
		expect(accepts(byUrl.placeholder!)).toBe(true);
		expect(accepts('https://example.cybozu.com/k/123')).toBe(true);
		expect(accepts('https://example.cybozu.com/k/guest/7/123/show#record=5')).toBe(true);
		expect(accepts('https://example.cybozu.com/k/123/?view=5520')).toBe(true);
		const { regex } = (byUrl.extractValue as { regex: string });
		expect(new RegExp(regex).exec('https://example.cybozu.com/k/guest/7/123/show#record=5')?.[1]).toBe('123');
	});

	it('refuses what names no app', () => {
		expect(accepts('https://example.cybozu.com/k/')).toBe(false);
		expect(accepts('https://example.cybozu.com/k/12a')).toBe(false);
		expect(accepts('example.cybozu.com/k/123')).toBe(false);
		expect(accepts('https://evil.example/x/k/123')).toBe(false);
	});
});

describe('Kintone node: the field-mapping form', () => {
	const mapperOf = (mode: 'add' | 'update' | 'upsert') => {
		const columns = fieldMapper(mode).find((property) => property.name === 'columns')!;
		// As n8n serves node descriptions to the editor: JSON, so an undefined option is absent.
		return JSON.parse(JSON.stringify(columns.typeOptions!.resourceMapper)) as Record<string, unknown>;
	};

	it('lets updates show the fields getMappingFields leaves in (the match column), not n8n\'s "required only"', () => {
		// n8n's editor marks every field not required as removed, match column included, when addAllFields is false.
		expect('addAllFields' in mapperOf('update')).toBe(false);
		expect('addAllFields' in mapperOf('upsert')).toBe(false);
		expect(mapperOf('add').addAllFields).toBe(true);
	});

	it('says why a list is empty through the method\'s notice, not n8n\'s hidden "no fields" error', () => {
		for (const mode of ['add', 'update', 'upsert'] as const) {
			expect(mapperOf(mode)).toMatchObject({ hideNoDataError: true });
			expect(mapperOf(mode).noFieldsError).toBeUndefined();
		}
	});
});
