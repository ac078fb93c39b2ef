// PUBLIC API DRAFT — implementation in progress; signatures are final.
import type { PGlite } from '@electric-sql/pglite';

import type { EmulatorServer } from '../server';
import type { FeishuDataTableEmulatorOptions, IssuedUserToken, TableSpec } from './types';

export type { ColumnSpec, FeishuDataTableEmulatorOptions, IssuedUserToken, TableSpec } from './types';

export interface FeishuDataTableEmulator {
	/** Base URL: API at `${url}/open-apis/...`, OAuth authorize at `${url}/open-apis/authen/v1/authorize`. */
	readonly url: string;
	readonly server: EmulatorServer;
	/** The PostgreSQL database (one schema per workspace, named after the workspace id). */
	readonly db: PGlite;
	readonly clientId: string;
	readonly clientSecret: string;
	/** How many requests reached the token endpoint (both grant types) since start/reset. */
	readonly tokenRequests: number;
	createWorkspace(workspaceId: string): Promise<void>;
	createTable(workspaceId: string, table: TableSpec): Promise<void>;
	/** All rows of a table (user columns plus `_id`, `_created_at`), ordered by `orderBy` columns or `_created_at, _id`. */
	rows(workspaceId: string, table: string, orderBy?: string[]): Promise<Array<Record<string, unknown>>>;
	/** A valid user token pair without going through the browser flow. */
	issueUserToken(): IssuedUserToken;
	/** Every access token issued so far expires now (refresh tokens stay valid). */
	expireAccessTokens(): void;
	/** Drops all workspaces, tokens, codes, rate-limit state and recorded requests. */
	reset(): Promise<void>;
	close(): Promise<void>;
}

export declare function startFeishuDataTableEmulator(
	options?: FeishuDataTableEmulatorOptions,
): Promise<FeishuDataTableEmulator>;
