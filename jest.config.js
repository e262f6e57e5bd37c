/**
 * One jest run covers every tier (docs/testing.md). Type checking is done once by
 * `tsc --noEmit` in `npm test`; ts-jest only transpiles, which keeps the run fast.
 *
 * "A worker process has failed to exit gracefully" on a busy machine is not a leak: the
 * servers of test/support close every handle (test/e2e/support-teardown.test.ts), and a
 * worker leaves its event loop within milliseconds of jest's end message. What can take
 * longer than jest-worker's fixed 500 ms is Node's own teardown of the worker's heap
 * (traced: munmap after munmap, with the CPU shared by other processes), after which jest
 * sends SIGTERM and prints the warning. Nothing is lost: every result was already reported.
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
