import type { IDataObject, IExecuteFunctions, ResourceMapperField } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { decidedOncePerName } from './fieldNames';
import type { Nouns } from './results';
import { DEFAULT_NOUNS } from './results';
import type { SchemaField } from './values';
import { checkedValue } from './values';

/** One item's values as they will be sent, and the input fields auto-map left out. */
export interface MappedItem {
	values: IDataObject;
	/** Input fields that are not fields of the target (auto-map only); reported, never dropped silently. */
	ignored?: string[];
}

export interface MappingSettings {
	/** Fields that are never sent and need no word, e.g. system columns of rows read earlier. */
	neverSent?(name: string): boolean;
	/** The name a field is sent under; throws for a name that cannot be sent. Decided once per name. */
	targetOf?(name: string): string;
	/** Applied to each value after its type check, e.g. dates as ISO text. */
	convert?(value: unknown): unknown;
}

interface Decision {
	target: string | null;
	field?: SchemaField;
	ignored: boolean;
}

/**
 * How the items of a run become records through n8n's mapping form (the `columns` parameter),
 * read once at item 0:
 * - "Map Each Field Below": the form's values. A field the user did not set, left empty (null) or
 *   removed, is not sent: n8n fills every field it shows with null, and an update must change only
 *   what the user set.
 * - "Map Automatically": the item's own fields. A field that is not in the form's schema is not
 *   sent and is named in `ignored`; a null the item holds is sent (the item says so).
 * Every value is checked against the type its field has in the schema, so a bad value fails its
 * item before anything is sent, naming the field.
 */
export class FieldMapper {
	readonly autoMap: boolean;

	private readonly decide: (name: string) => Decision;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly settings: MappingSettings = {},
	) {
		this.autoMap = ctx.getNodeParameter('columns.mappingMode', 0, 'defineBelow') === 'autoMapInputData';
		const schemaFields = (ctx.getNodeParameter('columns.schema', 0, []) as ResourceMapperField[] | null) ?? [];
		const schema = new Map(schemaFields.map((field) => [field.id, field]));
		this.decide = decidedOncePerName((name): Decision => {
			const field = schema.get(name);
			if (field?.removed || settings.neverSent?.(name)) return { target: null, ignored: false };
			if (this.autoMap && schema.size > 0 && !field) return { target: null, ignored: true };
			const target = settings.targetOf ? settings.targetOf(name) : name;
			return { target, field, ignored: false };
		});
	}

	/**
	 * One item's values to send. Most items already hold exactly what is sent (every field a field of
	 * the target, every value of its type): then it is the item's own object, not a copy, since
	 * inside n8n building an object field by field costs more than the rest of a record's work.
	 * Read it, never change it.
	 */
	read(itemIndex: number): MappedItem {
		const source = (
			this.autoMap
				? this.ctx.getInputData()[itemIndex].json
				: // Checked below by the schema's types, with messages naming item and field.
					(this.ctx.getNodeParameter('columns.value', itemIndex, {}, { skipValidation: true }) ?? {})
		) as IDataObject;
		return this.sentAsIs(source) ? { values: source } : this.copied(source);
	}

	private sentAsIs(source: IDataObject): boolean {
		for (const name in source) {
			const value = source[name];
			if (value === undefined || (value === null && !this.autoMap)) return false;
			// Objects (dates among them) may be converted; plain values never are.
			if (this.settings.convert && typeof value === 'object' && value !== null) return false;
			const { target, field } = this.decide(name);
			if (target !== name || (field && checkedValue(field, value) !== value)) return false;
		}
		return true;
	}

	private copied(source: IDataObject): MappedItem {
		const values: IDataObject = {};
		let ignored: string[] | undefined;
		for (const name in source) {
			if (!Object.prototype.hasOwnProperty.call(source, name)) continue;
			const value = source[name];
			if (value === undefined || (value === null && !this.autoMap)) continue;
			const { target, field, ignored: notAField } = this.decide(name);
			if (notAField) (ignored ??= []).push(name);
			if (target === null) continue;
			const checked = field ? checkedValue(field, value) : value;
			values[target] = (this.settings.convert ? this.settings.convert(checked) : checked) as IDataObject[string];
		}
		return ignored ? { values, ignored } : { values };
	}
}

/**
 * A yes/no field of an update's mapping form as a choice of True or False, with nothing chosen at
 * first: n8n's toggle cannot say "not set" (it starts at false), so every record would get false
 * in each yes/no field the user never touched.
 */
export function unsetUntilChosen(field: ResourceMapperField): ResourceMapperField {
	if (field.type !== 'boolean') return field;
	return {
		...field,
		type: 'options',
		options: [
			{ name: 'True', value: true },
			{ name: 'False', value: false },
		],
	};
}

/**
 * Fails the run once, before anything is sent, when "Map Each Field Below" has no value at all. n8n
 * empties the mapping whenever the target or the operation changes; every item would otherwise
 * fail on its own with a puzzling message (a missing key). `target` names it, e.g. `app 12`.
 */
export function assertSomethingMapped(ctx: IExecuteFunctions, target: string, nouns: Nouns = DEFAULT_NOUNS): void {
	const columns = ctx.getNode().parameters.columns as { mappingMode?: string; value?: IDataObject | null } | undefined;
	if (columns?.mappingMode === 'autoMapInputData') return;
	const set = Object.values(columns?.value ?? {}).some((value) => value !== null && value !== undefined && value !== '');
	if (set) return;
	const form = `${nouns.field.charAt(0).toUpperCase()}${nouns.field.slice(1)}s`;
	throw new NodeOperationError(
		ctx.getNode(),
		`No ${nouns.field} is mapped for ${target}: open the node and map the ${nouns.field}s to write under "${form}", or choose "Map Automatically"`,
		{ description: 'Nothing was sent. n8n empties the mapping whenever the target or the operation changes.' },
	);
}
