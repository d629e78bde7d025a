/**
 * The alert end to end: the Lambda handler (thin wiring) runs a sweep against DynamoDB Local and
 * publishes to an SNS topic on fauxqs; an SQS queue subscribed to the topic shows what a person
 * would read. One message per run that found anything; none when all is well.
 */
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createSweepHandler } from '../../../shared/lambda/sweep-handler';
import { timeBudgetMs } from '../../../shared/sweep/budget';
import type { SweepHandlerDeps } from '../../../shared/lambda/sweep-deps';
import { makeSnsClient } from '../../../shared/aws/clients';
import { buildSweepAlert, sweepLimits, type SweepResult } from '../../../shared/sweep';
import { MAX_SUBJECT_CHARS } from '../../../shared/sweep/alert';
import { freshQueue, freshTables, localDynamo, localSqs, sqsEndpoint } from '../../support/local-aws';
import { HOUR_MS, TEST_LIMITS, ago, grant, putJob } from '../../support/producer-jobs';

const db = localDynamo();
const sqs = localSqs();
const sns = makeSnsClient({ endpoint: sqsEndpoint(), region: 'us-east-1' });

const fakeContext = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

async function topicWithQueue(): Promise<{ topicArn: string; queueUrl: string }> {
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: `alerts-${Date.now()}-${Math.floor(Math.random() * 1e6)}` }),
  );
  const queueUrl = await freshQueue(sqs, 'alerts');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: TopicArn!, Protocol: 'sqs', Endpoint: Attributes!.QueueArn! }));
  return { topicArn: TopicArn!, queueUrl };
}

async function drain(queueUrl: string): Promise<{ Subject?: string; Message: string }[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  for (const m of Messages ?? [])
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return (Messages ?? []).map((m) => JSON.parse(m.Body!) as { Subject?: string; Message: string });
}

test('one readable message for a run with findings, none for a quiet run', async () => {
  const tables = await freshTables(db, 'alert');
  const { topicArn, queueUrl } = await topicWithQueue();
  const deps: SweepHandlerDeps = {
    ledger: { dynamodb: db, tables },
    workspace: 'test',
    alerts: { sns, topicArn },
    limits: sweepLimits(TEST_LIMITS),
  };
  const handler = createSweepHandler(() => deps);
  await grant(deps.ledger, 'u1', 10);
  await putJob(db, tables, {
    jobId: 'lost-1',
    userId: 'u1',
    model: 'gen-pro',
    seconds: 10,
    status: 'rendered',
    updatedAt: ago(2 * HOUR_MS),
  });
  await putJob(db, tables, {
    jobId: 'stuck-1',
    userId: 'u2',
    model: 'gen-pro',
    seconds: 10,
    status: 'queued',
    updatedAt: ago(48 * HOUR_MS),
  });
  await putJob(db, tables, {
    jobId: 'bad-1',
    userId: 'u2',
    model: 'gen-pro',
    updatedAt: ago(2 * HOUR_MS),
    status: 'rendered',
  });

  const response = await handler({}, fakeContext(300_000));
  expect(response).toMatchObject({ status: 'completed', stragglers: 1, stuckJobs: 1, badRecords: 1, drift: 0 });
  expect(response.alertMessageId).toBeDefined();

  const messages = await drain(queueUrl);
  expect(messages).toHaveLength(1);
  const { Subject, Message } = messages[0]!;
  expect(Subject!.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
  expect(Subject).toMatch(/^\[reconciler test\] sweep: .*1 stuck.*1 bad record.*1 straggler settled/);
  // Counts, the ids, and what to do.
  expect(Message).toMatch(/STUCK JOBS: 1 job/);
  expect(Message).toContain('stuck-1 (user u2, queued since');
  expect(Message).toMatch(/BAD JOB RECORDS: 1 job[\s\S]*bad-1: seconds missing/);
  expect(Message).toMatch(/STRAGGLERS SETTLED: 1 terminal job[\s\S]*lost-1 \(u1, debited 30\)/);
  expect(Message).toMatch(/OVERDRAFTS: 1 debit/); // 30 credits against a balance of 10
  expect(Message).toMatch(/What to do/);

  // The straggler is settled; the stuck and bad records are still there and are reported again.
  const second = await handler({}, fakeContext(300_000));
  expect(second).toMatchObject({ stragglers: 0, stuckJobs: 1, badRecords: 1 });
  expect(await drain(queueUrl)).toHaveLength(1);

  // All well: nothing is sent.
  const quietTables = await freshTables(db, 'quiet');
  const quiet = createSweepHandler(() => ({ ...deps, ledger: { dynamodb: db, tables: quietTables } }));
  await putJob(db, quietTables, {
    jobId: 'busy',
    userId: 'u1',
    model: 'gen-pro',
    seconds: 10,
    status: 'rendering',
    updatedAt: ago(HOUR_MS),
  });
  const calm = await quiet({}, fakeContext(300_000));
  expect(calm).toMatchObject({ status: 'completed', stragglers: 0, stuckJobs: 0 });
  expect(calm.alertMessageId).toBeUndefined();
  expect(await drain(queueUrl)).toHaveLength(0);
});

test('the handler keeps a safety margin from the Lambda timeout', () => {
  expect(timeBudgetMs(900_000)).toBe(810_000);
  expect(timeBudgetMs(60_000)).toBe(45_000);
  expect(timeBudgetMs(10_000)).toBe(0);
});

test('the subject stays within 100 printable ASCII characters however much was found', () => {
  const many = <T>(count: number, item: T) => ({ count, first: [item] });
  const result: SweepResult = {
    runId: 'r',
    status: 'partial',
    stoppedBecause: 'time_budget',
    dryRun: false,
    startedAt: new Date().toISOString(),
    durationMs: 1,
    requests: 1,
    index: { pages: 1, itemsRead: 1 },
    stragglers: {
      ...many(12345, { jobId: 'j', userId: 'u', outcome: 'debited' as const, credits: 5 }),
      debitedCredits: 5,
      balancesChanged: 1,
    },
    alreadySettled: 0,
    inFlight: 0,
    stuck: many(999, { jobId: 'j', userId: 'u', status: 'queued', updatedAt: 'x' }),
    badRecords: many(77, { jobId: 'j', problems: ['userId missing'] }),
    held: many(4, { jobId: 'j', userId: 'u', credits: 9 }),
    backstop: {
      pages: 1,
      itemsRead: 1,
      refunds: {
        ...many(8, { jobId: 'j', userId: 'u', outcome: 'refunded' as const, credits: 5 }),
        refundedCredits: 40,
      },
    },
    holds: {
      pages: 1,
      itemsRead: 3,
      expired: { ...many(3, { jobId: 'h', userId: 'u', credits: 4 }), expiredCredits: 12 },
    },
    unjustified: many(2, {
      ledgerId: 'job#j#refund',
      userId: 'u',
      problem: 'refund of 5 for job j has no debit in the ledger',
    }),
    anomalies: {
      overdraft: many(5, 'd'),
      rendered_after_failed: many(6, 'd'),
      conflicting_duplicate: many(7, 'd'),
      capture_over_hold: { count: 0, first: [] },
      capture_after_expiry: { count: 0, first: [] },
    },
    audit: { mode: 'incremental', usersAudited: 1, unaudited: many(1, 'u') },
    drift: many(3, { userId: 'u', remaining: 1, ledgerSum: 2, difference: -1 }),
    errors: many(2, { subject: 'job j', error: 'TransientError: x' }),
  };
  const alert = buildSweepAlert(result, 'a-rather-long-workspace-name-for-testing')!;
  expect(alert.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
  expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
  expect(
    alert.subject.startsWith(
      '[reconciler a-rather-long-workspace-name-for-testing] sweep: 3 drift, 2 unjustified, 4 held',
    ),
  ).toBe(true);
  expect(alert.body).toMatch(/partial \(stopped: time_budget\)/);
});
