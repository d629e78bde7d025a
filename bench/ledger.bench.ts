/**
 * Ledger benchmark, ours vs the common way, in one run on one DynamoDB Local:
 * - DynamoDB requests per event on the common path (new rendered job) and the duplicate path;
 * - events/s at concurrency 1, 8, 32;
 * - bundle sizes and median module-import time of each bundle in a fresh process.
 * Prints a table and writes bench/results/ledger.json. `npx tsx bench/ledger.bench.ts [--events N]`
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { createTables } from '../local/tables';
import { grantCredits } from '../shared/ledger/manual-entries';
import { settleEvent } from '../shared/ledger/settle';
import { parseVideoEvent } from '../shared/events/parse-video-event';
import { DEFAULT_PRICE_BOOK } from '../shared/pricing';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';
import { createBaselineDebit, IDEMPOTENCY_TABLE_DEFINITION } from './baseline/powertools-debit';
import { medianImportMs } from './support/import-time';
import { forEachBounded } from '../shared/pool';

const root = join(import.meta.dirname, '..');
const USERS = 200;
const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1500;

function countingClient(endpoint: string) {
  const client = makeDynamoDbClient({ endpoint, region: 'us-east-1', maxAttempts: 3 });
  const counter = { requests: 0 };
  client.middlewareStack.add((next) => async (args) => { counter.requests++; return next(args); }, { step: 'finalizeRequest', name: 'benchCounter' });
  return { client, counter };
}

function renderedEvents(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    version: '0', id: `${prefix}-ev-${i}`, 'detail-type': 'video.rendered', source: 'video.generation', account: '123456789012',
    time: '2026-11-23T10:00:00Z', region: 'us-east-1', resources: [],
    detail: { jobId: `${prefix}-job-${i}`, userId: `user-${i % USERS}`, seconds: 6, model: 'gen-standard' },
  }));
}

async function seed(label: string, client: DynamoDBClient, tables: TableNames) {
  await createTables(client, tables);
  await forEachBounded(Array.from({ length: USERS }, (_, i) => i), 16, (i) =>
    grantCredits({ dynamodb: client, tables }, { userId: `user-${i}`, credits: 10_000_000, reference: `${label}-open-${i}`, description: 'bench' }));
}

type Processor = (event: ReturnType<typeof renderedEvents>[number]) => Promise<unknown>;

async function measure(process: Processor, counter: { requests: number }, events: ReturnType<typeof renderedEvents>, concurrency: number) {
  const before = counter.requests;
  const started = performance.now();
  await forEachBounded(events, concurrency, (e) => process(e));
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: events.length / seconds, requestsPerEvent: (counter.requests - before) / events.length };
}

export async function runLedgerBench(endpoint: string) {
  const ours = countingClient(endpoint);
  const base = countingClient(endpoint);
  const ourTables = tableNamesForWorkspace('bench');
  const baseTables = tableNamesForWorkspace('base');
  await seed('ours', ours.client, ourTables);
  await seed('base', base.client, baseTables);
  await base.client.send(new CreateTableCommand({ TableName: 'Idempotency-base', ...IDEMPOTENCY_TABLE_DEFINITION }));

  const ourProcess: Processor = async (raw) => {
    const { event, priceCredits } = parseVideoEvent(raw, DEFAULT_PRICE_BOOK, 'rendered');
    return settleEvent({ dynamodb: ours.client, tables: ourTables }, event, priceCredits);
  };
  const baselineHandler = createBaselineDebit(base.client, baseTables, 'Idempotency-base');
  // Called as Lambda calls a handler, with a context: Powertools then registers it (in-progress expiry
  // from the remaining time) instead of warning once per event that it cannot.
  const lambdaContext = {
    callbackWaitsForEmptyEventLoop: false, functionName: 'baseline-debit', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baseline-debit',
    memoryLimitInMB: '512', awsRequestId: 'bench', logGroupName: '/aws/lambda/baseline-debit', logStreamName: 'bench', getRemainingTimeInMillis: () => 30_000,
  };
  const baseProcess: Processor = (raw) => (baselineHandler as (event: unknown, context: unknown) => Promise<unknown>)(raw, lambdaContext);

  const rows: { concurrency: number; ours: number; baseline: number; ratio: number }[] = [];
  const paths = { ours: { common: 0, duplicate: 0 }, baseline: { common: 0, duplicate: 0 } };
  for (const concurrency of [1, 8, 32]) {
    const n = concurrency === 1 ? Math.min(EVENTS, 400) : EVENTS;
    const ourEvents = renderedEvents(`o${concurrency}`, n);
    const baseEvents = renderedEvents(`b${concurrency}`, n);
    // Warm both paths (connections, JIT) before measuring.
    await measure(ourProcess, ours.counter, renderedEvents(`ow${concurrency}`, 50), concurrency);
    await measure(baseProcess, base.counter, renderedEvents(`bw${concurrency}`, 50), concurrency);
    const o = await measure(ourProcess, ours.counter, ourEvents, concurrency);
    const b = await measure(baseProcess, base.counter, baseEvents, concurrency);
    rows.push({ concurrency, ours: o.eventsPerSecond, baseline: b.eventsPerSecond, ratio: o.eventsPerSecond / b.eventsPerSecond });
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
  await build({ ...bundleOptions, entryPoints: [join(root, 'bench', 'baseline', 'debit-entry.ts')], outfile: baselineFile });
  const bundles = ours.map((b) => ({ name: b.handler, bundleBytes: b.bundleBytes, zipBytes: b.zipBytes, importMs: medianImportMs(join(root, 'dist', b.handler, 'index.mjs')) }));
  bundles.push({ name: 'baseline-debit (Powertools-style)', bundleBytes: statSync(baselineFile).size, zipBytes: 0, importMs: medianImportMs(baselineFile) });
  return bundles;
}

const f1 = (n: number) => n.toFixed(1);

export function printLedger(result: Awaited<ReturnType<typeof runLedgerBench>>, bundles: Awaited<ReturnType<typeof bundleComparison>>) {
  console.log('\nDynamoDB requests per event           ours   baseline');
  console.log(`  common path (new rendered job)    ${f1(result.paths.ours.common).padStart(6)} ${f1(result.paths.baseline.common).padStart(10)}`);
  console.log(`  duplicate path (same event again) ${f1(result.paths.ours.duplicate).padStart(6)} ${f1(result.paths.baseline.duplicate).padStart(10)}`);
  console.log('\nevents/s    concurrency      ours   baseline   ratio');
  for (const r of result.rows) console.log(`            ${String(r.concurrency).padStart(11)} ${f1(r.ours).padStart(9)} ${f1(r.baseline).padStart(10)} ${r.ratio.toFixed(2).padStart(7)}x`);
  console.log('\nbundle                               size KiB   median import ms');
  for (const b of bundles) console.log(`  ${b.name.padEnd(34)} ${f1(b.bundleBytes / 1024).padStart(9)} ${f1(b.importMs).padStart(18)}`);
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024 });
  try {
    const ledger = await runLedgerBench(dynamo.endpoint);
    const bundles = await bundleComparison();
    printLedger(ledger, bundles);
    const result = { measuredAt: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, events: EVENTS, ...ledger, bundles };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'ledger.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await dynamo.stop();
  }
}

if (process.argv[1] === import.meta.filename) {
  main().catch((error) => { console.error(error); process.exit(1); });
}
