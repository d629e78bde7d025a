/**
 * Runs a simulated day through the whole local system and checks the books. Shared by `make demo`
 * (with progress and a report) and the chaos suite (many seeds, invariants checked, minimised on
 * failure). Phases: openings → producer writes → deliveries (duplicates, reordering, concurrent
 * copies, same-id redeliveries, injected faults, poisoned jobs, bad events) → the missing price is
 * deployed and the poison cleared → an outsider's refused publish (the bus policy) → DLQ replay → sweep → audit.
 */
import { Writable } from 'node:stream';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { auditAllBalances, type AuditReport } from '../shared/ledger/audit';
import { grantCredits } from '../shared/ledger/manual-entries';
import { forEachBounded } from '../shared/pool';
import { createLogger } from '../shared/observability/logger';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../shared/pricing';
import type { LedgerDeps } from '../shared/ledger/types';
import { drainDlq, type DrainReport } from '../shared/replay/drain';
import { expectedOrigin } from '../shared/replay/provenance';
import { sweepAndReport, type SweepReport } from '../shared/sweep';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../local/stack';
import { readBooksOf } from './books';
import { reserveBeforeRendering, type ReservePhase } from './reserve-phase';
import {
  injectDemoFaults,
  removeIdempotencyConditions,
  removeRefundDebitCheck,
  removeReserveBalanceCheck,
  type FaultCounts,
} from './faults';
import { markTerminal, writeJobs } from './producer';
import { seededRandom } from './random';
import {
  NEW_MODEL,
  NEW_MODEL_PRICE,
  SIM_HOLD_SECONDS,
  expectedBalances,
  type Day,
  type SimEnvelope,
} from './simulation';

export interface RunOptions {
  stack?: Pick<LocalStackOptions, 'dynamoEndpoint' | 'sqsEndpoint' | 'workspace'>;
  faults?: { conflictRate: number; throttleRate: number; lostReplyRate: number };
  /** Fraction of accepted events that EventBridge delivers a second time with the same id. */
  redeliveryRate?: number;
  /** Adds deliberately malformed events (they must stay in the DLQ). */
  badEvents?: number;
  /** Probability that an invocation crashes after it committed (the platform retries it). */
  crashAfterCommitRate?: number;
  /** Runs the handlers on a deliberately broken core (idempotency conditions removed). */
  breakCore?: boolean;
  /**
   * The overdraft floor of the handlers and the sweep. The simulation's expected balances charge
   * every rendered job, so a run whose users may overdraw beyond the default floor (chaos, at scale)
   * sets it out of reach; held debits are tested on their own.
   */
  overdraftFloorCredits?: number;
  /** Runs the handlers on a weakened core (the refund's check of its debit entry removed). */
  weakenRefundCheck?: boolean;
  /** Runs the reserve function on a weakened core (its check that available covers the hold removed). */
  weakenReserveCheck?: boolean;
  onProgress?: (line: string) => void;
}

export interface DayResult {
  outcomes: Record<string, number>;
  anomalies: Record<string, number>;
  faults: FaultCounts & { crashed_after_commit: number };
  deliveries: number;
  deliverySeconds: number;
  replay: DrainReport;
  sweep: SweepReport;
  /** The sweep after the pipeline marked the refund-lost jobs failed: the refund backstop's run. */
  backstop: SweepReport;
  /** The producers' reserves before rendering, and what they were answered. */
  reserves: ReservePhase;
  /** The sweep once every hold's expiry has passed (its clock moved on): holds of jobs that never ended expire. */
  expiry: SweepReport;
  /** Each job's hold state at the end (jobs with a hold only), and each user's `held` figure. */
  holds: Map<string, string>;
  /** Each hold's expiry and its job's settlement time, if it settled. */
  holdTimes: Map<string, { expiresAt: string; settledAt?: string }>;
  held: Map<string, number>;
  audit: AuditReport;
  balances: Map<string, number>;
  expected: Map<string, number>;
  ledger: { ledgerId: string; userId: string; type: string; kind: string; amount: number; reference: string }[];
  jobs: Map<string, Record<string, unknown>>;
  dlqLeft: { reason?: string; body: string }[];
  /** A publisher the bus policy does not list tried to move money: what it got, and what moved. */
  outsider: OutsiderAttempt;
  /** After each phase: total remaining credits, and the events the handlers took in it, over how long. */
  timeline: PhaseMark[];
  stack: LocalStack;
}

export interface OutsiderAttempt {
  entries: number;
  /** Entries the bus refused, by error code. */
  refused: Record<string, number>;
  /** Total remaining credits after the attempt minus before it (0: it moved nothing). */
  movedCredits: number;
  ledgerEntriesAdded: number;
}

const PUT_BATCH = 10;
const DEMO_FAULTS = { conflictRate: 0.02, throttleRate: 0.02, lostReplyRate: 0.01 };
const PUBLISH_CONCURRENCY = 8;

/** Counts outcomes and anomalies from the handlers' structured log lines (as CloudWatch would from EMF). */
function outcomeCounter() {
  const outcomes: Record<string, number> = {};
  const anomalies: Record<string, number> = {};
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const text of String(chunk).split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as { outcome?: string; anomalies?: { kind: string }[]; component?: string };
        // Settlement outcomes only: the reserves are counted by the reserve phase itself.
        if (line.outcome && line.component !== 'reserve') outcomes[line.outcome] = (outcomes[line.outcome] ?? 0) + 1;
        for (const a of line.anomalies ?? []) anomalies[a.kind] = (anomalies[a.kind] ?? 0) + 1;
      }
      callback();
    },
  });
  return {
    outcomes,
    anomalies,
    logger: createLogger({ component: 'demo', workspace: 'demo', level: 'info', destination }),
  };
}

/** A producer's PutEvents entry, on the workspace's own bus (where the event rules are). */
function toEntry(e: SimEnvelope, busName: string) {
  return {
    Source: e.source,
    DetailType: e['detail-type'],
    Detail: JSON.stringify(e.detail),
    Resources: e.resources,
    EventBusName: busName,
  };
}

async function totalRemaining(stack: LocalStack): Promise<number> {
  return (await auditAllBalances({ dynamodb: stack.dynamodb, tables: stack.tables })).totals.remaining;
}

/**
 * Someone in the account whose key is not on the bus policy (H1) puts the events an insider would
 * want: a refund of a rendered job and a huge debit of another user. The bus refuses both, and the
 * books show that nothing moved.
 */
async function outsiderAttempt(stack: LocalStack, day: Day): Promise<OutsiderAttempt> {
  const template = day.batches[0]![0]!;
  const victim = day.jobs[0]!.userId;
  const forged: SimEnvelope[] = [
    {
      ...template,
      'detail-type': 'video.failed',
      detail: { ...template.detail, jobId: day.jobs[0]!.jobId, userId: victim },
    },
    {
      ...template,
      'detail-type': 'video.rendered',
      detail: { ...template.detail, jobId: 'outsider-job-1', userId: victim, credits: 100_000 },
    },
  ];
  const before = { remaining: await totalRemaining(stack), entries: (await readBooksOf(stack)).ledger.length };
  const out = await stack
    .eventBridgeAs(stack.principals.outsider)
    .send(new PutEventsCommand({ Entries: forged.map((e) => toEntry(e, stack.bus.busName)) }));
  await stack.bus.idle();
  const refused: Record<string, number> = {};
  for (const e of out.Entries ?? []) if (e.ErrorCode) refused[e.ErrorCode] = (refused[e.ErrorCode] ?? 0) + 1;
  return {
    entries: forged.length,
    refused,
    movedCredits: (await totalRemaining(stack)) - before.remaining,
    ledgerEntriesAdded: (await readBooksOf(stack)).ledger.length - before.entries,
  };
}

/**
 * A bug's work, for the chaos suite: each corrupted job gets a settlement the ledger never backed
 * (DEBITED, 1,000 charged, no debit entry). Its refund must be refused and reported, never paid.
 */
async function plantSettlementBugs(stack: LocalStack, day: Day): Promise<void> {
  for (const job of day.jobs.filter((j) => j.corrupted)) {
    await stack.dynamodb.send(
      new PutItemCommand({
        TableName: stack.tables.settlements,
        Item: marshall({
          jobId: job.jobId,
          settlement: 'DEBITED',
          charged: 1_000,
          refunded: 0,
          settledUserId: job.userId,
          renderedEventId: 'a-bug',
        }),
      }),
    );
  }
}

/** Events that must never settle: a negative length, an unknown field nested too deep, one too large. */
function badEvent(template: SimEnvelope, i: number): SimEnvelope {
  const bad = structuredClone(template);
  const kinds = [{ seconds: -5 }, { pipeline: { stages: { encode: { gpu: 'a100' } } } }, { notes: 'x'.repeat(4_000) }];
  bad.detail = { ...bad.detail, jobId: `bad-${i}`, ...kinds[i % kinds.length] };
  return bad;
}

/** A DynamoDB client with the run's injected faults (and broken core, when asked): what handlers get. */
function faultyClient(stack: LocalStack, options: RunOptions, random: ReturnType<typeof seededRandom>) {
  const client = makeDynamoDbClient({ endpoint: stack.endpoints.dynamodb, region: 'us-east-1', maxAttempts: 1 });
  injectDemoFaults(client, { random, poisonedJobs: new Set(), ...(options.faults ?? DEMO_FAULTS) });
  if (options.breakCore) removeIdempotencyConditions(client);
  if (options.weakenReserveCheck) removeReserveBalanceCheck(client);
  return client;
}

export interface PhaseMark {
  label: string;
  remaining: number;
  events: number;
  seconds: number;
}

/** Closes a phase at each call: what the handlers took since the last call, and how long it took. */
function phaseClock(handled: () => number) {
  let since = performance.now();
  let before = 0;
  return async (label: string, remaining: Promise<number>): Promise<PhaseMark> => {
    const now = performance.now();
    const mark = { label, remaining: await remaining, events: handled() - before, seconds: (now - since) / 1000 };
    before = handled();
    since = performance.now();
    return mark;
  };
}

/** What every phase of a run shares: the stack, the seeded randomness, and what the handlers did. */
interface DayRun {
  day: Day;
  options: RunOptions;
  stack: LocalStack;
  ledgerDeps: LedgerDeps;
  random: ReturnType<typeof seededRandom>;
  counter: ReturnType<typeof outcomeCounter>;
  /** Jobs whose events the handlers fail on until the cause is fixed (cleared before replay). */
  poisonedJobs: Set<string>;
  handlers: { faults: FaultCounts; crashes: number; handled: number };
  progress: (line: string) => void;
  timeline: PhaseMark[];
  mark: (label: string) => Promise<void>;
  dayStarted: Date;
}

/** The local stack with the run's faults in the handlers' client and crashes after commit around them. */
async function startDayRun(day: Day, options: RunOptions): Promise<DayRun> {
  const random = seededRandom(day.options.seed ^ 0x5eed);
  const counter = outcomeCounter();
  const poisonedJobs = new Set<string>();
  const handlers = {
    faults: { conflict: 0, throttle: 0, lost_reply: 0, poisoned: 0 } as FaultCounts,
    crashes: 0,
    handled: 0,
  };
  const floor =
    options.overdraftFloorCredits === undefined ? {} : { overdraftFloorCredits: options.overdraftFloorCredits };
  const stack = await startLocalStack({
    ...options.stack,
    ...floor,
    logger: counter.logger,
    handlerDynamoDb: (endpoint) => {
      const client = makeDynamoDbClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
      handlers.faults = injectDemoFaults(client, { random, poisonedJobs, ...(options.faults ?? DEMO_FAULTS) });
      if (options.breakCore) removeIdempotencyConditions(client);
      if (options.weakenRefundCheck) removeRefundDebitCheck(client);
      return client;
    },
    wrapTarget: (handler) => async (event, context) => {
      handlers.handled++;
      const response = await handler(event, context);
      if (random.chance(options.crashAfterCommitRate ?? 0.01)) {
        handlers.crashes++;
        throw new Error('handler crashed after DynamoDB committed, before answering');
      }
      return response;
    },
  });
  const timeline: PhaseMark[] = [];
  const clock = phaseClock(() => handlers.handled);
  return {
    day,
    options,
    stack,
    random,
    counter,
    poisonedJobs,
    handlers,
    timeline,
    ledgerDeps: { dynamodb: stack.dynamodb, tables: stack.tables, ...floor },
    progress: options.onProgress ?? (() => undefined),
    mark: async (label) => {
      timeline.push(await clock(label, totalRemaining(stack)));
    },
    dayStarted: new Date(Date.now() - 1_000),
  };
}

/** Opening balances, then the producers' reserves; returns the reserves and the jobs that started. */
async function openAndReserve(
  run: DayRun,
): Promise<{ reserves: ReservePhase; jobs: Day['jobs']; started: (jobId: string) => boolean }> {
  const { day, stack, progress, counter } = run;
  progress(`granting opening balances to ${day.openings.size} users`);
  await forEachBounded([...day.openings.entries()], 16, ([userId, credits]) =>
    grantCredits(run.ledgerDeps, { userId, credits, reference: `opening-${userId}`, description: 'opening balance' }),
  );
  await run.mark('after opening grants');

  progress(`producers reserve credits for ${day.jobs.filter((j) => j.hold).length} jobs before rendering them`);
  const reserves = await reserveBeforeRendering(day, {
    dynamodb: faultyClient(stack, run.options, run.random),
    tables: stack.tables,
    logger: counter.logger.child({ component: 'reserve' }),
    workspace: stack.workspace,
    random: run.random,
  });
  progress(
    `  held ${reserves.counts.held}, refused ${reserves.counts.refused} (never started), sent twice ${reserves.counts.sentTwice}, retried ${reserves.counts.retried}`,
  );
  const started = (jobId: string) => !reserves.refused.has(jobId);
  const jobs = day.jobs.filter((j) => started(j.jobId));
  progress(
    `the pipeline writes ${jobs.length} jobs (producer contract; ${jobs.filter((j) => j.forged).length} with forged reconciler attributes)`,
  );
  await writeJobs(stack.dynamodb, stack.tables.jobs, jobs);
  await plantSettlementBugs(stack, day);
  return { reserves, jobs, started };
}

/** Each PutEvents carries one batch's concurrent copies, plus neighbours, up to 10 entries. */
function packRequests(batches: SimEnvelope[][]): SimEnvelope[][] {
  const requests: SimEnvelope[][] = [];
  for (const batch of batches) {
    const last = requests[requests.length - 1];
    if (last && last.length + batch.length <= PUT_BATCH) last.push(...batch);
    else requests.push([...batch]);
  }
  return requests;
}

/** Every delivery of the day on the bus (bad events in the middle), then same-id redeliveries. */
async function deliverDay(
  run: DayRun,
  started: (jobId: string) => boolean,
): Promise<{ deliveries: number; deliverySeconds: number }> {
  const { day, stack, progress, options } = run;
  for (const job of day.jobs) {
    if (day.poisonEventIds.has(`ev-${job.jobId}-rendered`) || day.poisonEventIds.has(`ev-${job.jobId}-failed`))
      run.poisonedJobs.add(job.jobId);
  }
  const batches: SimEnvelope[][] = day.batches
    .map((b) => b.filter((e) => started(String(e.detail.jobId))))
    .filter((b) => b.length > 0);
  for (let i = 0; i < (options.badEvents ?? 1); i++)
    batches.splice(Math.floor(batches.length / 2), 0, [badEvent(day.batches[0]![0]!, i)]);
  const deliveries = batches.reduce((n, b) => n + b.length, 0);
  progress(`publishing ${deliveries} deliveries on the local EventBridge`);
  // The pipeline publishes with its own key (the bus policy's producer).
  const client = stack.eventBridgeAs(stack.principals.producer);
  const deliveryStarted = performance.now();
  let published = 0;
  await forEachBounded(packRequests(batches), PUBLISH_CONCURRENCY, async (request) => {
    const result = await client.send(
      new PutEventsCommand({ Entries: request.map((e) => toEntry(e, stack.bus.busName)) }),
    );
    if (result.FailedEntryCount) throw new Error(`local EventBridge refused ${result.FailedEntryCount} entries`);
    published += request.length;
    if (published % 500 < request.length) progress(`  published ${published}/${deliveries}`);
  });
  await stack.bus.idle();
  // EventBridge is at-least-once: some accepted events arrive again with the same id.
  const accepted = stack.bus.events().filter((e) => !String(e.detail.jobId).startsWith('bad-'));
  const redeliveries = accepted.filter(() => run.random.chance(options.redeliveryRate ?? 0.05));
  progress(`EventBridge redelivers ${redeliveries.length} events with the same id, two copies at once`);
  await Promise.allSettled(redeliveries.flatMap((e) => [stack.redeliver(e), stack.redeliver(e)]));
  const deliverySeconds = (performance.now() - deliveryStarted) / 1000;
  await run.mark('after deliveries');
  return { deliveries: deliveries + redeliveries.length * 2, deliverySeconds };
}

/** The cause is fixed (poison cleared, the new model priced) and the DLQ replayed through the bus. */
async function fixAndReplay(run: DayRun): Promise<{ replay: DrainReport; priceBook: PriceBook }> {
  const { stack, progress } = run;
  const waiting = await stack.dlqDepth();
  progress(
    `${waiting} messages wait in the DLQ; the cause is fixed (poison cleared, ${NEW_MODEL} priced) and the DLQ replayed`,
  );
  run.poisonedJobs.clear();
  const priceBook = { ...DEFAULT_PRICE_BOOK, [NEW_MODEL]: NEW_MODEL_PRICE };
  stack.deployPriceBook(priceBook);
  const replay = await drainDlq({
    sqs: stack.sqs,
    queueUrl: stack.dlqUrl,
    eventBridge: stack.eventBridgeAs(stack.principals.replay),
    busName: stack.bus.busName,
    priceBook,
    maxReplays: 3,
    origin: expectedOrigin(stack.workspace, stack.bus.busName, stack.scope),
    dryRun: false,
    dropInvalidIds: new Set(),
    maxMessages: 100_000,
    waitTimeSeconds: 0,
    visibilityTimeoutSeconds: 60,
  });
  await stack.bus.idle();
  await run.mark('after DLQ replay');
  return { replay, priceBook };
}

/** The sweep three times: stragglers and audit, the refund backstop for late failures, hold expiry. */
async function sweepDay(
  run: DayRun,
  jobs: Day['jobs'],
  priceBook: PriceBook,
): Promise<Pick<DayResult, 'sweep' | 'backstop' | 'expiry'>> {
  const { stack, progress, ledgerDeps } = run;
  const alerts = { sns: stack.sns, topicArn: stack.alertsTopicArn };
  // Locally there is no index lag and no reason to wait before a drift recheck.
  const limits = { indexLagSeconds: 0, driftRecheckDelayMs: 0 };
  progress('the sweep settles what the events missed and audits touched users');
  // A fresh system: audit everything the day touched.
  const sweep = await sweepAndReport(
    { ledger: ledgerDeps, priceBook, workspace: stack.workspace, alerts },
    { timeBudgetMs: 120_000, auditSince: run.dayStarted, limits },
  );
  await run.mark('after sweep');

  const refundLost = jobs.filter((j) => j.refundLost);
  progress(
    `the pipeline marks ${refundLost.length} rendered jobs failed late; their video.failed events are lost; the sweep runs again`,
  );
  await forEachBounded(refundLost, 8, (job) => markTerminal(stack.dynamodb, stack.tables.jobs, job.jobId, 'failed'));
  // The day is over: no grace period for the late status changes.
  const backstop = await sweepAndReport(
    { ledger: ledgerDeps, priceBook, workspace: stack.workspace, alerts },
    { timeBudgetMs: 120_000, limits: { ...limits, graceMinutes: 0 } },
  );
  await run.mark('after the refund backstop');

  progress(`${SIM_HOLD_SECONDS / 60} minutes later every hold has expired; the sweep ends those whose job never did`);
  const later = () => new Date(Date.now() + (SIM_HOLD_SECONDS + 60) * 1000);
  const expiry = await sweepAndReport(
    { ledger: { ...ledgerDeps, now: later }, priceBook, workspace: stack.workspace, alerts },
    { timeBudgetMs: 120_000, limits: { ...limits, graceMinutes: 0 } },
  );
  await run.mark('after hold expiry');
  return { sweep, backstop, expiry };
}

/** Up to 1,000 messages still in the DLQ, with the reason each was left. */
async function dlqLeftOf(stack: LocalStack): Promise<DayResult['dlqLeft']> {
  const left: DayResult['dlqLeft'] = [];
  for (let i = 0; i < 100; i++) {
    const { Messages } = await stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.dlqUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
      }),
    );
    if (!Messages?.length) break;
    left.push(
      ...Messages.map((m) => ({ reason: m.MessageAttributes?.['reconciler-reason']?.StringValue, body: m.Body ?? '' })),
    );
  }
  return left;
}

export async function runDay(day: Day, options: RunOptions = {}): Promise<DayResult> {
  const run = await startDayRun(day, options);
  const { stack, progress, counter, handlers } = run;
  const { reserves, jobs, started } = await openAndReserve(run);
  const { deliveries, deliverySeconds } = await deliverDay(run, started);
  progress('an outsider (a key the bus policy does not list) publishes a refund and a debit; the bus refuses them');
  const outsider = await outsiderAttempt(stack, day);
  await run.mark("after an outsider's refused publish");
  const { replay, priceBook } = await fixAndReplay(run);
  const sweeps = await sweepDay(run, jobs, priceBook);
  progress('final audit: every balance recomputed from the ledger');
  const audit = await auditAllBalances(run.ledgerDeps);
  const books = await readBooksOf(stack);
  const dlqLeft = await dlqLeftOf(stack);
  return {
    outcomes: counter.outcomes,
    anomalies: counter.anomalies,
    faults: { ...handlers.faults, crashed_after_commit: handlers.crashes },
    deliveries,
    deliverySeconds,
    replay,
    ...sweeps,
    reserves,
    holds: books.holds,
    holdTimes: books.holdTimes,
    held: books.held,
    audit,
    balances: books.balances,
    expected: expectedBalances(day, reserves.refused),
    ledger: books.ledger,
    jobs: books.jobs,
    dlqLeft,
    outsider,
    timeline: run.timeline,
    stack,
  };
}
