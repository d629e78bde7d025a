// Lint: the recommended TypeScript rules, plus a ban on reading process.env outside the config
// modules (configuration is typed and read once: shared/config.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.demo/', 'bench/.out/', 'shared/events/generated/', 'terraform/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'readonly', globalThis: 'readonly', AbortController: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    ignores: ['shared/config.ts', 'shared/aws/clients.ts', 'shared/lambda/*-deps.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration through shared/config.ts' }],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts', 'sim/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
