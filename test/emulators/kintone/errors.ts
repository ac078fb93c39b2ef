import { randomBytes } from 'node:crypto';

/** Language of error messages: kintone follows `Accept-Language` (the user's setting otherwise). */
export type Lang = 'en' | 'ja';

export type FieldErrors = Record<string, { messages: string[] }>;

/** A kintone error answer: HTTP status and the `{code, id, message, errors?}` body. */
export class KintoneError extends Error {
	readonly id = randomBytes(15).toString('base64url');

	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly errors?: FieldErrors,
		readonly headers?: Record<string, string>,
	) {
		super(message);
	}

	toBody(): { code: string; id: string; message: string; errors?: FieldErrors } {
		return { code: this.code, id: this.id, message: this.message, ...(this.errors ? { errors: this.errors } : {}) };
	}
}

/**
 * Messages as real kintone words them (observed bodies where known, see apis.md §D). One catalog per
 * language so every error site reads `t.xxx(...)`.
 */
const en = {
	invalidInput: 'Missing or invalid input.',
	requiredParam: 'Required field.',
	required: 'Required.',
	onlyNumbers: 'Only numbers are allowed.',
	notInOptions: (value: string) => `The value, "${value}", is not in options.`,
	duplicate: 'This value already exists in another record.',
	tooLong: (max: number) => `Enter less than ${max + 1} characters.`,
	tooShort: (min: number) => `Enter more than ${min - 1} characters.`,
	tooLarge: (max: string) => `The value must be ${max} or less.`,
	tooSmall: (min: string) => `The value must be ${min} or more.`,
	badDate: 'Enter the date in the YYYY-MM-DD format.',
	badTime: 'Enter the time in the HH:MM format.',
	badDateTime: 'Enter the date and time in the ISO 8601 format (e.g. 2024-01-31T09:00:00Z).',
	badType: 'The value type is invalid for this field.',
	notUpdatable: 'This field cannot be updated.',
	idOrUpdateKey: 'Specify either id or updateKey, not both.',
	maxAdd: 'A maximum of 100 records can be added at one time.',
	maxUpdate: 'A maximum of 100 records can be updated at one time.',
	maxDelete: 'Between 1 and 100 records can be deleted at one time.',
	maxBulk: 'A maximum of 20 requests can be sent at one time.',
	maxApps: 'must be less than or equal to 100',
	maxCursorSize: 'must be less than or equal to 500',
	minOne: 'must be greater than or equal to 1',
	revisionsMismatch: 'The number of revisions must match the number of ids.',
	bulkApi: 'The specified API cannot be used in bulkRequest.',
	invalidJson: 'Invalid JSON string.',
	loginRequired: 'Please login.',
	passwordFailed: 'Failed to log in. The login name or password is incorrect.',
	basicFailed: 'Basic authentication is required.',
	tokenMismatch: 'The specified API token does not match the API token generated via an app.',
	tooManyTokens: 'Up to 9 API tokens can be specified in one request.',
	appNotFound: (id: string) => `The app (ID: ${id}) not found. The app may have been deleted.`,
	recordNotFound: (id: string) => `The specified record (ID: ${id}) is not found.`,
	keyNotFound: (field: string, value: string) => `The specified record (${field}: ${value}) is not found.`,
	revisionConflict: 'The revision is not the latest. Someone may update a record.',
	updateKeyNotUnique: (field: string) =>
		`Failed to update record. The field (code: ${field}) set as "updateKey" must be set to "Prohibit duplicate values".`,
	guestPath: 'You need to send a request to the URL: "/k/guest/<Space ID>/v1/..." to execute apps in Guest Spaces.',
	userNotFound: (code: string) => `The specified user (code: ${code}) not found.`,
	lookupMissing: (field: string, value: string) =>
		`A value ${value} in the field ${field} does not exist in the datasource app for lookup, or you do not have permission to view the app or the field.`,
	querySyntax: 'The query syntax is invalid.',
	queryFieldNotFound: (code: string) => `The specified field (${code}) not found.`,
	queryOperator: (code: string, op: string) => `The operator ${op} cannot be used for the field type of ${code}.`,
	cursorQuery: 'limit and offset cannot be specified in the query of a cursor.',
	limitTooLarge: 'limit must be 500 or less.',
	offsetTooLarge: 'offset must be 10,000 or less.',
	cursorLimit:
		'The cursor cannot be created because the maximum number of cursors has been reached. Delete unnecessary cursors or try again later.',
	cursorNotFound: 'The specified cursor does not exist or has already expired.',
	concurrency: 'The number of concurrent API requests exceeds the limit.',
	notFoundApi: 'The specified API is not found.',
	fileKeyInvalid: (key: string) =>
		`The file (fileKey: ${key}) cannot be used: it is not a file of this field, or an upload that is unknown, expired or already used.`,
	fileNotFound: (key: string) => `The specified file (id: ${key}) not found.`,
	fileTooLarge: (max: number) => `The file is too large. The maximum size of a file is ${max} bytes.`,
	fileRequired: 'Required field.',
	statusFailed: 'Failed to update the status. The settings or the status itself may have been changed by someone.',
	processDisabled: 'Your request failed. The process management feature has been disabled.',
	assigneeRequired: 'Specify the assignee.',
	notAssigneeCandidate: (code: string) => `The user (code: ${code}) is not an assignee candidate of the next status.`,
};

type Catalog = typeof en;

const ja: Catalog = {
	invalidInput: '入力内容が正しくありません。',
	requiredParam: '必須です。',
	required: '必須です。',
	onlyNumbers: '数字でなければなりません。',
	notInOptions: (value) => `"${value}"は選択肢にありません。`,
	duplicate: '値がほかのレコードと重複しています。',
	tooLong: (max) => `${max + 1}文字より短くなければなりません。`,
	tooShort: (min) => `${min - 1}文字より長くなければなりません。`,
	tooLarge: (max) => `${max}以下である必要があります。`,
	tooSmall: (min) => `${min}以上である必要があります。`,
	badDate: '日付はYYYY-MM-DDの形式で指定してください。',
	badTime: '時刻はHH:MMの形式で指定してください。',
	badDateTime: '日時はISO 8601形式（例: 2024-01-31T09:00:00Z）で指定してください。',
	badType: 'フィールドの値の形式が正しくありません。',
	notUpdatable: 'このフィールドは更新できません。',
	idOrUpdateKey: 'idとupdateKeyは同時に指定できません。',
	maxAdd: '一度に100件までのレコードを追加できます。',
	maxUpdate: '一度に100件までのレコードを更新できます。',
	maxDelete: '一度に1件から100件までのレコードを削除できます。',
	maxBulk: '一度に20件までのリクエストを送信できます。',
	maxApps: '最大でも100以下です。',
	maxCursorSize: '最大でも500以下です。',
	minOne: '最小でも1以上です。',
	revisionsMismatch: 'revisionsの数はidsの数と一致する必要があります。',
	bulkApi: '指定したAPIはbulkRequestでは使用できません。',
	invalidJson: '不正なJSON文字列です。',
	loginRequired: 'ログインしてください。',
	passwordFailed: 'ログインに失敗しました。ログイン名またはパスワードが正しくありません。',
	basicFailed: 'Basic認証が必要です。',
	tokenMismatch: 'APIトークンが不正です。',
	tooManyTokens: '1回のリクエストで指定できるAPIトークンは9個までです。',
	appNotFound: (id) => `指定したアプリ（id: ${id}）が見つかりません。削除されている可能性があります。`,
	recordNotFound: (id) => `指定したレコード（id: ${id}）が見つかりません。`,
	keyNotFound: (field, value) => `指定したレコード（${field}: ${value}）が見つかりません。`,
	revisionConflict: '指定したrevisionは最新ではありません。ほかのユーザーがレコードを更新した可能性があります。',
	updateKeyNotUnique: (field) =>
		`レコードの更新に失敗しました。updateKeyに指定したフィールド（code: ${field}）は「値の重複を禁止する」を設定する必要があります。`,
	guestPath: 'ゲストスペース内のアプリを操作する場合は、ゲストスペースのID を追加してください。',
	userNotFound: (code) => `指定したユーザー(code:${code})が見つかりません。`,
	lookupMissing: (field, value) =>
		`フィールド「${field}」の値「${value}」が、ルックアップの参照先のフィールドにないか、またはアプリやフィールドの閲覧権限がありません。`,
	querySyntax: 'クエリ記法が間違っています。',
	queryFieldNotFound: (code) => `指定されたフィールド（${code}）が見つかりません。`,
	queryOperator: (code, op) => `${code}フィールドのフィールドタイプには演算子${op}を使用できません。`,
	cursorQuery: 'カーソルのクエリにはlimitとoffsetを指定できません。',
	limitTooLarge: 'limit には 500 以下の値を指定してください。',
	offsetTooLarge: 'offset には 10,000 以下の値を指定してください。',
	cursorLimit:
		'作成できるカーソルの上限に達しているため、カーソルを作成できません。不要なカーソルを削除するか、しばらく経ってから再実行してください。',
	cursorNotFound: '指定したカーソルは存在しないか、既に有効期限が切れています。',
	concurrency: '同時に実行できるAPIリクエストの上限を超えています。',
	notFoundApi: '指定したAPIが見つかりません。',
	fileKeyInvalid: (key) =>
		`ファイル（fileKey: ${key}）は使用できません。このフィールドのファイルではないか、不明・期限切れ・使用済みのアップロードです。`,
	fileNotFound: (key) => `指定したファイル（id: ${key}）が見つかりません。`,
	fileTooLarge: (max) => `ファイルが大きすぎます。ファイルの最大サイズは${max}バイトです。`,
	fileRequired: '必須です。',
	statusFailed: 'ステータスの変更に失敗しました。ほかのユーザーがステータス、またはステータスの設定を変更した可能性があります。',
	processDisabled: '操作に失敗しました。プロセス管理機能が無効化されています。',
	assigneeRequired: '作業者を指定してください。',
	notAssigneeCandidate: (code) => `ユーザー（code: ${code}）は次のステータスの作業者の候補ではありません。`,
};

export type Messages = Catalog;

export function messages(lang: Lang): Messages {
	return lang === 'ja' ? ja : en;
}

/** `Accept-Language: ja...` gives Japanese; anything else (including none or `*`) English. */
export function languageOf(acceptLanguage: string | undefined): Lang {
	return acceptLanguage?.trim().toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** 400 CB_VA01 with field-level messages (the shape the SDK parses `records[N]` indexes from). */
export function validationError(t: Messages, errors: FieldErrors): KintoneError {
	return new KintoneError(400, 'CB_VA01', t.invalidInput, errors);
}

/** Collects field-level messages under their keys, in the order kintone reports them. */
export class ErrorBag {
	readonly errors: FieldErrors = {};

	add(key: string, message: string): void {
		(this.errors[key] ??= { messages: [] }).messages.push(message);
	}

	get empty(): boolean {
		return Object.keys(this.errors).length === 0;
	}
}
