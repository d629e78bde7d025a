/**
 * Jest runs TypeScript through ts-jest (CommonJS). middy v6 ships ESM only, so its
 * files are transformed too; everything else in node_modules is CommonJS already.
 * DynamoDB Local and fauxqs are started once per run by tests/setup/global-setup.mjs.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+/node_modules/@middy/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  globalSetup: '<rootDir>/tests/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/setup/global-teardown.mjs',
  testTimeout: 60_000,
  // `make test` reports coverage; the money core and the replay core must stay thoroughly tested.
  collectCoverageFrom: ['shared/**/*.ts', 'functions/**/*.ts', 'cli/**/*.ts', 'local/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: {
    './shared/ledger/': { lines: 95, branches: 90 },
    './shared/replay/': { lines: 95, branches: 90 },
  },
  maxWorkers: 2,
};
