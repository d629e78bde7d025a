/**
 * CLI cold start (issue 15): wall time of a fresh `node dist/cli/reconciler.mjs` process for `--help`
 * and for `balance` against DynamoDB Local, against the checkout's tsx entry for comparison. Prints
 * median and p90 over N runs. Needs `make build` first.
 *
 *   npx tsx bench/cli-cold-start.bench.ts [runs=15]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { createTables, deleteTables } from '../local/tables';
import { tableNamesForWorkspace } from '../shared/tables';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'dist', 'cli', 'reconciler.mjs');
const runs = Number(process.argv[2] ?? 15);

function timeRuns(entry: string, args: string[], env: NodeJS.ProcessEnv): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [entry, ...args], { env, encoding: 'utf8' });
    times.push(performance.now() - started);
    if (run.status !== 0) throw new Error(`${entry} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  }
  return times.sort((a, b) => a - b);
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const line = (label: string, t: number[]) =>
  console.log(
    `${label.padEnd(34)} median ${at(t, 0.5).toFixed(0).padStart(5)} ms   p90 ${at(t, 0.9).toFixed(0).padStart(5)} ms`,
  );

async function main() {
  if (!existsSync(bundle)) throw new Error('dist/cli/reconciler.mjs is missing: run `make build` first');
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal();
  const tables = tableNamesForWorkspace('bench-cli');
  const client = makeDynamoDbClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
  try {
    await createTables(client, tables);
    const env = {
      ...process.env,
      NODE_OPTIONS: '',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      WORKSPACE: 'bench-cli',
    };
    console.log(`CLI cold start, ${runs} fresh processes each (Node ${process.versions.node})`);
    line('bundle   --help', timeRuns(bundle, ['--help'], env));
    line('bundle   balance --user u1', timeRuns(bundle, ['balance', '--user', 'u1'], env));
    line('checkout --help (tsx)', timeRuns(join(root, 'bin', 'reconciler.js'), ['--help'], env));
    line(
      'checkout balance --user u1 (tsx)',
      timeRuns(join(root, 'bin', 'reconciler.js'), ['balance', '--user', 'u1'], env),
    );
  } finally {
    await deleteTables(client, tables).catch(() => undefined);
    client.destroy();
    await dynamo.stop();
  }
}

await main();
