import type { INodePropertyMode } from 'n8n-workflow';

import { appLocator } from '../../nodes/Kintone/actions/descriptions';

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
