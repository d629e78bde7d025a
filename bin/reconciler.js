#!/usr/bin/env node
// Operator CLI entry point (`npx reconciler …`). Runs the TypeScript sources through tsx so that
// a checkout needs no build step; see cli/main.ts for the commands and exit codes.
require('tsx/cjs');
const { main } = require('../cli/main.ts');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
