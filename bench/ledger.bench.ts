/**
 * Ledger benchmark, ours vs the common way, in one run on one DynamoDB Local:
 * - DynamoDB requests per event on the common path (new rendered job) and the duplicate path;
 * - events/s at concurrency 1, 8, 32;
 * - bundle sizes and median module-import time of each bundle in a fresh process.
 * Prints a table and writes bench/results/ledger.json. `npx tsx bench/ledger.bench.ts [--events N]`
 */
import { build } from 'esbuild';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { tableNamesForWorkspace } from '../shared/tables';
import { medianImportMs } from './support/import-time';
import {
  baselineProcessor,
  countingClient,
  measure,
  measureInTurns,
  oursProcessor,
  renderedEvents,
  seed,
} from './support/ledger-setup';

const root = join(import.meta.dirname, '..');
const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1500;

export async function runLedgerBench(endpoint: string) {
  const ours = countingClient(endpoint);
  const base = countingClient(endpoint);
  const ourTables = tableNamesForWorkspace('bench');
  const baseTables = tableNamesForWorkspace('base');
  await seed('ours', ours.client, ourTables);
  await seed('base', base.client, baseTables);
  const ourProcess = oursProcessor(ours.client, ourTables);
  const baseProcess = await baselineProcessor(base.client, baseTables, 'Idempotency-base');

  const rows: { concurrency: number; ours: number; baseline: number; ratio: number }[] = [];
  const paths = { ours: { common: 0, duplicate: 0 }, baseline: { common: 0, duplicate: 0 } };
  for (const concurrency of [1, 8, 32]) {
    const n = concurrency === 1 ? Math.min(EVENTS, 400) : EVENTS;
    const ourEvents = renderedEvents(`o${concurrency}`, n);
    const baseEvents = renderedEvents(`b${concurrency}`, n);
    // Warm both paths (connections, JIT) before measuring.
    await measure(ourProcess, ours.counter, renderedEvents(`ow${concurrency}`, 50), concurrency);
    await measure(baseProcess, base.counter, renderedEvents(`bw${concurrency}`, 50), concurrency);
    const { ours: o, baseline: b } = await measureInTurns(
      {
        ours: { process: ourProcess, counter: ours.counter, events: ourEvents },
        baseline: { process: baseProcess, counter: base.counter, events: baseEvents },
      },
      concurrency,
    );
    rows.push({
      concurrency,
      ours: o.eventsPerSecond,
      baseline: b.eventsPerSecond,
      ratio: o.eventsPerSecond / b.eventsPerSecond,
    });
    if (concurrency === 8) {
      paths.ours.common = o.requestsPerEvent;
      paths.baseline.common = b.requestsPerEvent;
      paths.ours.duplicate = (await measure(ourProcess, ours.counter, ourEvents, concurrency)).requestsPerEvent;
      paths.baseline.duplicate = (await measure(baseProcess, base.counter, baseEvents, concurrency)).requestsPerEvent;
    }
  }
  return { rows, paths };
}

export async function bundleComparison() {
  const { buildAll, bundleOptions } = await import('../build.mjs' as string);
  const ours = (await buildAll({ quiet: true })) as { handler: string; bundleBytes: number; zipBytes: number }[];
  const outDir = join(root, 'bench', '.out', 'baseline-debit');
  mkdirSync(outDir, { recursive: true });
  const baselineFile = join(outDir, 'index.mjs');
  await build({
    ...bundleOptions,
    entryPoints: [join(root, 'bench', 'baseline', 'debit-entry.ts')],
    outfile: baselineFile,
  });
  const bundles = ours.map((b) => ({
    name: b.handler,
    bundleBytes: b.bundleBytes,
    zipBytes: b.zipBytes,
    importMs: medianImportMs(join(root, 'dist', b.handler, 'index.mjs')),
  }));
  bundles.push({
    name: 'baseline-debit (Powertools-style)',
    bundleBytes: statSync(baselineFile).size,
    zipBytes: 0,
    importMs: medianImportMs(baselineFile),
  });
  return bundles;
}

const f1 = (n: number) => n.toFixed(1);

export function printLedger(
  result: Awaited<ReturnType<typeof runLedgerBench>>,
  bundles: Awaited<ReturnType<typeof bundleComparison>>,
) {
  console.log('\nDynamoDB requests per event           ours   baseline');
  console.log(
    `  common path (new rendered job)    ${f1(result.paths.ours.common).padStart(6)} ${f1(result.paths.baseline.common).padStart(10)}`,
  );
  console.log(
    `  duplicate path (same event again) ${f1(result.paths.ours.duplicate).padStart(6)} ${f1(result.paths.baseline.duplicate).padStart(10)}`,
  );
  console.log('\nevents/s    concurrency      ours   baseline   ratio');
  for (const r of result.rows)
    console.log(
      `            ${String(r.concurrency).padStart(11)} ${f1(r.ours).padStart(9)} ${f1(r.baseline).padStart(10)} ${r.ratio.toFixed(2).padStart(7)}x`,
    );
  console.log('\nbundle                               size KiB   median import ms');
  for (const b of bundles)
    console.log(`  ${b.name.padEnd(34)} ${f1(b.bundleBytes / 1024).padStart(9)} ${f1(b.importMs).padStart(18)}`);
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024 });
  try {
    const ledger = await runLedgerBench(dynamo.endpoint);
    const bundles = await bundleComparison();
    printLedger(ledger, bundles);
    const result = {
      measuredAt: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
      events: EVENTS,
      ...ledger,
      bundles,
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'ledger.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await dynamo.stop();
  }
}

if (process.argv[1] === import.meta.filename) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
