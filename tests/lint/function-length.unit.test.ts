/**
 * Functions stay short (eslint.config.mjs, max-lines-per-function, blank lines and comments not
 * counted): 70 lines in the code that runs in production or against it, 100 in the bench, demo,
 * simulation and scripts, no limit in tests. Linted as text at a path, with the real config (lint-imports.mjs).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** A function of `lines` statements, plus as many comment and blank lines (which do not count). */
function functionOf(lines: number): string {
  const body = Array.from({ length: lines }, (_, i) => `  total += ${i};\n  // why line ${i}\n\n`).join('');
  return `export function long(): number {\n  let total = 0;\n${body}  return total;\n}\n`;
}

const cases = [
  { name: 'a 76-line function in the core', file: 'shared/ledger/x.ts', code: functionOf(72), fails: true },
  { name: 'a 76-line function in the CLI', file: 'cli/commands/x.ts', code: functionOf(72), fails: true },
  { name: 'a 76-line function in the local stack', file: 'local/x.ts', code: functionOf(72), fails: true },
  { name: 'a 96-line function in the bench', file: 'bench/x.ts', code: functionOf(92), fails: false },
  { name: 'a 106-line function in a script', file: 'scripts/x.mjs', code: functionOf(102), fails: true },
  {
    name: 'a 70-line function, with as many comment and blank lines again',
    file: 'shared/ledger/x.ts',
    code: functionOf(66),
    fails: false,
  },
  { name: 'a long test', file: 'tests/shared/x.unit.test.ts', code: functionOf(200), fails: false },
].map((c) => ({ ...c, rule: 'max-lines-per-function' }));

let messages: string[][] = [];
beforeAll(() => {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-imports.mjs')], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  messages = JSON.parse(output) as string[][];
}, 60_000);

test.each(cases)('$name: fails the lint = $fails', (c) => {
  const found = messages[cases.indexOf(c)]!;
  if (c.fails) expect(found).toEqual([expect.stringMatching(/too many lines \(\d+\)\. Maximum allowed is (70|100)/)]);
  else expect(found).toEqual([]);
});
