// Bundles each handler under functions/ into dist/<handler>/index.mjs (ESM, minified, AWS SDK v3
// bundled at the pinned version rather than whatever the runtime ships) and zips it to
// dist/<handler>.zip for Terraform, with the license of every package bundled into it
// (THIRD-PARTY-LICENSES.txt, from esbuild's metafile: the packages' own LICENSE files). The source map stays beside the bundle as a build artifact, out of the zip:
// the functions do not run with --enable-source-maps, so in the zip it would only be dead weight
// (about 2 MB) and the full source for anyone allowed lambda:GetFunction. Prints each bundle's size.
import { build } from 'esbuild';
import { createWriteStream, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { builtinsByRequire } from './scripts/build/builtins-by-require.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

// ESM output with CommonJS dependencies (pino, ajv runtime) needs a real `require`.
const REQUIRE_BANNER = [
  "import { createRequire as __reconcilerCreateRequire } from 'node:module';",
  'const require = __reconcilerCreateRequire(import.meta.url);',
].join('\n');

export function handlerNames() {
  return readdirSync(join(root, 'functions'))
    .filter((name) => existsSync(join(root, 'functions', name, 'index.ts')))
    .sort();
}

/** Options shared with the bench, which bundles its baseline handler the same way. */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_BANNER },
  // Inline notices are dropped; every bundled package's license ships beside the code instead.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

function zip(handler) {
  return new Promise((resolve, reject) => {
    const archive = new yazl.ZipFile();
    // Fixed mtime: the same code gives the same zip, so Terraform's source_code_hash only changes
    // when the code does.
    const options = { mtime: new Date('2000-01-01T00:00:00Z'), mode: 0o100644 };
    archive.addFile(join(dist, handler, 'index.mjs'), 'index.mjs', options);
    archive.addFile(join(dist, handler, LICENSES_FILE), LICENSES_FILE, options);
    archive.end();
    const target = join(dist, `${handler}.zip`);
    archive.outputStream
      .pipe(createWriteStream(target))
      .on('close', () => resolve(target))
      .on('error', reject);
  });
}

const LICENSES_FILE = 'THIRD-PARTY-LICENSES.txt';

/** The package directory (under node_modules) of every bundled input, from esbuild's metafile. */
function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]);
  }
  return [...dirs].sort();
}

/** Each distinct license text once, preceded by the bundled packages (name@version) it covers. */
function licensesText(metafile) {
  const byText = new Map();
  for (const dir of bundledPackages(metafile)) {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(root, dir)).find((name) => /^(licen[cs]e|copying)(\..*)?$/i.test(name));
    const text = file ? readFileSync(join(root, dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'not stated'}`;
    byText.set(text, [...(byText.get(text) ?? []), `${pkg.name}@${pkg.version}`]);
  }
  const sections = [...byText].map(([text, packages]) => `${packages.join('\n')}\n${'-'.repeat(60)}\n${text}\n`);
  return `Packages bundled into this function, and their licenses.\n\n${sections.join('\n')}`;
}

/**
 * What only the handler bundles get on top of bundleOptions (the baseline keeps the common build):
 * the SDK's default credential chain is cut to the environment, the one link Lambda uses
 * (scripts/build/lambda-credentials.mjs says why), pino's transports are left out
 * (scripts/build/no-thread-stream.cjs), and Node's built-ins are loaded with require()
 * rather than import (scripts/build/builtins-by-require.mjs says why).
 */
const lambdaCredentials = {
  name: 'lambda-credentials',
  setup(context) {
    context.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: join(root, 'scripts', 'build', 'lambda-credentials.mjs'),
    }));
  },
};
/** pino's worker-thread transports, which no handler starts (scripts/build/no-thread-stream.cjs says why). */
const noThreadStream = {
  name: 'no-thread-stream',
  setup(context) {
    context.onResolve({ filter: /^thread-stream$/ }, () => ({
      path: join(root, 'scripts', 'build', 'no-thread-stream.cjs'),
    }));
  },
};
export const handlerBundleOptions = {
  ...bundleOptions,
  plugins: [lambdaCredentials, noThreadStream, builtinsByRequire],
};

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function buildAll({ quiet = false } = {}) {
  rmSync(dist, { recursive: true, force: true });
  const results = [];
  for (const handler of handlerNames()) {
    const { metafile } = await build({
      ...handlerBundleOptions,
      entryPoints: [join(root, 'functions', handler, 'index.ts')],
      outfile: join(dist, handler, 'index.mjs'),
    });
    writeFileSync(join(dist, handler, LICENSES_FILE), licensesText(metafile));
    writeFileSync(join(dist, handler, 'meta.json'), JSON.stringify(metafile));
    const zipPath = await zip(handler);
    results.push({
      handler,
      bundleBytes: statSync(join(dist, handler, 'index.mjs')).size,
      zipBytes: statSync(zipPath).size,
    });
  }
  if (!quiet) {
    console.log('handler        bundle       zip');
    for (const r of results)
      console.log(`${r.handler.padEnd(14)} ${kib(r.bundleBytes).padStart(10)} ${kib(r.zipBytes).padStart(10)}`);
  }
  return results;
}

/**
 * The operator CLI as shipped software: one plain-JS file, dist/cli/reconciler.mjs (package.json
 * `bin`), with its dependencies bundled, so it starts without tsx or any devDependency. Not
 * minified: an operator's stack trace should read like the source.
 */
export async function buildCli({ quiet = false, outDir = join(dist, 'cli') } = {}) {
  const outfile = join(outDir, 'reconciler.mjs');
  const { metafile } = await build({
    ...bundleOptions,
    minify: false,
    entryPoints: [join(root, 'cli', 'entry.ts')],
    outfile,
    banner: { js: `#!/usr/bin/env node\n${REQUIRE_BANNER}` },
  });
  writeFileSync(join(outDir, LICENSES_FILE), licensesText(metafile));
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(metafile));
  if (!quiet) console.log(`${'cli'.padEnd(14)} ${kib(statSync(outfile).size).padStart(10)}`);
  return { outfile, metafile };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll()
    .then(() => buildCli())
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
