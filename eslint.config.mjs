// Lint: the recommended TypeScript rules, plus a ban on reading process.env outside the config
// modules (configuration is typed and read once: shared/config.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      '.demo/',
      'bench/.out/',
      'shared/events/generated/',
      'terraform/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'readonly',
        globalThis: 'readonly',
        AbortController: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    ignores: ['shared/config.ts', 'shared/aws/clients.ts', 'shared/lambda/*-deps.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration through shared/config.ts' },
      ],
    },
  },
  // Type-aware rules where a mistake costs money: a promise nobody awaits can lose a write or an
  // error, and a switch that misses a new state-machine case must not compile quietly.
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  // Rooms (docs: CONTRIBUTING.md). The core imports no operator, local, simulation, CLI, test or
  // entry-point code, and only shared/lambda knows it runs in Lambda; entry files import only the
  // Lambda wiring. tests/lint/boundaries.unit.test.ts proves a forbidden import fails.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(ops|local|sim|cli|tests|demo|chaos|bench|functions|scripts)(/|$)',
              message: 'the core (shared/) imports no operator, local, simulation, CLI, test or entry code',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/lambda/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(ops|local|sim|cli|tests|demo|chaos|bench|functions|scripts)(/|$)',
              message: 'the core (shared/) imports no operator, local, simulation, CLI, test or entry code',
            },
            {
              regex: '^(\\.\\./)+lambda(/|$)|^@middy/|^aws-lambda$',
              message: 'only shared/lambda knows it runs in Lambda: the core takes plain deps',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\.\\./\\.\\./shared/lambda/)',
              message: 'an entry file imports only the Lambda wiring (shared/lambda/)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts', 'sim/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // A function is read at once or not at all: about 70 lines is what fits on a screen (issue 13, the
  // house style of TigerBeetle's TIGER_STYLE). Long work becomes named steps over an explicit state.
  // 70 for everything that runs in production or against it (the core, the handlers, the CLI, the
  // operator tools, the local stack); the bench, the demo, the simulation and the scripts, whose long
  // functions are lists of steps or report tables, get 100. Tests are exempt: a describe block is a
  // list of cases, long by nature.
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    ignores: ['tests/**'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['shared/**', 'functions/**', 'cli/**', 'ops/**', 'local/**', 'build.mjs'],
    rules: { 'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true }] },
  },
);
