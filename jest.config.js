/**
 * Jest runs TypeScript through ts-jest, compiled to CommonJS (jest's module system without the
 * experimental VM modules). ES module JavaScript it loads is compiled the same way: middy 7 (ESM
 * only) and the generated schema validator.
 *
 * Two projects, one axis: a test's file name says what it needs.
 * - `*.unit.test.ts`: no process outside jest (no DynamoDB Local, no fauxqs, no Java). `make unit`.
 * - `*.integration.test.ts`: DynamoDB Local and fauxqs, started once per run by tests/setup.
 */
const shared = {
  testEnvironment: 'node',
  // middy ships ESM only, exported under the `import` condition that jest's CommonJS resolver does
  // not use: point at its entry file, which the transform below turns into CommonJS.
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  roots: ['<rootDir>/tests'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tests/tsconfig.json' }],
    '^.+/(node_modules/@middy/.+|shared/events/generated/.+)\\.js$': [
      'ts-jest',
      {
        tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2024', esModuleInterop: true, isolatedModules: true },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.unit.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.integration.test.ts'],
      globalSetup: '<rootDir>/tests/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.mjs',
    },
  ],
  testTimeout: 60_000,
  // `make test` reports coverage; the money core, the sweep and the replay core must stay thoroughly tested.
  collectCoverageFrom: [
    'shared/**/*.ts',
    'functions/**/*.ts',
    'cli/**/*.ts',
    'local/**/*.ts',
    'ops/**/*.ts',
    'sim/**/*.ts',
  ],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: {
    './shared/ledger/': { lines: 95, branches: 90 },
    './shared/replay/': { lines: 95, branches: 90 },
    './shared/sweep/': { lines: 95, branches: 80 },
  },
  maxWorkers: 2,
};
