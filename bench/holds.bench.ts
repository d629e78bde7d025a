/**
 * Holds benchmark on DynamoDB Local: DynamoDB requests per reserve (new, repeated, refused) and per
 * capture and release (with the event's hold hint, and without it), split into writes and reads,
 * and reserves/s at concurrency 8. Prints a table and writes bench/results/holds.json.
 *   npx tsx bench/holds.bench.ts [--reserves N]
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { parseVideoEvent } from '../shared/events/parse-video-event';
import { reserveHold, type HoldLimits } from '../shared/ledger/holds';
import { grantCredits } from '../shared/ledger/manual-entries';
import { settleEvent } from '../shared/ledger/settle';
import { createTables } from '../local/tables';
import { forEachBounded } from '../shared/pool';
import { DEFAULT_PRICE_BOOK } from '../shared/pricing';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';

const root = join(import.meta.dirname, '..');
const USERS = 100;
const LIMITS: HoldLimits = { defaultSeconds: 3_600 };
const argIndex = process.argv.indexOf('--reserves');
const RESERVES = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1000;

const WRITES = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand', 'PutItemCommand']);

function countingClient(endpoint: string) {
  const client = makeDynamoDbClient({ endpoint, region: 'us-east-1', maxAttempts: 3 });
  const counter = { writes: 0, reads: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(context.commandName ?? '')) counter.writes++;
      else counter.reads++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCounter' },
  );
  return { client, counter };
}

type Counter = ReturnType<typeof countingClient>['counter'];
interface PerOperation {
  writes: number;
  reads: number;
  requests: number;
}

/** Runs `operation` over `items` and returns the requests each cost on average. */
async function perOperation<T>(
  counter: Counter,
  items: T[],
  concurrency: number,
  operation: (item: T) => Promise<unknown>,
): Promise<PerOperation & { perSecond: number }> {
  const before = { ...counter };
  const started = performance.now();
  await forEachBounded(items, concurrency, operation);
  const seconds = (performance.now() - started) / 1000;
  const writes = (counter.writes - before.writes) / items.length;
  const reads = (counter.reads - before.reads) / items.length;
  return { writes, reads, requests: writes + reads, perSecond: items.length / seconds };
}

const rendered = (jobId: string, userId: string, hold?: number) => ({
  version: '0',
  id: `ev-${jobId}-r`,
  'detail-type': 'video.rendered',
  source: 'video.generation',
  account: '123456789012',
  time: '2026-12-02T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    jobId,
    userId,
    seconds: 8,
    model: 'gen-standard',
    ...(hold === undefined ? {} : { hold: { credits: hold } }),
  },
});
const failed = (jobId: string, userId: string, hold?: number) => ({
  ...rendered(jobId, userId, hold),
  id: `ev-${jobId}-f`,
  'detail-type': 'video.failed',
  detail: { ...rendered(jobId, userId, hold).detail, reason: 'bench' },
});

async function seed(client: DynamoDBClient, tables: TableNames, poorUser: string): Promise<void> {
  await createTables(client, tables);
  await forEachBounded(
    Array.from({ length: USERS }, (_, i) => i),
    16,
    (i) =>
      grantCredits(
        { dynamodb: client, tables },
        { userId: `user-${i}`, credits: 10_000_000, reference: `open-${i}`, description: 'bench' },
      ),
  );
  await grantCredits(
    { dynamodb: client, tables },
    { userId: poorUser, credits: 1, reference: 'open-poor', description: 'bench' },
  );
}

export async function runHoldsBench(endpoint: string) {
  const { client, counter } = countingClient(endpoint);
  const tables = tableNamesForWorkspace('holds-bench');
  await seed(client, tables, 'poor');
  const deps = { dynamodb: client, tables };
  const jobs = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ jobId: `${prefix}-${i}`, userId: `user-${i % USERS}` }));
  const reserve = (j: { jobId: string; userId: string }) => reserveHold(deps, { ...j, credits: 10 }, LIMITS);
  const settle = (raw: unknown, kind: 'rendered' | 'failed') => {
    const { event, priceCredits } = parseVideoEvent(raw, DEFAULT_PRICE_BOOK, kind);
    return settleEvent(deps, event, priceCredits);
  };

  await perOperation(counter, jobs('warm', 100), 8, reserve);
  const held = jobs('h', RESERVES);
  const newReserve = await perOperation(counter, held, 8, reserve);
  const repeated = await perOperation(counter, held, 8, reserve);
  const refused = await perOperation(
    counter,
    jobs('p', 200).map((j) => ({ ...j, userId: 'poor' })),
    8,
    reserve,
  );
  const half = Math.floor(RESERVES / 2);
  const captureHinted = await perOperation(counter, held.slice(0, half), 8, (j) =>
    settle(rendered(j.jobId, j.userId, 10), 'rendered'),
  );
  const captureUnhinted = await perOperation(counter, held.slice(half), 8, (j) =>
    settle(rendered(j.jobId, j.userId), 'rendered'),
  );
  const released = jobs('r', 400);
  await perOperation(counter, released, 8, reserve);
  const releaseHinted = await perOperation(counter, released.slice(0, 200), 8, (j) =>
    settle(failed(j.jobId, j.userId, 10), 'failed'),
  );
  const releaseUnhinted = await perOperation(counter, released.slice(200), 8, (j) =>
    settle(failed(j.jobId, j.userId), 'failed'),
  );
  const plainDebit = await perOperation(counter, jobs('plain', 400), 8, (j) =>
    settle(rendered(j.jobId, j.userId), 'rendered'),
  );
  return {
    reserves: RESERVES,
    rows: {
      'reserve (new hold)': newReserve,
      'reserve (same request again)': repeated,
      'reserve (refused: insufficient credits)': refused,
      'capture (video.rendered with detail.hold)': captureHinted,
      'capture (video.rendered without the hint)': captureUnhinted,
      'release (video.failed with detail.hold)': releaseHinted,
      'release (video.failed without the hint)': releaseUnhinted,
      'plain debit (no hold, for comparison)': plainDebit,
    },
  };
}

const f2 = (n: number) => n.toFixed(2);

export function printHolds(result: Awaited<ReturnType<typeof runHoldsBench>>): void {
  console.log(`\nDynamoDB requests per operation (${result.reserves} reserves, concurrency 8)`);
  console.log('  operation                                      writes  reads  requests   ops/s');
  for (const [name, r] of Object.entries(result.rows)) {
    console.log(
      `  ${name.padEnd(45)} ${f2(r.writes).padStart(6)} ${f2(r.reads).padStart(6)} ${f2(r.requests).padStart(9)} ${r.perSecond.toFixed(0).padStart(7)}`,
    );
  }
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024 });
  try {
    const result = await runHoldsBench(dynamo.endpoint);
    printHolds(result);
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(root, 'bench', 'results', 'holds.json'),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, ...result }, null, 2)}\n`,
    );
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
