/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are caught by `npm run typecheck`; ts-jest only transpiles here, which keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
  // The Lambda handlers import the rules the bundler packages (deploy/esbuild-plugins.js).
  moduleNameMapper: { '^klaxon:packaged-rules$': '<rootDir>/test/helpers/packaged-rules.ts' },
};
