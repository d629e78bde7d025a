/**
 * The drain's bounds and failure paths against fauxqs and the local EventBridge: deletes SQS refuses
 * (per entry and whole request), release failures, the receive limit, abort during a rate-limit wait,
 * messages that come back within a run, invalid messages named or not × dryRun, PutEvents
 * batches split by the 256 KB limit, mixed batches, and a bug mid-batch.
 *
 * SQS faults fauxqs cannot produce are injected with a middleware on a dedicated client: the request
 * is altered (an entry left out) or refused before it is sent, so the queue really is in the state the
 * fault describes.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainDlq, queueDepth, type DrainOptions } from '../../../shared/replay/drain';
import { replayMessages, PUT_EVENTS_MAX_BYTES } from '../../../shared/replay/redeliver';
import { leftCount } from '../../../shared/replay/types';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../../../shared/pricing';
import { readBooks } from '../../support/books';
import { makeSqsClient } from '../../../shared/aws/clients';
import {
  bulkFields,
  genuineTargetAttributes,
  deeplyNestedEventText,
  loadFixture,
  peekAll,
  sendFixture,
  sendFixtureText,
  startStack,
  videoEvent,
  type Stack,
} from '../../support/replay-stack';

let stack: Stack;
const clients: SQSClient[] = [];
beforeEach(async () => {
  stack = await startStack('edges');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await stack.stop();
});

type Next = () => Promise<{ output: any; response: unknown }>;
/** A client on the same local SQS whose named commands go through `fault(input, next)`. */
function faultySqs(
  faults: Record<string, (input: any, next: Next) => Promise<{ output: any; response: unknown }>>,
): SQSClient {
  const sqs = makeSqsClient({ endpoint: stack.local.endpoints.sqs, region: 'us-east-1' });
  clients.push(sqs);
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const fault = faults[context.commandName as string];
      return (fault ? fault(args.input, () => next(args) as never) : next(args)) as never;
    },
    { step: 'initialize', name: 'testFaults' },
  );
  return sqs;
}

const drain = (o: Partial<DrainOptions> = {}) =>
  drainDlq({
    ...stack.replayDeps,
    sqs: stack.sqs,
    queueUrl: stack.dlqUrl,
    maxMessages: 1000,
    waitTimeSeconds: 0,
    ...o,
  });
const depth = () => queueDepth(stack.sqs, stack.dlqUrl);
const remainingIds = async () => (await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId!).sort();
const sendValid = (jobId: string, name = 'lambda-dlq') =>
  sendFixture(stack, loadFixture(name), videoEvent('rendered', { jobId, userId: 'u1', seconds: 5, model: 'test' }));

describe('deleting what the bus accepted', () => {
  test('entries SQS refuses to delete stay in the DLQ, visible again, reported failed; a second run replays them harmlessly', async () => {
    const ids = [await sendValid('del-0'), await sendValid('del-1'), await sendValid('del-2')];
    const sqs = faultySqs({
      DeleteMessageBatchCommand: async (input, next) => {
        // m1 and m2 are not deleted (left out of the request); SQS reports them as failed, m2 without a code.
        const asked = input.Entries as { Id: string }[];
        input.Entries = asked.filter((e) => e.Id === 'm0');
        const result = await next();
        result.output.Failed = [
          { Id: 'm1', Code: 'InternalError', Message: 'try again', SenderFault: false },
          { Id: 'm2', SenderFault: false },
          { Id: 'm7', Code: 'InternalError', SenderFault: false }, // names no message of this batch: ignored
        ];
        return result;
      },
    });
    const report = await drain({ sqs });
    await stack.bus.idle();
    expect(report.summary).toMatchObject({ seen: 3, replayed: 1, failed: 2 });
    expect(report.released).toBe(2);
    const [first, second, third] = report.results;
    expect(first).toMatchObject({ outcome: 'replayed', remove: true });
    expect(second).toMatchObject({
      outcome: 'failed',
      remove: false,
      newEventId: expect.any(String),
      reason: expect.stringContaining('(InternalError: try again)'),
    });
    expect(third).toMatchObject({
      outcome: 'failed',
      remove: false,
      reason: expect.stringContaining('not deleted from the DLQ (error: )'),
    });
    expect(second!.reason).toContain('replaying it again is harmless');
    // All three events reached the bus and the ledger; two messages are still (visibly) in the DLQ.
    expect(stack.bus.stats.entriesAccepted).toBe(3);
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(3);
    expect(await depth()).toMatchObject({ visible: 2, inFlight: 0 });
    expect(await remainingIds()).toEqual([second!.messageId, third!.messageId].sort());
    expect(ids.sort()).toEqual(report.results.map((r) => r.messageId).sort());

    const again = await drain();
    await stack.bus.idle();
    expect(again.summary).toMatchObject({ seen: 2, replayed: 2 });
    expect(await depth()).toMatchObject({ visible: 0, inFlight: 0 });
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(3);
  });

  test('a DeleteMessageBatch request that fails keeps the whole batch, released for the next run', async () => {
    await sendValid('dx-0');
    await sendValid('dx-1');
    const sqs = faultySqs({
      DeleteMessageBatchCommand: async () => {
        throw new Error('connection reset by peer');
      },
    });
    const report = await drain({ sqs });
    await stack.bus.idle();
    expect(report.summary).toMatchObject({ seen: 2, replayed: 0, failed: 2 });
    expect(leftCount(report.summary)).toBe(2);
    expect(report.results.every((r) => r.reason?.includes('(connection reset by peer)') && !r.remove)).toBe(true);
    expect(report.released).toBe(2);
    expect(await depth()).toMatchObject({ visible: 2, inFlight: 0 });
  });
});

describe('releasing what stayed (best effort)', () => {
  test.each([
    [
      'the request fails',
      async () => {
        throw new Error('throttled');
      },
    ],
    ['the answer lists no successes', async () => ({ output: {}, response: {} })],
  ])('when %s the run still reports, released 0, and the message stays hidden until its timeout', async (_, fault) => {
    const id = await sendFixture(stack, loadFixture('unknown'));
    const sqs = faultySqs({ ChangeMessageVisibilityBatchCommand: fault });
    const report = await drain({ sqs });
    expect(report).toMatchObject({ stoppedBy: 'empty', released: 0, summary: { seen: 1, left_unrecognised: 1 } });
    expect(report.results[0]!.messageId).toBe(id);
    expect(await depth()).toMatchObject({ visible: 0, inFlight: 1 });
  });
});

describe('bounds', () => {
  test('the receive limit stops a run whose receives keep coming back short', async () => {
    for (let i = 0; i < 20; i++) await sendValid(`rl-${i}`);
    // SQS may return fewer messages than asked for; here it always returns one.
    const sqs = faultySqs({
      ReceiveMessageCommand: (input, next) => {
        input.MaxNumberOfMessages = 1;
        return next();
      },
    });
    // maxMessages 20 allows ceil(20 / 10) * 3 + 10 = 16 receives.
    const report = await drain({ sqs, maxMessages: 20 });
    await stack.bus.idle();
    expect(report).toMatchObject({ stoppedBy: 'receive_limit', summary: { seen: 16, replayed: 16 } });
    expect(await depth()).toMatchObject({ visible: 4, inFlight: 0 });
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(16);
  });

  test('an abort during the rate-limit wait ends the run at once, nothing lost', async () => {
    for (let i = 0; i < 12; i++) await sendValid(`ra-${i}`);
    const controller = new AbortController();
    let firstBatch = 0;
    // 1 message per second: after the first batch the run waits ≥ 1 s; the abort comes 100 ms in.
    const report = await drain({
      ratePerSecond: 1,
      signal: controller.signal,
      onResult: (_, s) => {
        if (s.seen === 1) setTimeout(() => controller.abort(), 100);
        firstBatch = s.seen;
      },
    });
    await stack.bus.idle();
    expect(report.stoppedBy).toBe('aborted');
    expect(report.durationMs).toBeLessThan(900);
    expect(report.summary).toMatchObject({ seen: firstBatch, replayed: firstBatch });
    expect((await depth()).visible).toBe(12 - firstBatch);
  });

  test('a signal aborted before the run receives nothing', async () => {
    await sendValid('pre-0');
    const controller = new AbortController();
    controller.abort();
    const report = await drain({ signal: controller.signal, ratePerSecond: 5 });
    expect(report).toMatchObject({ stoppedBy: 'aborted', released: 0, summary: { seen: 0 } });
    expect(await depth()).toMatchObject({ visible: 1, inFlight: 0 });
  });

  test('maxMessages and ratePerSecond outside their bounds are refused before anything is received', async () => {
    await sendValid('b-0');
    for (const o of [
      { maxMessages: 0 },
      { maxMessages: 1_000_001 },
      { maxMessages: 1.5 },
      { ratePerSecond: 0 },
      { ratePerSecond: 10_001 },
    ]) {
      await expect(drain(o)).rejects.toThrow(/maxMessages|ratePerSecond/);
    }
    expect(await depth()).toMatchObject({ visible: 1, inFlight: 0 });
  });
});

test('a message whose visibility runs out mid-run is seen once, not counted twice, and released with its newest handle', async () => {
  const invalid = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
  const unknown = await sendFixture(stack, loadFixture('unknown'));
  await sendValid('vis-0');
  const receives: number[] = [];
  const sqs = faultySqs({
    ReceiveMessageCommand: async (_, next) => {
      const r = await next();
      receives.push(r.output.Messages?.length ?? 0);
      return r;
    },
  });
  // Visibility 0: what the run leaves is visible again at once, so the next receive returns it.
  const report = await drain({ sqs, visibilityTimeoutSeconds: 0 });
  await stack.bus.idle();
  expect(report).toMatchObject({
    stoppedBy: 'empty',
    released: 2,
    summary: { seen: 3, replayed: 1, left_invalid: 1, left_unrecognised: 1 },
  });
  expect(receives).toEqual([3, 2]);
  expect(await remainingIds()).toEqual([invalid, unknown].sort());
});

describe('a dry run hides nothing for longer than a batch (L5)', () => {
  /** The queue as a concurrent run would find it just before this run's second receive. */
  async function depthBeforeSecondReceive(dryRun: boolean) {
    let receives = 0;
    let seen: Awaited<ReturnType<typeof depth>> | undefined;
    const sqs = faultySqs({
      ReceiveMessageCommand: async (_, next) => {
        receives += 1;
        if (receives === 2) seen = await depth();
        return next();
      },
    });
    const report = await drain({ sqs, dryRun });
    return { seen: seen!, report };
  }

  test('each batch is visible again right after it is decided; a real run keeps what it leaves hidden until it ends', async () => {
    for (let i = 0; i < 15; i++) await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const dry = await depthBeforeSecondReceive(true);
    expect(dry.seen).toMatchObject({ visible: 15, inFlight: 0 });
    expect(dry.report).toMatchObject({
      dryRun: true,
      stoppedBy: 'empty',
      released: 15,
      summary: { seen: 15, left_invalid: 15 },
    });
    // The contrast: a real run holds the ten it left, so that it does not count them twice.
    const real = await depthBeforeSecondReceive(false);
    expect(real.seen).toMatchObject({ visible: 5, inFlight: 10 });
    expect(real.report).toMatchObject({ released: 15, summary: { seen: 15, left_invalid: 15 } });
    expect(await depth()).toMatchObject({ visible: 15, inFlight: 0 });
  });

  test('it still sees every message once, though the ones it released come back to it', async () => {
    for (let i = 0; i < 25; i++) await sendValid(`dry-${i}`);
    const receives: number[] = [];
    const sqs = faultySqs({
      ReceiveMessageCommand: async (_, next) => {
        const r = await next();
        receives.push(r.output.Messages?.length ?? 0);
        return r;
      },
    });
    const report = await drain({ sqs, dryRun: true });
    expect(report).toMatchObject({ stoppedBy: 'empty', released: 25, summary: { seen: 25, would_replay: 25 } });
    // Three receives in a row with nothing new end it (bounded: it never loops on what it released).
    expect(receives.length).toBeLessThanOrEqual(3 + 3);
    expect(await depth()).toMatchObject({ visible: 25, inFlight: 0 });
    expect(stack.bus.stats.putRequests).toBe(0);
  });
});

describe('invalid messages: named by --drop-invalid or not × dryRun, in a real drain', () => {
  test.each([
    { dryRun: false, named: false, outcome: 'left_invalid', stays: true, released: 2 },
    { dryRun: false, named: true, outcome: 'dropped_invalid', stays: false, released: 1 },
    { dryRun: true, named: false, outcome: 'left_invalid', stays: true, released: 3 },
    { dryRun: true, named: true, outcome: 'would_drop_invalid', stays: true, released: 3 },
  ])('dryRun $dryRun, named $named → $outcome', async ({ dryRun, named, outcome, stays, released }) => {
    const invalid = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const unknown = await sendFixture(stack, loadFixture('unknown'));
    const valid = await sendValid('inv-ok');
    const report = await drain({ dryRun, dropInvalidIds: new Set(named ? [invalid] : []) });
    await stack.bus.idle();
    const byId = Object.fromEntries(report.results.map((r) => [r.messageId, r]));
    expect(byId[invalid]).toMatchObject({
      outcome,
      remove: outcome === 'dropped_invalid',
      reason: 'unknown model and no quoted credits',
      jobId: 'fx-inv-2',
    });
    expect(byId[unknown]).toMatchObject({ outcome: 'left_unrecognised', remove: false });
    expect(byId[valid]).toMatchObject({ outcome: dryRun ? 'would_replay' : 'replayed' });
    expect(report).toMatchObject({ dryRun, released });
    expect(stack.bus.stats.putRequests).toBe(dryRun ? 0 : 1);
    const expected = [unknown, ...(stays ? [invalid] : []), ...(dryRun ? [valid] : [])].sort();
    expect(await remainingIds()).toEqual(expected);
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(dryRun ? 0 : 1);
  });
});

describe('publishing batches', () => {
  test('large events are split across PutEvents requests by the 256 KB limit (which the bus enforces); an oversized one fails alone', async () => {
    // ~100 KB of valid unknown fields each (the schema bounds every one field, not the event).
    const blob = bulkFields(100_000);
    const big = (i: number) => ({
      messageId: `big-${i}`,
      attributes: { ...genuineTargetAttributes(stack.origin), ERROR_CODE: 'X' },
      body: JSON.stringify(
        videoEvent('rendered', { jobId: `big-${i}`, userId: 'u2', seconds: 5, model: 'test', ...blob }, `big-ev-${i}`),
      ),
    });
    const tooBig = {
      messageId: 'huge',
      attributes: { ...genuineTargetAttributes(stack.origin), ERROR_CODE: 'X' },
      body: JSON.stringify(
        videoEvent('rendered', {
          jobId: 'huge',
          userId: 'u2',
          seconds: 5,
          model: 'test',
          ...bulkFields(PUT_EVENTS_MAX_BYTES, 'h'),
        }),
      ),
    };
    const messages = [big(0), big(1), tooBig, big(2), big(3), big(4)];
    const results = await replayMessages(messages, stack.replayDeps);
    await stack.bus.idle();
    expect(results.map((r) => [r.messageId, r.outcome])).toEqual([
      ['big-0', 'replayed'],
      ['big-1', 'replayed'],
      ['huge', 'failed'],
      ['big-2', 'replayed'],
      ['big-3', 'replayed'],
      ['big-4', 'replayed'],
    ]);
    expect(results[2]!.reason).toContain('too large');
    // Two ~100 KB entries fit in 256 KB, three do not: 5 entries → 3 requests, none refused for size.
    expect(stack.bus.stats).toMatchObject({ putRequests: 3, entriesAccepted: 5, entriesFailed: 0 });
    expect(stack.bus.events().map((e) => e.detail.jobId)).toEqual(['big-0', 'big-1', 'big-2', 'big-3', 'big-4']);
  });

  test('more than 10 publishable messages go out in requests of at most 10, results in input order', async () => {
    const messages = Array.from({ length: 23 }, (_, i) => ({
      messageId: `n-${i}`,
      attributes: { ...genuineTargetAttributes(stack.origin, 'failed'), ERROR_CODE: 'X' },
      body: JSON.stringify(videoEvent('failed', { jobId: `n-${i}`, userId: 'u3', seconds: 5, model: 'test' })),
    }));
    const results = await replayMessages(messages, stack.replayDeps);
    await stack.bus.idle();
    expect(results.map((r) => r.messageId)).toEqual(messages.map((m) => m.messageId));
    expect(results.every((r) => r.outcome === 'replayed')).toBe(true);
    expect(stack.bus.stats).toMatchObject({ putRequests: 3, entriesAccepted: 23 });
  });

  test('a mixed drain batch: each message gets its own fate, only the publishable one is sent', async () => {
    const atMax = await sendFixture(
      stack,
      loadFixture('eventbridge-target-dlq'),
      videoEvent('rendered', {
        jobId: 'mx-1',
        userId: 'u4',
        seconds: 5,
        model: 'test',
        replay: { count: 2, originalEventId: 'orig-mx-1' },
      }),
    );
    const busRecord = await sendFixture(stack, loadFixture('eventbridge-bus-failure-record'));
    const invalid = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const ok = await sendValid('mx-ok', 'eventbridge-target-dlq');
    const report = await drain({ maxReplays: 2 });
    await stack.bus.idle();
    const byId = Object.fromEntries(report.results.map((r) => [r.messageId, r]));
    expect(byId[atMax]).toMatchObject({
      outcome: 'left_too_many_replays',
      replayCount: 2,
      originalEventId: 'orig-mx-1',
      hint: expect.stringContaining('--max-replays'),
    });
    expect(byId[busRecord]).toMatchObject({
      outcome: 'left_unrecognised',
      details: expect.arrayContaining([expect.stringMatching(/^event /)]),
    });
    expect(byId[invalid]).toMatchObject({ outcome: 'left_invalid' });
    expect(byId[ok]).toMatchObject({ outcome: 'replayed', replayCount: 1 });
    expect(stack.bus.stats).toMatchObject({ putRequests: 1, entriesAccepted: 1 });
    expect(stack.bus.events().map((e) => e.detail.jobId)).toEqual(['mx-ok']);
    expect(await remainingIds()).toEqual([atMax, busRecord, invalid].sort());
    expect(leftCount(report.summary)).toBe(3);
  });
});

test('a bug mid-batch (a corrupt price book) fails each message it reaches, the run goes on, and they become visible again', async () => {
  await sendValid('bug-0');
  await sendValid('bug-1');
  const broken = Object.defineProperty({}, 'test', {
    enumerable: true,
    get() {
      throw new TypeError('price book is corrupt');
    },
  }) as PriceBook;
  const report = await drain({ priceBook: broken });
  expect(report).toMatchObject({ stoppedBy: 'empty', released: 2, summary: { seen: 2, failed: 2 } });
  expect(
    report.results.every((r) => !r.remove && r.reason === 'could not be planned (TypeError: price book is corrupt)'),
  ).toBe(true);
  expect(stack.bus.stats.putRequests).toBe(0);
  expect(await depth()).toMatchObject({ visible: 2, inFlight: 0 });
});

describe('one message never stops the drain (security review M3)', () => {
  test('a message nested 100,000 deep between valid ones: the valid ones are replayed, it stays with its reason', async () => {
    const before = await sendValid('nest-0');
    const deep = await sendFixtureText(stack, loadFixture('lambda-dlq'), deeplyNestedEventText('nest-deep'));
    const after = await sendValid('nest-1');
    const report = await drain();
    await stack.bus.idle();
    const byId = Object.fromEntries(report.results.map((r) => [r.messageId, r]));
    expect(byId[before]).toMatchObject({ outcome: 'replayed' });
    expect(byId[after]).toMatchObject({ outcome: 'replayed' });
    // Since the schema bounds unknown fields, it is invalid at the door: left, with the field named.
    expect(byId[deep]).toMatchObject({
      outcome: 'left_invalid',
      remove: false,
      jobId: 'nest-deep',
      reason: 'event does not match the video event schema',
      details: ['/detail/nest/0 must be string,number,boolean,null'],
    });
    expect(report).toMatchObject({
      stoppedBy: 'empty',
      released: 1,
      summary: { seen: 3, replayed: 2, left_invalid: 1 },
    });
    expect(
      stack.bus
        .events()
        .map((e) => e.detail.jobId)
        .sort(),
    ).toEqual(['nest-0', 'nest-1']);
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(2);
    expect(await remainingIds()).toEqual([deep]);
  });

  test('a message whose planning throws for another reason (injected) between valid ones: the same', async () => {
    const before = await sendValid('inj-0');
    const poisoned = await sendFixture(
      stack,
      loadFixture('lambda-dlq'),
      videoEvent('rendered', { jobId: 'inj-boom', userId: 'u1', seconds: 5, model: 'gen-pro' }),
    );
    const after = await sendValid('inj-1');
    const priceBook = Object.defineProperty({ ...DEFAULT_PRICE_BOOK }, 'gen-pro', {
      enumerable: true,
      get() {
        throw new TypeError('price book is corrupt');
      },
    }) as PriceBook;
    const report = await drain({ priceBook });
    await stack.bus.idle();
    const byId = Object.fromEntries(report.results.map((r) => [r.messageId, r]));
    expect([byId[before]?.outcome, byId[after]?.outcome]).toEqual(['replayed', 'replayed']);
    expect(byId[poisoned]).toMatchObject({
      outcome: 'failed',
      remove: false,
      jobId: 'inj-boom',
      reason: 'could not be planned (TypeError: price book is corrupt)',
    });
    expect(report.summary).toMatchObject({ seen: 3, replayed: 2, failed: 1 });
    expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(2);
    expect(await remainingIds()).toEqual([poisoned]);
  });
});

describe('queueDepth', () => {
  test('reads the three counts', async () => {
    await sendValid('qd-0');
    expect(await depth()).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });
  test('missing or non-numeric attributes count as 0', async () => {
    const none = faultySqs({ GetQueueAttributesCommand: async () => ({ output: {}, response: {} }) });
    expect(await queueDepth(none, stack.dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const odd = faultySqs({
      GetQueueAttributesCommand: async () => ({
        output: {
          Attributes: {
            ApproximateNumberOfMessages: 'n/a',
            ApproximateNumberOfMessagesNotVisible: '3',
            ApproximateNumberOfMessagesDelayed: '-1',
          },
        },
        response: {},
      }),
    });
    expect(await queueDepth(odd, stack.dlqUrl)).toEqual({ visible: 0, inFlight: 3, delayed: 0 });
  });
});
