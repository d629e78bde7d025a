/**
 * functions/replay-dlq edges: records that are unrecognised, invalid, too often replayed or refused by
 * the bus, each reported in batchItemFailures (record order) and logged with its reason; the batch
 * summary log line with its EMF metric; an event without Records; the environment defaults.
 */
import pino from 'pino';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createReplayHandler, type ReplayHandlerDeps, type SqsRecord } from '../../../shared/lambda/replay-handler';
import { replayDepsFromEnvironment } from '../../../shared/lambda/replay-deps';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../../../shared/pricing';
import { ConfigError } from '../../../shared/errors';
import { readBooks } from '../../support/books';
import {
  deeplyNestedEventText,
  fixtureMessage,
  lambdaRecordOf,
  loadFixture,
  startStack,
  videoEvent,
  type DlqFixture,
  type Stack,
} from '../../support/replay-stack';

let stack: Stack;
let logs: Record<string, any>[];
let deps: ReplayHandlerDeps;
beforeEach(async () => {
  stack = await startStack('handler-edges');
  logs = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        logs.push(JSON.parse(line));
      },
    },
  );
  deps = stack.handlerDeps({ maxReplays: 2, logger, workspace: 'edge-ws' });
});
afterEach(async () => stack.stop());

/** A genuine record of the fixture's kind, as Lambda's SQS event source shapes it for this stack's DLQ. */
function record(messageId: string, f: DlqFixture, body?: unknown): SqsRecord {
  const m = fixtureMessage(f, messageId, stack.scope);
  return lambdaRecordOf(stack, body === undefined ? m : { ...m, body: JSON.stringify(body) });
}
const invoke = (handler: ReturnType<typeof createReplayHandler>, event: unknown) =>
  handler(event as never, stack.lambdaContext as never);
const warnings = () => logs.filter((l) => l.level === 40);
const summaries = () => logs.filter((l) => l.msg === 'DLQ batch replayed');

test('every kind of left record is in batchItemFailures, in record order, each logged with why; the replayed one is not', async () => {
  const eb = loadFixture('eventbridge-target-dlq');
  stack.bus.faults.failNextPutEntries(1, 'ThrottlingException', 'Rate exceeded');
  const records = [
    record('unknown', loadFixture('unknown')),
    record('refused', eb, videoEvent('rendered', { jobId: 'he-refused', userId: 'u', seconds: 5, model: 'test' })),
    record('invalid', loadFixture('reconciler-invalid-still-invalid')),
    record('ok', eb, videoEvent('rendered', { jobId: 'he-ok', userId: 'u', seconds: 5, model: 'test' }, 'he-ok-ev')),
    record(
      'looping',
      eb,
      videoEvent('rendered', {
        jobId: 'he-loop',
        userId: 'u',
        seconds: 5,
        model: 'test',
        replay: { count: 2, originalEventId: 'loop-orig' },
      }),
    ),
    record('bus-record', loadFixture('eventbridge-bus-failure-record')),
  ];
  const response = await invoke(
    createReplayHandler(() => deps),
    { Records: records },
  );
  await stack.bus.idle();

  expect(response).toEqual({
    batchItemFailures: ['unknown', 'refused', 'invalid', 'looping', 'bus-record'].map((itemIdentifier) => ({
      itemIdentifier,
    })),
  });
  // Only the accepted event reached the ledger; the refused one was not applied.
  expect(stack.bus.events().map((e) => e.detail.jobId)).toEqual(['he-ok']);
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(1);

  const byId = Object.fromEntries(warnings().map((l) => [l.messageId, l]));
  expect(Object.keys(byId).sort()).toEqual(['bus-record', 'invalid', 'looping', 'refused', 'unknown']);
  expect(warnings().every((l) => l.msg === 'DLQ message left in the queue')).toBe(true);
  expect(byId.unknown).toMatchObject({ outcome: 'left_unrecognised', reason: 'no known DLQ message shape' });
  expect(byId.unknown).not.toHaveProperty('shape');
  expect(byId.refused).toMatchObject({
    outcome: 'failed',
    shape: 'eventbridge_target_dlq',
    reason: 'the bus refused it (ThrottlingException: Rate exceeded)',
    jobId: 'he-refused',
  });
  expect(byId.invalid).toMatchObject({
    outcome: 'left_invalid',
    shape: 'reconciler_invalid',
    reason: 'unknown model and no quoted credits',
    details: [expect.stringContaining('gen-experimental')],
    hint: expect.stringContaining('--drop-invalid'),
  });
  expect(byId.looping).toMatchObject({
    outcome: 'left_too_many_replays',
    originalEventId: 'loop-orig',
    jobId: 'he-loop',
  });
  expect(byId['bus-record']).toMatchObject({
    outcome: 'left_unrecognised',
    details: expect.arrayContaining([expect.stringMatching(/^event /)]),
    hint: expect.stringContaining('archive'),
  });

  expect(summaries()).toHaveLength(1);
  expect(summaries()[0]).toMatchObject({
    level: 30,
    records: 6,
    replayed: 1,
    left: 5,
    Replayed: 1,
    Workspace: 'edge-ws',
  });
  expect(summaries()[0]!._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'Replayed', Unit: 'Count' }]);
});

test('the function never drops an invalid event, whatever the batch', async () => {
  const response = await invoke(
    createReplayHandler(() => deps),
    { Records: [record('inv', loadFixture('reconciler-invalid-still-invalid'))] },
  );
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'inv' }] });
  expect(stack.bus.stats.putRequests).toBe(0);
});

test('a whole-request PutEvents failure returns every publishable record; a batch that all succeeds logs no warning', async () => {
  const eb = loadFixture('lambda-dlq');
  const records = [0, 1].map((i) =>
    record(`w-${i}`, eb, videoEvent('failed', { jobId: `w-${i}`, userId: 'u', seconds: 5, model: 'test' })),
  );
  stack.bus.faults.failNextPutRequests(1);
  const handler = createReplayHandler(() => deps);
  expect(await invoke(handler, { Records: records })).toEqual({
    batchItemFailures: [{ itemIdentifier: 'w-0' }, { itemIdentifier: 'w-1' }],
  });
  expect(warnings().map((l) => l.reason)).toEqual([
    expect.stringContaining('PutEvents failed'),
    expect.stringContaining('PutEvents failed'),
  ]);
  logs.length = 0;
  // Lambda retries the batch once the bus is back.
  expect(await invoke(handler, { Records: records })).toEqual({ batchItemFailures: [] });
  await stack.bus.idle();
  expect(warnings()).toHaveLength(0);
  expect(summaries()[0]).toMatchObject({ records: 2, replayed: 2, left: 0 });
});

test('an event without Records is an empty batch: nothing published, nothing failed', async () => {
  expect(
    await invoke(
      createReplayHandler(() => deps),
      {},
    ),
  ).toEqual({ batchItemFailures: [] });
  expect(summaries()[0]).toMatchObject({ records: 0, replayed: 0, left: 0 });
  expect(stack.bus.stats.putRequests).toBe(0);
});

test('a bug in the core (maxReplays out of range) returns the whole batch rather than losing it', async () => {
  const handler = createReplayHandler(() => ({ ...deps, maxReplays: 0 }));
  const records = [record('b-0', loadFixture('lambda-dlq')), record('b-1', loadFixture('unknown'))];
  expect(await invoke(handler, { Records: records })).toEqual({
    batchItemFailures: [{ itemIdentifier: 'b-0' }, { itemIdentifier: 'b-1' }],
  });
  expect(stack.bus.stats.putRequests).toBe(0);
});

describe('one record never stops the batch (security review M3)', () => {
  const eb = loadFixture('eventbridge-target-dlq');
  const valid = (i: number) =>
    record(`ok-${i}`, eb, videoEvent('rendered', { jobId: `m3-ok-${i}`, userId: 'u', seconds: 5, model: 'test' }));

  test('a record nested 100,000 deep between valid ones: only it returns to the queue, logged with its reason', async () => {
    const deep: SqsRecord = { ...record('deep', eb), body: deeplyNestedEventText('m3-deep') };
    const response = await invoke(
      createReplayHandler(() => deps),
      { Records: [valid(0), deep, valid(1)] },
    );
    await stack.bus.idle();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'deep' }] });
    expect(
      stack.bus
        .events()
        .map((e) => e.detail.jobId)
        .sort(),
    ).toEqual(['m3-ok-0', 'm3-ok-1']);
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(2);
    // Since the schema bounds unknown fields, it is invalid at the door: left, with the field named.
    expect(warnings()).toEqual([
      expect.objectContaining({
        messageId: 'deep',
        outcome: 'left_invalid',
        jobId: 'm3-deep',
        reason: 'event does not match the video event schema',
        details: ['/detail/nest/0 must be string,number,boolean,null'],
      }),
    ]);
    expect(summaries()[0]).toMatchObject({ records: 3, replayed: 2, left: 1 });
    expect(logs.filter((l) => l.level >= 50)).toHaveLength(0);
  });

  test('a record whose planning throws for another reason (injected) between valid ones: the same', async () => {
    const priceBook = Object.defineProperty({ ...DEFAULT_PRICE_BOOK }, 'gen-pro', {
      enumerable: true,
      get() {
        throw new TypeError('price book is corrupt');
      },
    }) as PriceBook;
    const poisoned = record(
      'boom',
      eb,
      videoEvent('rendered', { jobId: 'm3-boom', userId: 'u', seconds: 5, model: 'gen-pro' }),
    );
    const response = await invoke(
      createReplayHandler(() => ({ ...deps, priceBook })),
      { Records: [valid(0), poisoned, valid(1)] },
    );
    await stack.bus.idle();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'boom' }] });
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(2);
    expect(warnings()).toEqual([
      expect.objectContaining({
        messageId: 'boom',
        outcome: 'failed',
        jobId: 'm3-boom',
        reason: 'could not be planned (TypeError: price book is corrupt)',
      }),
    ]);
  });
});

describe("configuration: DLQ_URL is the workspace's DLQ in the function's region and account (M7)", () => {
  const env = (overrides: Record<string, string | undefined>) => ({
    DLQ_URL: stack.dlqUrl,
    EVENT_BUS_NAME: 'bus-b',
    LOG_LEVEL: 'silent',
    AWS_REGION: 'us-east-1',
    WORKSPACE: stack.scope.workspace,
    ...overrides,
  });

  test('the workspace defaults to "local" when WORKSPACE is not set, so its DLQ must then be the local workspace\'s', () => {
    const localUrl = stack.dlqUrl.replace(/[^/]+$/, 'cc-reconciler-dlq-local');
    const fromEnv = replayDepsFromEnvironment(env({ WORKSPACE: undefined, DLQ_URL: localUrl }));
    expect(fromEnv).toMatchObject({
      busName: 'bus-b',
      workspace: 'local',
      maxReplays: 5,
      priceBook: DEFAULT_PRICE_BOOK,
    });
    expect(fromEnv.dlq.arn).toBe('arn:aws:sqs:us-east-1:000000000000:cc-reconciler-dlq-local');
    (fromEnv.eventBridge as EventBridgeClient).destroy();
    expect(() => replayDepsFromEnvironment(env({ WORKSPACE: undefined }))).toThrow(
      /DLQ_URL .* names queue cc-reconciler-dlq-handler-edges-\w+, not workspace local's DLQ/,
    );
  });

  test.each([
    [
      'another host',
      'https://sqs-prod.attacker.example/123456789012/cc-reconciler-dlq-prod',
      /is not an SQS queue URL/,
    ],
    [
      'another region',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-dlq-{ws}',
      /is in region eu-west-1, not us-east-1/,
    ],
    [
      'another workspace',
      'https://sqs.us-east-1.amazonaws.com/123456789012/cc-reconciler-dlq-prod',
      /names queue cc-reconciler-dlq-prod/,
    ],
  ])('a DLQ_URL on %s is a ConfigError at start-up', (_, url, why) => {
    expect(() => replayDepsFromEnvironment(env({ DLQ_URL: url.replace('{ws}', stack.scope.workspace) }))).toThrow(
      ConfigError,
    );
    expect(() => replayDepsFromEnvironment(env({ DLQ_URL: url.replace('{ws}', stack.scope.workspace) }))).toThrow(why);
  });

  test('no region, or a workspace name that is not one, is a ConfigError too', () => {
    expect(() => replayDepsFromEnvironment(env({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }))).toThrow(
      /AWS_REGION is not set/,
    );
    expect(() => replayDepsFromEnvironment(env({ WORKSPACE: 'prod; rm -rf' }))).toThrow(
      /WORKSPACE workspace "prod; rm -rf" must be/,
    );
  });

  test("a DLQ_URL in another account than the function's: the batch is not replayed, every record stays, said once", async () => {
    const records = [record('a-0', loadFixture('lambda-dlq'))];
    const otherAccount = {
      invokedFunctionArn: stack.lambdaContext.invokedFunctionArn.replace('000000000000', '999999999999'),
    };
    const handler = createReplayHandler(() => deps);
    expect(await handler({ Records: records } as never, otherAccount as never)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a-0' }],
    });
    expect(await handler({ Records: records } as never, {} as never)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a-0' }],
    });
    expect(logs.filter((l) => l.level === 50).map((l) => l.error)).toEqual([
      expect.stringMatching(/DLQ_URL is in us-east-1\/000000000000, but this function runs in us-east-1\/999999999999/),
      expect.stringMatching(/names no invokedFunctionArn/),
    ]);
    expect(stack.bus.stats.putRequests).toBe(0);
  });
});
