/**
 * Jest runs TypeScript through ts-jest, compiled to CommonJS (jest's module system without the
 * experimental VM modules). ES module JavaScript it loads is compiled the same way: middy 7 (ESM
 * only) and the generated schema validator.
 * DynamoDB Local and fauxqs are started once per run by tests/setup/global-setup.mjs.
 */
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // middy ships ESM only, exported under the `import` condition that jest's CommonJS resolver does
  // not use: point at its entry file, which the transform below turns into CommonJS.
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+/(node_modules/@middy/.+|shared/events/generated/.+)\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2024', esModuleInterop: true, isolatedModules: true } }],
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
