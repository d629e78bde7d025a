// An esbuild plugin for the handler bundles: every Node built-in (`node:fs`, `https`, …) is loaded
// with require(), the bundle's banner one, instead of being left as an ESM `import`.
//
// Why: Node 24 builds a built-in's ESM facade by reading every one of its exports, and reading runs
// the module's lazy getters. `import { lstatSync } from "node:fs"` (the SDK's config loader) makes
// Node read `fs.ReadStream`, which loads the whole streams implementation; `import("node:http")`
// (the SDK's plain-http path) reads `http.WebSocket`, which loads undici. Measured on this
// machine: about 14 ms and 30 ms of a cold start that the handler never uses. require() returns
// the module object itself, and esbuild reads each imported name from it where the code uses it,
// so a getter runs only if the handler really touches it.
//
// A few packages require a built-in when they load but call it only later, or use one function of a
// large one; those importers get a small stand-in instead (LAZY below). Under Lambda's --expose-gc
// every built-in is compiled from source, so each one avoided is a few ms of every cold start.
import { isBuiltin } from 'node:module';

const NAMESPACE = 'builtin-by-require';
const LAZY_NAMESPACE = 'builtin-on-first-call';

/**
 * importer (a path under node_modules) → built-in → the stand-in it gets. Each stand-in offers exactly
 * what that importer uses, checked against its source:
 * - @smithy/core's Crc32Node reads `zlib.crc32` at load (to choose the native CRC32 when Node has it,
 *   which Node 24 always does) and calls it only to checksum a payload, which DynamoDB requests don't;
 * - the SDK's shared config file loader calls `readFile(path, 'utf8')` of node:fs/promises (once per
 *   process, for settings the environment does not give); fs/promises also loads readline and the REPL
 *   history, so the stand-in answers the same call with node:fs's readFile through util.promisify;
 * - sonic-boom (pino's destination) and thread-stream (pino's transports; the handler bundles leave
 *   it out, build.mjs, but another bundle may not) call `assert(cond, message)` only when a
 *   destination closes or a transport drains.
 */
const LAZY = [
  {
    importer: /node_modules\/@smithy\/core\/dist-(es|cjs)\/submodules\/checksum\/crc32\/Crc32Node\.js$/,
    builtin: 'node:zlib',
    contents: `let zlib;
module.exports = { crc32: (...args) => (zlib ??= require('node:zlib')).crc32(...args) };`,
  },
  {
    importer:
      /node_modules\/@smithy\/core\/dist-(es|cjs)\/submodules\/config\/shared-ini-file-loader\/(readFile|getSSOTokenFromFile)\.js$/,
    builtin: 'node:fs/promises',
    contents: `module.exports = { readFile: require('node:util').promisify(require('node:fs').readFile) };`,
  },
  {
    importer: /node_modules\/(sonic-boom|thread-stream)\/index\.js$/,
    builtin: 'node:assert',
    contents: `let assert;
module.exports = (...args) => (assert ??= require('node:assert'))(...args);`,
  },
];

const normalised = (path) => (path.startsWith('node:') ? path : `node:${path}`);

export const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(context) {
    context.onResolve({ filter: /^[a-z0-9:_/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      // A shim's own require() stays what it is: an external require of the built-in.
      if (args.namespace === NAMESPACE || args.namespace === LAZY_NAMESPACE) return { path: args.path, external: true };
      const builtin = normalised(args.path);
      const lazy = LAZY.findIndex((l) => l.builtin === builtin && l.importer.test(args.importer));
      if (lazy >= 0) return { path: String(lazy), namespace: LAZY_NAMESPACE };
      return { path: builtin, namespace: NAMESPACE };
    });
    context.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    context.onLoad({ filter: /.*/, namespace: LAZY_NAMESPACE }, (args) => ({
      contents: LAZY[Number(args.path)].contents,
      loader: 'js',
    }));
  },
};
