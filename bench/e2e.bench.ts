/**
 * Delivery-to-settlement latency end to end, under the latency model: a producer's PutEvents to the
 * local EventBridge → rule → the real handler (debit, refund) → DynamoDB Local behind the latency
 * proxy, timed from the PutEvents call to the handler's answer. Reserve: the real reserve handler
 * invoked in process (a producer's RequestResponse Invoke, minus Lambda's own hop) through the same
 * proxy, then its video.rendered with the hold, timed to the capture. p50/p99 per path; writes
 * bench/results/e2e.json.
 *
 *   npx tsx bench/e2e.bench.ts [--latency 5] [--sigma 0.5] [--events 300]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DETAIL_TYPES, EVENT_SOURCE } from '../shared/events/parse-video-event';
import { grantCredits } from '../shared/ledger/manual-entries';
import { DEFAULT_HOLD_SECONDS } from '../shared/ledger/holds';
import { createReserveHandler } from '../shared/lambda/reserve-handler';
import { createLogger } from '../shared/observability/logger';
import { forEachBounded } from '../shared/pool';
import { startLocalStack, type LocalStack } from '../local/stack';
import type { TargetHandler } from '../local/eventbridge/server';
import { startLatencyProxy, describeModel } from './support/latency-proxy';
import { percentile } from './support/ledger-setup';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const MODEL = { medianMs: Number(arg('latency', '5')), sigma: Number(arg('sigma', '0.5')) };
const EVENTS = Number(arg('events', '300'));
const CONCURRENCY = 8;
const USERS = 50;
const HOLD_CREDITS = 30;

/** Settles the wait of a job's event when its handler answers, keyed by detail-type and job. */
const answered = new Map<string, () => void>();
const key = (detailType: string, jobId: string) => `${detailType}:${jobId}`;
const timed =
  (handler: TargetHandler): TargetHandler =>
  async (event, context) => {
    const answer = await handler(event, context);
    answered.get(key(event['detail-type'], String(event.detail.jobId)))?.();
    return answer;
  };
const answerOf = (detailType: string, jobId: string) =>
  new Promise<void>((resolve) => answered.set(key(detailType, jobId), resolve));

/** The few Context fields a middy handler reads, for an in-process invoke. */
const lambdaContext = (id: string) =>
  ({
    awsRequestId: `e2e-${id}`,
    functionName: 'reserve',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

const detail = (jobId: string, i: number, extra: Record<string, unknown> = {}) => ({
  jobId,
  userId: `e2e-user-${i % USERS}`,
  seconds: 6,
  model: 'gen-standard',
  ...extra,
});

/**
 * Closed loop, as producers behave: each of CONCURRENCY producers publishes one event and waits for
 * its settlement before the next, so the figure is the path's latency, not a queue built by a burst.
 */
async function deliver(
  stack: LocalStack,
  detailType: string,
  jobs: { jobId: string; detail: Record<string, unknown> }[],
) {
  const producer = stack.eventBridgeAs(stack.principals.producer);
  const latencies: number[] = [];
  await forEachBounded(jobs, CONCURRENCY, async (job) => {
    const settled = answerOf(detailType, job.jobId);
    const sentAt = performance.now();
    const out = await producer.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(job.detail),
            EventBusName: stack.bus.busName,
          },
        ],
      }),
    );
    if (out.FailedEntryCount) throw new Error(`PutEvents refused ${job.jobId}: ${JSON.stringify(out.Entries)}`);
    await withTimeout(settled, `${detailType} for ${job.jobId} was never answered`);
    latencies.push(performance.now() - sentAt);
  });
  return { events: jobs.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

const ANSWER_TIMEOUT_MS = 30_000;
async function withTimeout(answer: Promise<void>, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ANSWER_TIMEOUT_MS);
  });
  try {
    await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function run(stack: LocalStack) {
  await forEachBounded(
    Array.from({ length: USERS }, (_, i) => i),
    8,
    (i) =>
      grantCredits(
        { dynamodb: stack.dynamodb, tables: stack.tables },
        { userId: `e2e-user-${i}`, credits: 10_000_000, reference: `e2e-open-${i}`, description: 'bench' },
      ),
  );
  const ids = (prefix: string) => Array.from({ length: EVENTS }, (_, i) => ({ jobId: `${prefix}-${i}`, i }));
  await deliver(
    stack,
    DETAIL_TYPES.rendered,
    ids('warm')
      .slice(0, 20)
      .map(({ jobId, i }) => ({ jobId, detail: detail(jobId, i) })),
  );
  const debit = await deliver(
    stack,
    DETAIL_TYPES.rendered,
    ids('debit').map(({ jobId, i }) => ({ jobId, detail: detail(jobId, i) })),
  );
  const refund = await deliver(
    stack,
    DETAIL_TYPES.failed,
    ids('debit').map(({ jobId, i }) => ({ jobId, detail: detail(jobId, i, { reason: 'bench' }) })),
  );
  const holds = ids('hold');
  const reserveMs: number[] = [];
  const reserve = createReserveHandler(() => ({
    holds: { dynamodb: stack.dynamodb, tables: stack.tables },
    limits: { defaultSeconds: DEFAULT_HOLD_SECONDS },
    logger: createLogger({ level: 'silent', workspace: 'e2e', component: 'reserve' }),
    workspace: 'e2e',
  }));
  await forEachBounded(holds, CONCURRENCY, async ({ jobId, i }) => {
    const t = performance.now();
    const answer = await reserve(
      { jobId, userId: `e2e-user-${i % USERS}`, credits: HOLD_CREDITS },
      lambdaContext(jobId),
    );
    if (answer.status !== 'held') throw new Error(`reserve ${jobId}: ${JSON.stringify(answer)}`);
    reserveMs.push(performance.now() - t);
  });
  const capture = await deliver(
    stack,
    DETAIL_TYPES.rendered,
    holds.map(({ jobId, i }) => ({ jobId, detail: detail(jobId, i, { hold: { credits: HOLD_CREDITS } }) })),
  );
  return {
    debit,
    refund,
    reserve: {
      events: holds.length,
      reserveP50Ms: percentile(reserveMs, 50),
      reserveP99Ms: percentile(reserveMs, 99),
      captureP50Ms: capture.p50Ms,
      captureP99Ms: capture.p99Ms,
    },
  };
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const { startFauxqsLocal } = await import('../scripts/local/fauxqs-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024 });
  const fauxqs = await startFauxqsLocal();
  const proxy = await startLatencyProxy(dynamo.endpoint, MODEL);
  try {
    const stack = await startLocalStack({
      workspace: 'e2e',
      dynamoEndpoint: proxy.endpoint,
      sqsEndpoint: fauxqs.endpoint,
      wrapTarget: timed,
    });
    try {
      const paths = await run(stack);
      const result = {
        measuredAt: new Date().toISOString(),
        model: { ...MODEL, description: describeModel(MODEL) },
        concurrency: CONCURRENCY,
        ...paths,
        handlerErrors: stack.bus.stats.invocationErrors,
      };
      console.log(JSON.stringify(result, null, 2));
      mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
      writeFileSync(join(import.meta.dirname, 'results', 'e2e.json'), `${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await stack.stop();
    }
  } finally {
    await proxy.close();
    await fauxqs.stop();
    await dynamo.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
