/**
 * scripts/build/builtins-by-require.mjs: a bundle built with it loads Node built-ins through
 * require(), so importing it does not build their ESM facades (which read every export and so run
 * lazy getters such as fs.ReadStream's, loading the streams implementation). The same fixture built
 * without the plugin is the broken case the check must catch. The bundles under test run in fresh
 * Node processes: jest's own module system is not what Lambda runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..');
let dir: string;

/** Bundles <fixture>/entry.mjs twice with the handlers' own options: with.mjs with the plugin, without.mjs without it. */
function bundleWithAndWithoutPlugin(fixture: string): void {
  const script = `
    const { build } = await import('esbuild');
    const { handlerBundleOptions, bundleOptions } = await import(${JSON.stringify(join(root, 'build.mjs'))});
    const common = { entryPoints: [${JSON.stringify(join(fixture, 'entry.mjs'))}], logLevel: 'error', metafile: false };
    await build({ ...handlerBundleOptions, ...common, outfile: ${JSON.stringify(join(fixture, 'with.mjs'))} });
    await build({ ...bundleOptions, ...common, outfile: ${JSON.stringify(join(fixture, 'without.mjs'))} });`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'builtins-by-require-'));
  writeFileSync(
    join(dir, 'entry.mjs'),
    [
      "import { lstatSync } from 'node:fs';",
      "import * as zlib from 'zlib';",
      "import https from 'node:https';",
      'export const works = () => lstatSync("/").isDirectory() && typeof zlib.crc32 === "function" && typeof https.request === "function";',
      'export const http = async () => (await import("node:http")).default.STATUS_CODES[404];',
    ].join('\n'),
  );
  bundleWithAndWithoutPlugin(dir);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Imports a bundle in a fresh process: was fs's streams implementation loaded by the import alone, and does the code work. */
function importInFreshProcess(bundle: string): { streamsLoadedByImport: boolean; works: boolean; http: string } {
  const script = `
    const m = await import(${JSON.stringify(join(dir, bundle))});
    const streamsLoadedByImport = process.moduleLoadList.includes('NativeModule internal/fs/streams');
    process.stdout.write(JSON.stringify({ streamsLoadedByImport, works: m.works(), http: await m.http() }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
  return JSON.parse(output) as { streamsLoadedByImport: boolean; works: boolean; http: string };
}

test('with the plugin, importing the bundle does not load what its built-ins only offer lazily', () => {
  expect(importInFreshProcess('with.mjs')).toEqual({ streamsLoadedByImport: false, works: true, http: 'Not Found' });
});

test('without it (the broken fixture), the ESM facade of node:fs loads the streams implementation at import', () => {
  expect(importInFreshProcess('without.mjs')).toEqual({ streamsLoadedByImport: true, works: true, http: 'Not Found' });
});

describe('importers that use a built-in later, or one function of it, get a stand-in', () => {
  let lazyDir: string;
  /** A fixture with stand-ins for the importers, at the paths the plugin recognises. */
  function writePackage(path: string, source: string) {
    const file = join(lazyDir, 'node_modules', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, source);
  }

  beforeAll(() => {
    lazyDir = mkdtempSync(join(tmpdir(), 'builtins-on-first-call-'));
    writePackage(
      '@smithy/core/dist-es/submodules/checksum/crc32/Crc32Node.js',
      'import * as zlib from "node:zlib";\nexport const crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : undefined;\n',
    );
    writePackage(
      'sonic-boom/index.js',
      "const assert = require('assert');\nmodule.exports = (ok, message) => assert(ok, message);\n",
    );
    writePackage(
      '@smithy/core/dist-es/submodules/config/shared-ini-file-loader/readFile.js',
      'import { readFile as fsReadFile } from "node:fs/promises";\nexport const readFile = (path) => fsReadFile(path, "utf8");\n',
    );
    writeFileSync(join(lazyDir, 'config'), '[default]\nregion = eu-west-1\n');
    writeFileSync(
      join(lazyDir, 'entry.mjs'),
      [
        "import { crc32 } from './node_modules/@smithy/core/dist-es/submodules/checksum/crc32/Crc32Node.js';",
        "import check from './node_modules/sonic-boom/index.js';",
        "import { readFile } from './node_modules/@smithy/core/dist-es/submodules/config/shared-ini-file-loader/readFile.js';",
        'export { crc32, check, readFile };',
      ].join('\n'),
    );
    bundleWithAndWithoutPlugin(lazyDir);
  }, 60_000);

  afterAll(() => rmSync(lazyDir, { recursive: true, force: true }));

  function run(bundle: string) {
    const script = `
      const loaded = () => ['zlib', 'assert', 'fs/promises'].filter((n) => process.moduleLoadList.includes('NativeModule ' + n));
      const m = await import(${JSON.stringify(join(lazyDir, bundle))});
      const atImport = loaded();
      const crc = m.crc32(Buffer.from('123456789')).toString(16);
      m.check(true, 'fine');
      let thrown = '';
      try { m.check(false, 'sonic.fd must be a number'); } catch (e) { thrown = e.name + ': ' + e.message; }
      const config = await m.readFile(${JSON.stringify(join(lazyDir, 'config'))});
      const missing = await m.readFile(${JSON.stringify(join(lazyDir, 'no-such-file'))}).then(() => 'read', (e) => e.code);
      process.stdout.write(JSON.stringify({ atImport, crc, thrown, config, missing, afterUse: loaded() }));`;
    return JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      }),
    ) as { atImport: string[]; crc: string; thrown: string; config: string; missing: string; afterUse: string[] };
  }

  test('with the plugin: none is loaded by the import, and each stand-in answers as the built-in', () => {
    expect(run('with.mjs')).toEqual({
      atImport: [],
      // The standard CRC-32 check value.
      crc: 'cbf43926',
      thrown: 'AssertionError: sonic.fd must be a number',
      config: '[default]\nregion = eu-west-1\n',
      missing: 'ENOENT',
      // zlib and assert on their first call; fs/promises never (node:fs answers the read).
      afterUse: ['zlib', 'assert'],
    });
  });

  test('without it (the broken fixture), all three are loaded by the import', () => {
    expect(run('without.mjs')).toMatchObject({ atImport: ['zlib', 'assert', 'fs/promises'], missing: 'ENOENT' });
  });
});
