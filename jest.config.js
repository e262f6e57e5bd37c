/**
 * One jest run covers every tier (README: "Tests"). Type checking is done once by
 * `tsc --noEmit` in `npm test`; ts-jest only transpiles, which keeps the run fast.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-jest.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
