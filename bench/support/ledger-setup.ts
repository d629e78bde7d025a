/** What the ledger and network benches share: counted clients, the events, the seeded tables, the three processors. */
import { CreateTableCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbClient } from '../../shared/aws/clients';
import { createTables } from '../../local/tables';
import { grantCredits } from '../../shared/ledger/manual-entries';
import { settleEvent } from '../../shared/ledger/settle';
import { debitWrite } from '../../shared/ledger/transactions';
import { parseVideoEvent } from '../../shared/events/parse-video-event';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import type { TableNames } from '../../shared/tables';
import { forEachBounded } from '../../shared/pool';
import { createBaselineDebit, IDEMPOTENCY_TABLE_DEFINITION } from '../baseline/powertools-debit';

export const USERS = 200;

/**
 * A client whose requests are counted in `counter` (pass one to count several clients together).
 * `database`: the access key it signs with, which picks its database in a DynamoDB Local started
 * without -sharedDb (one database per access key).
 */
export function countingClient(endpoint: string, { counter = { requests: 0 }, database = 'bench' } = {}) {
  const client = makeDynamoDbClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 3,
    localCredentials: { accessKeyId: database, secretAccessKey: 'local' },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchCounter' },
  );
  return { client, counter };
}

export type RenderedEvent = ReturnType<typeof renderedEvents>[number];
export function renderedEvents(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    version: '0',
    id: `${prefix}-ev-${i}`,
    'detail-type': 'video.rendered',
    source: 'video.generation',
    account: '123456789012',
    time: '2026-11-23T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { jobId: `${prefix}-job-${i}`, userId: `user-${i % USERS}`, seconds: 6, model: 'gen-standard' },
  }));
}

export async function seed(label: string, client: DynamoDBClient, tables: TableNames) {
  await createTables(client, tables);
  await forEachBounded(
    Array.from({ length: USERS }, (_, i) => i),
    16,
    (i) =>
      grantCredits(
        { dynamodb: client, tables },
        { userId: `user-${i}`, credits: 10_000_000, reference: `${label}-open-${i}`, description: 'bench' },
      ),
  );
}

export type Processor = (event: RenderedEvent) => Promise<unknown>;

/** Ours: validation, pricing and the settlement executor (the handler's work without Lambda's wrapper). */
export function oursProcessor(client: DynamoDBClient, tables: TableNames): Processor {
  return async (raw) => {
    const { event, priceCredits } = parseVideoEvent(raw, DEFAULT_PRICE_BOOK, 'rendered');
    return settleEvent({ dynamodb: client, tables }, event, priceCredits);
  };
}

/**
 * The physical limit: the very TransactWriteItems ours sends for a new job (built by the same pure
 * builder, same items and conditions), prepared before the clock starts, then only sent.
 */
export function referenceProcessor(client: DynamoDBClient, tables: TableNames, events: RenderedEvent[]): Processor {
  const prepared = new Map(
    events.map((raw) => {
      const { event, priceCredits } = parseVideoEvent(raw, DEFAULT_PRICE_BOOK, 'rendered');
      const write = debitWrite(tables, event, priceCredits, new Date().toISOString(), { kind: 'covered' });
      if (write.kind !== 'transaction') throw new Error('a priced debit is a transaction');
      return [raw.id, new TransactWriteItemsCommand(write.input)] as const;
    }),
  );
  return (raw) => client.send(prepared.get(raw.id)!);
}

/** The index of the user an event charges (`user-<i>`). */
export function userIndexOf(event: RenderedEvent): number {
  return Number(event.detail.userId.slice('user-'.length));
}

/**
 * One processor per database, each event sent to the database that holds its user: DynamoDB Local
 * runs one transaction at a time per database, where DynamoDB runs transactions on different items at
 * once (docs/development/performance.md#the-emulators-ceiling).
 */
export function byUser(processors: Processor[]): Processor {
  return (event) => processors[userIndexOf(event) % processors.length]!(event);
}

/** Called as Lambda calls a handler, with a context (Powertools registers it instead of warning per event). */
const LAMBDA_CONTEXT = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'baseline-debit',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baseline-debit',
  memoryLimitInMB: '512',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/baseline-debit',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
};

export async function baselineProcessor(
  client: DynamoDBClient,
  tables: TableNames,
  idempotencyTable: string,
): Promise<Processor> {
  await client.send(new CreateTableCommand({ TableName: idempotencyTable, ...IDEMPOTENCY_TABLE_DEFINITION }));
  const handler = createBaselineDebit(client, tables, idempotencyTable) as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  return (raw) => handler(raw, LAMBDA_CONTEXT);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

interface Slice {
  latencies: number[];
  seconds: number;
  requests: number;
  /** CPU seconds DynamoDB Local used during the slice (NaN when not measured). */
  emulatorCpuSeconds: number;
}

/** CPU seconds the emulator has used so far (bench/support/process-cpu.ts); absent: not measured. */
export type EmulatorCpu = () => number;

/** One processor over `events` at `concurrency`: each event's latency, the wall time, the requests sent. */
async function runSlice(
  process: Processor,
  counter: { requests: number },
  events: RenderedEvent[],
  concurrency: number,
  emulatorCpu: EmulatorCpu = () => Number.NaN,
): Promise<Slice> {
  const before = counter.requests;
  const latencies: number[] = [];
  const cpuBefore = emulatorCpu();
  const started = performance.now();
  await forEachBounded(events, concurrency, async (e) => {
    const t = performance.now();
    await process(e);
    latencies.push(performance.now() - t);
  });
  const seconds = (performance.now() - started) / 1000;
  return { latencies, seconds, requests: counter.requests - before, emulatorCpuSeconds: emulatorCpu() - cpuBefore };
}

function summarise(slices: Slice[]) {
  const latencies = slices.flatMap((s) => s.latencies);
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  const requests = slices.reduce((sum, s) => sum + s.requests, 0);
  const emulatorCpuSeconds = slices.reduce((sum, s) => sum + s.emulatorCpuSeconds, 0);
  return {
    /** How busy DynamoDB Local was while this side ran, in % of one core (NaN: not measured). */
    emulatorCpuPercent: (100 * emulatorCpuSeconds) / seconds,
    eventsPerSecond: latencies.length / seconds,
    requestsPerEvent: requests / latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Events/s, requests/event and per-event latency of one processor over `events` at `concurrency`. */
export async function measure(
  process: Processor,
  counter: { requests: number },
  events: RenderedEvent[],
  concurrency: number,
) {
  return summarise([await runSlice(process, counter, events, concurrency)]);
}

export interface MeasuredSide {
  process: Processor;
  counter: { requests: number };
  events: RenderedEvent[];
}

/**
 * Several processors measured in turns: each side's events are cut into `rounds` slices, and each round
 * runs one slice of every side, the order rotating from round to round. Run one after another, whichever
 * side went last took any change in the machine's load (a shared 2-core machine changes within a
 * minute); in turns, the change falls on every side alike. Events/s is a side's events over its own time.
 */
export async function measureInTurns<Side extends string>(
  sides: Record<Side, MeasuredSide>,
  concurrency: number,
  { rounds = 3, emulatorCpu }: { rounds?: number; emulatorCpu?: EmulatorCpu } = {},
): Promise<Record<Side, ReturnType<typeof summarise>>> {
  const names = Object.keys(sides) as Side[];
  const slices = Object.fromEntries(names.map((n) => [n, [] as Slice[]])) as Record<Side, Slice[]>;
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const { process, counter, events } = sides[name];
      const size = Math.ceil(events.length / rounds);
      const slice = events.slice(round * size, (round + 1) * size);
      if (slice.length > 0) slices[name].push(await runSlice(process, counter, slice, concurrency, emulatorCpu));
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarise(slices[n])])) as Record<Side, ReturnType<typeof summarise>>;
}
