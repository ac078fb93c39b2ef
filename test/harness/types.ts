import type {
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	INodeProperties,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

/** The node types a test workflow may use, looked up the way n8n does (versioned or not). */
export class TestNodeTypes implements INodeTypes {
	private readonly byName = new Map<string, INodeType | IVersionedNodeType>();

	constructor(nodes: Array<INodeType | IVersionedNodeType>) {
		for (const node of nodes) this.byName.set(node.description.name, node);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const found = this.byName.get(nodeType);
		if (!found) throw new Error(`Unknown node type "${nodeType}" in test workflow`);
		return found;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** The credential types a test may use, with `extends` resolved like n8n does. */
export class TestCredentialTypes implements ICredentialTypes {
	private readonly byName = new Map<string, ICredentialType>();

	constructor(types: ICredentialType[]) {
		for (const type of types) this.byName.set(type.name, type);
	}

	recognizes(credentialType: string): boolean {
		return this.byName.has(credentialType);
	}

	getByName(credentialType: string): ICredentialType {
		const found = this.byName.get(credentialType);
		if (!found) throw new Error(`Unknown credential type "${credentialType}" in test`);
		return found;
	}

	getSupportedNodes(): string[] {
		return [];
	}

	getParentTypes(typeName: string): string[] {
		const parents = this.byName.get(typeName)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	/** Properties of the type and its parents; the type's own win, and `doNotInherit` ones stay with the parent, as in n8n. */
	getProperties(typeName: string): INodeProperties[] {
		const type = this.getByName(typeName);
		const inherited = (type.extends ?? [])
			.flatMap((parent): INodeProperties[] => this.getProperties(parent))
			.filter((property) => !property.doNotInherit);
		const own = new Set(type.properties.map((property) => property.name));
		return [...inherited.filter((property) => !own.has(property.name)), ...type.properties];
	}
}
