/** Column definition accepted by `createTable` (what the data platform UI lets you define). */
export interface ColumnSpec {
	name: string;
	/** PostgreSQL type: varchar, text, int4, int8, numeric, bool, timestamptz, date, jsonb, float8, uuid ... */
	data_type: string;
	description?: string;
	is_primary_key?: boolean;
	is_unique?: boolean;
	/** Defaults to true. */
	is_allow_null?: boolean;
	/** A SQL default expression, e.g. `'pending'`, `0`, `now()`. Trusted seed input, not request input. */
	default_value?: string;
	is_array?: boolean;
}

export interface TableSpec {
	name: string;
	description?: string;
	columns: ColumnSpec[];
	/** Composite unique constraints, e.g. `[['user_id', 'product_id']]`. */
	uniqueConstraints?: string[][];
}

export interface FeishuDataTableEmulatorOptions {
	port?: number;
	/** OAuth app credentials the token endpoint accepts. Default `cli_test_app` / `test-app-secret`. */
	clientId?: string;
	clientSecret?: string;
	/** Lifetime of issued user access tokens. Default 7200. */
	accessTokenTtlSeconds?: number;
	/** Lifetime of issued refresh tokens. Default 604800. */
	refreshTokenTtlSeconds?: number;
	/** Requests per second per app on the data table API. Default 10 (the documented limit). */
	rateLimitPerSecond?: number;
	/** Extra latency added to every data table request (for demos). Default 0. */
	latencyMs?: number;
}

export interface IssuedUserToken {
	access_token: string;
	refresh_token: string;
	expires_in: number;
	refresh_token_expires_in: number;
	scope: string;
}
