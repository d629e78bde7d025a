/**
 * Sweep cost vs settled history: one run of the sweep over a Jobs table holding 1,000 and then
 * 100,000 already-settled jobs (debited long ago: on the `debited` index, with their settlements),
 * with the same 100 stragglers and 10 lost refunds (debited jobs whose status became failed since
 * the last run: the refund backstop's work) each time. Counts the DynamoDB
 * requests the sweep sends (an SDK middleware, one count per HTTP attempt) and its wall time,
 * next to what a naive full-table Scan would need. The ratio (100k / 1k) must stay close to 1.
 *
 *   npx tsx bench/sweep.bench.ts            # writes bench/results/sweep.json
 *   SWEEP_BENCH_SIZES=1000,20000 npx tsx bench/sweep.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PutItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { grantCredits } from '../shared/ledger/manual-entries';
import { createTables, putItemsInBatches } from '../local/tables';
import { settleEvent } from '../shared/ledger/settle';
import { runSweep, type SweepResult } from '../shared/sweep';
import { debitedShardOf } from '../shared/sweep/jobs-index';
import { SWEEP_SHARD_COUNT, tableNamesForWorkspace, type TableNames } from '../shared/tables';
// @ts-expect-error -- a plain ESM helper without type declarations
import { startDynamoDbLocal } from '../scripts/local/dynamodb-local.mjs';

const SIZES = (process.env.SWEEP_BENCH_SIZES ?? '1000,100000').split(',').map((s) => Number(s.trim()));
const STRAGGLERS = 100;
const STRAGGLER_USERS = 20;
/** Sweep runs per size (interleaved across sizes), each over 100 fresh stragglers; the median time is reported. */
const REPEATS = 5;
const WARMUP_RUNS = 3;
const SEED_CONCURRENCY = 16;
const MAX_BATCH_ATTEMPTS = 20;
const RESULTS = join(import.meta.dirname, 'results', 'sweep.json');

/** Counts every HTTP attempt the client makes (the deserialize step runs once per attempt). */
function countingClient(endpoint: string): { client: DynamoDBClient; counter: { requests: number } } {
  const client = makeDynamoDbClient({ endpoint, region: 'us-east-1', maxAttempts: 3 });
  const counter = { requests: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.requests++;
      return next(args);
    },
    { step: 'deserialize', name: 'sweepBenchCounter' },
  );
  return { client, counter };
}

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });

const histId = (i: number) => `hist-${String(i).padStart(7, '0')}`;

/** A job as the producer left it long ago, after the sweep moved it from `unsettled` to `debited`. */
function settledJob(i: number, at: string): Record<string, AttributeValue> {
  return {
    jobId: s(histId(i)),
    userId: s(`hist-user-${i % 5_000}`),
    model: s('gen-standard'),
    seconds: n(12),
    status: s('rendered'),
    createdAt: s(at),
    updatedAt: s(at),
    debitedShard: s(debitedShardOf(histId(i))),
  };
}

/** Its settlement, in the reconciler's own table. */
function settlementOf(i: number, at: string): Record<string, AttributeValue> {
  return {
    jobId: s(histId(i)),
    settlement: s('DEBITED'),
    charged: n(12),
    refunded: n(0),
    settledAt: s(at),
    settledUserId: s(`hist-user-${i % 5_000}`),
    renderedEventId: s(`evt-${histId(i)}`),
  };
}

const LOST_REFUNDS = 10;

/** Debited jobs the pipeline marked failed since the last run, their video.failed lost: the backstop refunds them. */
async function lostRefunds(client: DynamoDBClient, tables: TableNames, repeat: number): Promise<void> {
  // Inside the backstop's window: older than the 30-minute grace period, newer than the last run.
  const failedAt = new Date(Date.now() - 31 * 60_000).toISOString();
  for (let i = 0; i < LOST_REFUNDS; i++) {
    const jobId = `refund-${repeat}-${i}`;
    await settleEvent(
      { dynamodb: client, tables },
      { eventId: `evt-${jobId}`, kind: 'rendered', jobId, userId: `user-${i}`, seconds: 12, model: 'gen-standard' },
      12,
    );
    await client.send(
      new PutItemCommand({
        TableName: tables.jobs,
        Item: {
          jobId: s(jobId),
          userId: s(`user-${i}`),
          model: s('gen-standard'),
          seconds: n(12),
          status: s('failed'),
          createdAt: s(failedAt),
          updatedAt: s(failedAt),
          debitedShard: s(debitedShardOf(jobId)),
        },
      }),
    );
  }
}

function straggler(repeat: number, i: number, at: string): Record<string, AttributeValue> {
  return {
    jobId: s(`lost-${repeat}-${String(i).padStart(4, '0')}`),
    userId: s(`user-${i % STRAGGLER_USERS}`),
    model: s('gen-standard'),
    seconds: n(12),
    status: s(i % 10 === 0 ? 'failed' : 'rendered'),
    createdAt: s(at),
    updatedAt: s(at),
    sweepShard: s(String(i % SWEEP_SHARD_COUNT)),
  };
}

const batchWrite = (client: DynamoDBClient, table: string, items: Record<string, AttributeValue>[]) =>
  putItemsInBatches(client, table, items, { concurrency: SEED_CONCURRENCY, maxAttempts: MAX_BATCH_ATTEMPTS });

/** What the naive version does every 6 hours: page through the whole Jobs table. */
async function naiveScan(
  client: DynamoDBClient,
  table: string,
): Promise<{ requests: number; ms: number; items: number }> {
  const started = performance.now();
  let requests = 0;
  let items = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    requests++;
    items += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { requests, ms: Math.round(performance.now() - started), items };
}

interface Row {
  settledJobs: number;
  stragglers: number;
  seedMs: number;
  sweepMs: number;
  sweepRequests: number;
  sweepRequestsAllRuns: number[];
  sweepMsAllRuns: number[];
  sweepRequestsSelfCounted: number;
  indexItemsRead: number;
  indexPages: number;
  backstopItemsRead: number;
  lostRefundsRecovered: number;
  settled: number;
  usersAudited: number;
  drift: number;
  naiveScanRequests: number;
  naiveScanMs: number;
}

interface Sized {
  settledJobs: number;
  tables: TableNames;
  seedMs: number;
  runs: { ms: number; requests: number; result: SweepResult }[];
}

async function seedHistory(seedClient: DynamoDBClient, settledJobs: number, label: string): Promise<Sized> {
  const tables: TableNames = tableNamesForWorkspace(label);
  await createTables(seedClient, tables);
  const seedStarted = performance.now();
  const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
  await batchWrite(
    seedClient,
    tables.jobs,
    Array.from({ length: settledJobs }, (_, i) => settledJob(i, old)),
  );
  await batchWrite(
    seedClient,
    tables.settlements,
    Array.from({ length: settledJobs }, (_, i) => settlementOf(i, old)),
  );
  for (let u = 0; u < STRAGGLER_USERS; u++) {
    await grantCredits(
      { dynamodb: seedClient, tables },
      { userId: `user-${u}`, credits: 10_000, reference: `open-user-${u}`, description: 'opening balance' },
    );
  }
  return { settledJobs, tables, seedMs: Math.round(performance.now() - seedStarted), runs: [] };
}

/** 100 fresh stragglers, then one sweep run on a client that counts its requests. */
async function sweepOnce(endpoint: string, seedClient: DynamoDBClient, sized: Sized, repeat: number): Promise<void> {
  const lostAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await batchWrite(
    seedClient,
    sized.tables.jobs,
    Array.from({ length: STRAGGLERS }, (_, i) => straggler(repeat, i, lostAt)),
  );
  await lostRefunds(seedClient, sized.tables, repeat);
  const { client, counter } = countingClient(endpoint);
  const started = performance.now();
  const result = await runSweep(
    { ledger: { dynamodb: client, tables: sized.tables } },
    {
      timeBudgetMs: 600_000,
      limits: { indexLagSeconds: 0, driftRecheckDelayMs: 0 },
    },
  );
  const ms = performance.now() - started;
  if (
    result.status !== 'completed' ||
    result.errors.count > 0 ||
    result.stragglers.count !== STRAGGLERS ||
    result.backstop.refunds.count !== LOST_REFUNDS
  ) {
    throw new Error(`sweep did not complete cleanly: ${JSON.stringify(result)}`);
  }
  sized.runs.push({ ms, requests: counter.requests, result });
}

async function toRow(seedClient: DynamoDBClient, sized: Sized): Promise<Row> {
  const mid = Math.floor(sized.runs.length / 2);
  const medianMs = [...sized.runs].map((r) => r.ms).sort((a, b) => a - b)[mid]!;
  const medianRequests = [...sized.runs].map((r) => r.requests).sort((a, b) => a - b)[mid]!;
  const { result } = sized.runs.at(-1)!;
  const naive = await naiveScan(seedClient, sized.tables.jobs);
  return {
    settledJobs: sized.settledJobs,
    stragglers: STRAGGLERS,
    seedMs: sized.seedMs,
    sweepMs: Math.round(medianMs),
    sweepRequests: medianRequests,
    sweepRequestsAllRuns: sized.runs.map((r) => r.requests),
    sweepMsAllRuns: sized.runs.map((r) => Math.round(r.ms)),
    sweepRequestsSelfCounted: result.requests,
    indexItemsRead: result.index.itemsRead,
    indexPages: result.index.pages,
    backstopItemsRead: result.backstop.itemsRead,
    lostRefundsRecovered: result.backstop.refunds.count,
    settled: result.stragglers.count,
    usersAudited: result.audit.usersAudited,
    drift: result.drift.count,
    naiveScanRequests: naive.requests,
    naiveScanMs: naive.ms,
  };
}

async function main(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ memoryMb: 2048 });
  try {
    const seedClient = makeDynamoDbClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 5 });
    const sized: Sized[] = [];
    for (const size of SIZES) {
      process.stderr.write(`seeding ${size} settled jobs…\n`);
      sized.push(await seedHistory(seedClient, size, `bench${size}`));
    }
    // Warm-up (JIT, connections, DynamoDB Local's own warm-up), not measured.
    const warmup = await seedHistory(seedClient, 100, 'warmup');
    for (let i = 0; i < WARMUP_RUNS; i++) await sweepOnce(dynamo.endpoint, seedClient, warmup, i);
    // Sizes interleaved, in alternating order, so that drift in the machine's speed and whatever the
    // first run of a round pays (GC after seeding) hit both alike.
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const s of repeat % 2 === 0 ? sized : [...sized].reverse())
        await sweepOnce(dynamo.endpoint, seedClient, s, repeat);
      process.stderr.write(
        `round ${repeat + 1}/${REPEATS}: ${sized.map((s) => `${s.settledJobs} → ${Math.round(s.runs.at(-1)!.ms)} ms, ${s.runs.at(-1)!.requests} req`).join('; ')}\n`,
      );
    }
    const rows: Row[] = [];
    for (const s of sized) rows.push(await toRow(seedClient, s));
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const ratio = {
      requests: +(last.sweepRequests / first.sweepRequests).toFixed(3),
      time: +(last.sweepMs / first.sweepMs).toFixed(3),
      naiveScanRequests: +(last.naiveScanRequests / first.naiveScanRequests).toFixed(3),
      naiveScanTime: +(last.naiveScanMs / first.naiveScanMs).toFixed(3),
    };
    const header = [
      'settled jobs',
      'stragglers',
      `sweep ms (median of ${REPEATS})`,
      'sweep requests',
      'index items read',
      'settled',
      'backstop items read',
      'refunds recovered',
      'naive scan requests',
      'naive scan ms',
    ];
    const lines = rows.map((r) =>
      [
        r.settledJobs,
        r.stragglers,
        r.sweepMs,
        r.sweepRequests,
        r.indexItemsRead,
        r.settled,
        r.backstopItemsRead,
        r.lostRefundsRecovered,
        r.naiveScanRequests,
        r.naiveScanMs,
      ].map(String),
    );
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
    process.stdout.write(
      [
        fmt(header),
        `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
        ...lines.map(fmt),
        '',
        `ratio ${last.settledJobs} / ${first.settledJobs} settled jobs: sweep requests ×${ratio.requests}, sweep time ×${ratio.time}` +
          ` (naive scan: requests ×${ratio.naiveScanRequests}, time ×${ratio.naiveScanTime})`,
        '',
      ].join('\n'),
    );
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(
      RESULTS,
      `${JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          node: process.version,
          dynamodb: 'DynamoDB Local (in memory)',
          note: `${REPEATS} sweep runs per size, each over ${STRAGGLERS} fresh stragglers and ${LOST_REFUNDS} lost refunds, median time and median request count reported; requests counted per HTTP attempt by an SDK middleware; naive = full-table Scan of Jobs`,
          rows,
          ratio,
        },
        null,
        2,
      )}\n`,
    );
    process.stderr.write(`wrote ${RESULTS}\n`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
