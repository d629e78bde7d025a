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
import { isBuiltin } from 'node:module';

const NAMESPACE = 'builtin-by-require';

export const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(context) {
    context.onResolve({ filter: /^[a-z0-9:_/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      // The shim's own require() stays what it is: an external require of the built-in.
      if (args.namespace === NAMESPACE) return { path: args.path, external: true };
      return { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, namespace: NAMESPACE };
    });
    context.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
