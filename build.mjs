// Bundles each handler under functions/ into dist/<handler>/index.mjs (ESM, minified, source map,
// AWS SDK v3 bundled at the pinned version rather than whatever the runtime ships) and zips it to
// dist/<handler>.zip for Terraform. Prints each bundle's size.
import { build } from 'esbuild';
import { createWriteStream, readdirSync, statSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

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
  legalComments: 'none',
  logLevel: 'warning',
};

function zip(handler) {
  return new Promise((resolve, reject) => {
    const archive = new yazl.ZipFile();
    // Fixed mtime: the same code gives the same zip, so Terraform's source_code_hash only changes
    // when the code does.
    const options = { mtime: new Date('2000-01-01T00:00:00Z'), mode: 0o100644 };
    archive.addFile(join(dist, handler, 'index.mjs'), 'index.mjs', options);
    archive.addFile(join(dist, handler, 'index.mjs.map'), 'index.mjs.map', options);
    archive.end();
    const target = join(dist, `${handler}.zip`);
    archive.outputStream.pipe(createWriteStream(target)).on('close', () => resolve(target)).on('error', reject);
  });
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function buildAll({ quiet = false } = {}) {
  rmSync(dist, { recursive: true, force: true });
  const results = [];
  for (const handler of handlerNames()) {
    await build({ ...bundleOptions, entryPoints: [join(root, 'functions', handler, 'index.ts')], outfile: join(dist, handler, 'index.mjs') });
    const zipPath = await zip(handler);
    results.push({ handler, bundleBytes: statSync(join(dist, handler, 'index.mjs')).size, zipBytes: statSync(zipPath).size });
  }
  if (!quiet) {
    console.log('handler        bundle       zip');
    for (const r of results) console.log(`${r.handler.padEnd(14)} ${kib(r.bundleBytes).padStart(10)} ${kib(r.zipBytes).padStart(10)}`);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
