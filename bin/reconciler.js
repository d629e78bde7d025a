#!/usr/bin/env node
// Operator CLI entry point (`npx reconciler …`). Runs the TypeScript sources through tsx so that
// a checkout needs no build step; see cli/main.ts for the commands and exit codes.
//
// The CLI runs on Node 24, the Lambda runtime's major. When started by an older `node` (the
// machine's), it re-runs itself with the project's own Node 24 (tools/node, installed by `make
// install`), so an operator's `npx reconciler` behaves exactly like the tested one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const WANTED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
const projectNode = join(import.meta.dirname ?? '', '..', 'tools', 'node', 'node_modules', '.bin', 'node');

if (major !== WANTED_MAJOR && existsSync(projectNode)) {
  const run = spawnSync(projectNode, [process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches both processes; end the way the child ended.
  if (run.signal) process.kill(process.pid, run.signal);
  process.exit(run.status ?? 70);
}
if (major !== WANTED_MAJOR) {
  process.stderr.write(
    `reconciler: running on Node ${process.versions.node}; it is tested on Node ${WANTED_MAJOR} (run \`make install\` to get the project's own, or \`nvm use ${WANTED_MAJOR}\`)\n`,
  );
}

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
