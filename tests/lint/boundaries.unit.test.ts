/**
 * The rooms are enforced by the linter (eslint.config.mjs, no-restricted-imports): a forbidden import
 * fails `make lint`, an allowed one passes. Every case is linted at once, as text at a path inside its
 * room, with the real config (lint-imports.mjs).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

type Case = { file: string; specifier: string };
const CORE = /the core \(shared\/\) imports no/;
const LAMBDA_ONLY = /only shared\/lambda/;
const WIRING_ONLY = /only the Lambda wiring/;

const forbiddenInCore: Case[] = [
  ['shared/ledger/x.ts', '../../ops/doctor/doctor'],
  ['shared/sweep/x.ts', '../../local/tables'],
  ['shared/x.ts', '../sim/simulation'],
  ['shared/replay/x.ts', '../../cli/context'],
  ['shared/ledger/x.ts', '../../tests/support/books'],
  ['shared/events/x.ts', '../../demo/report'],
  ['shared/lambda/x.ts', '../../chaos/main'],
  ['shared/ledger/x.ts', '../../functions/debit'],
].map(([file, specifier]) => ({ file: file!, specifier: specifier! }));
const lambdaOutsideWiring: Case[] = [
  { file: 'shared/ledger/x.ts', specifier: '../lambda/once' },
  { file: 'shared/sweep/x.ts', specifier: '@middy/core' },
];
const notWiring: Case[] = ['../../shared/ledger/ledger', '../../shared/config', '@aws-sdk/client-dynamodb'].map(
  (specifier) => ({ file: 'functions/debit/index.ts', specifier }),
);
const allowed: Case[] = [
  { file: 'shared/lambda/x.ts', specifier: '@middy/core' },
  { file: 'shared/sweep/x.ts', specifier: '../ledger/ledger' },
  { file: 'shared/lambda/x.ts', specifier: '../sweep/run-sweep' },
  { file: 'functions/debit/index.ts', specifier: '../../shared/lambda/once' },
  { file: 'ops/x.ts', specifier: '../shared/ledger/ledger' },
];

const all = [...forbiddenInCore, ...lambdaOutsideWiring, ...notWiring, ...allowed];
let messages: string[][] = [];
beforeAll(() => {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-imports.mjs')], {
    input: JSON.stringify(all),
    encoding: 'utf8',
  });
  messages = JSON.parse(output) as string[][];
}, 60_000);
const messagesFor = (c: Case): string[] => messages[all.indexOf(c)]!;

test.each(forbiddenInCore)('the core refuses $file importing $specifier', (c) => {
  expect(messagesFor(c)).toEqual([expect.stringMatching(CORE)]);
});
test.each(lambdaOutsideWiring)('only the Lambda wiring may know Lambda: $file importing $specifier', (c) => {
  expect(messagesFor(c)).toEqual([expect.stringMatching(LAMBDA_ONLY)]);
});
test.each(notWiring)('an entry file refuses $specifier', (c) => {
  expect(messagesFor(c)).toEqual([expect.stringMatching(WIRING_ONLY)]);
});
test.each(allowed)('allowed: $file importing $specifier', (c) => {
  expect(messagesFor(c)).toEqual([]);
});
