/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json'}],
	},
	setupFiles: ['<rootDir>/test/harness/setup.ts'],
	testTimeout: 60_000,
	// Emulators and engines are real; one worker per core keeps CI (2 cores) predictable.
	maxWorkers: 2,
};
