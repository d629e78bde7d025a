/**
 * The house format (prettier, .prettierrc.json; `make lint` checks it, `make format` applies it):
 * unformatted code fails the check, long lines break at 120, generated and built files are left out.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const at = (file: string) => path.join(root, file);
// The real CLI in a child process (prettier's API needs ESM dynamic import, which jest's runtime lacks).
const prettier = (args: string[], input = '') =>
  execFileSync(process.execPath, [at('node_modules/prettier/bin/prettier.cjs'), ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
  });

/** True when `code`, as a file at `file`, is already what the house format makes of it. */
async function formatted(code: string, file = 'shared/ledger/x.ts'): Promise<boolean> {
  return prettier(['--stdin-filepath', at(file)], code) === code;
}

test('code in the house format passes; the same code unformatted fails', async () => {
  expect(await formatted('export const limits = { pageSize: 100, retries: 3 };\n')).toBe(true);
  expect(await formatted('export const limits = {pageSize:100,retries:3}\n')).toBe(false);
  expect(await formatted('export const limits = { "pageSize": 100 };\n')).toBe(false); // single quotes
});

test('a line is broken at 120 characters, not before', async () => {
  const name = (n: number) => `'${'x'.repeat(n)}'`;
  const line = (n: number) => `export const names = [${name(n)}, ${name(n)}, ${name(n)}];\n`;
  expect(line(28).length).toBeLessThanOrEqual(121);
  expect(await formatted(line(28))).toBe(true);
  expect(line(40).length).toBeGreaterThan(121);
  expect(await formatted(line(40))).toBe(false);
});

test('generated, built and downloaded files are not checked', async () => {
  const ignored = async (file: string) =>
    (JSON.parse(prettier(['--file-info', at(file)])) as { ignored: boolean }).ignored;
  expect(await ignored('shared/events/generated/validate-video-event.js')).toBe(true);
  expect(await ignored('dist/debit/index.mjs')).toBe(true);
  expect(await ignored('shared/ledger/settle.ts')).toBe(false);
});
