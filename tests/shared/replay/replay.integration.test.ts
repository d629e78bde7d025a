/**
 * End to end: DLQ in fauxqs → replay → local EventBridge → the real debit/refund handlers → DynamoDB
 * Local. Every shape, idempotence, partial PutEvents failure, invalid/unrecognised, the replay cap,
 * dry run, abort and rate.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { settleEvent } from '../../../shared/ledger/settle';
import { drainDlq, queueDepth, type DrainOptions } from '../../../shared/replay/drain';
import { readBooks } from '../../support/books';
import { loadFixture, peekAll, sendFixture, startStack, videoEvent, type Stack } from '../../support/replay-stack';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack('replay');
});
afterEach(async () => stack.stop());

const drain = (o: Partial<DrainOptions> = {}) =>
  drainDlq({
    ...stack.replayDeps,
    sqs: stack.sqs,
    queueUrl: stack.dlqUrl,
    maxMessages: 1000,
    waitTimeSeconds: 0,
    ...o,
  });
async function ledgerEntry(ledgerId: string) {
  const { Item } = await stack.db.send(
    new GetItemCommand({ TableName: stack.tables.ledger, Key: { ledgerId: { S: ledgerId } }, ConsistentRead: true }),
  );
  return Item ? unmarshall(Item) : undefined;
}
const depth = async () => (await queueDepth(stack.sqs, stack.dlqUrl)).visible;

describe('each DLQ shape, replayed end to end', () => {
  test.each(['eventbridge-target-dlq', 'lambda-destination', 'lambda-dlq', 'reconciler-invalid'])(
    '%s → bus → handler → ledger, and the message is deleted',
    async (name) => {
      const f = loadFixture(name);
      const messageId = await sendFixture(stack, f);
      const report = await drain();
      await stack.bus.idle();
      expect(report.summary).toMatchObject({ seen: 1, replayed: 1 });
      expect(report.results[0]).toMatchObject({
        messageId,
        shape: f.shape,
        outcome: 'replayed',
        originalEventId: f.expect.originalEventId,
        replayCount: 1,
      });
      const entry = await ledgerEntry(f.expect.ledgerId);
      // Settled under the ORIGINAL event id, so the ledger recognises the replay as the same event.
      expect(entry).toMatchObject({
        userId: f.expect.userId,
        amount: f.expect.credits,
        eventId: f.expect.originalEventId,
      });
      expect(await depth()).toBe(0);
      const delivered = stack.bus.events()[0]!;
      expect(delivered.detail.replay).toEqual({
        count: 1,
        originalEventId: f.expect.originalEventId,
        dlqMessageId: messageId,
      });
    },
  );

  test('messages the local bus dead-lettered itself (delivery failure, function errors) replay once the cause is fixed', async () => {
    stack.bus.faults.failNextDeliveries('debit', 100);
    stack.bus.faults.failNextInvocations('refund', 100);
    const out = await stack.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'video.generation',
            DetailType: 'video.rendered',
            Detail: JSON.stringify({ jobId: 'gen-1', userId: 'u9', seconds: 5, model: 'test' }),
            EventBusName: stack.bus.busName,
          },
          {
            Source: 'video.generation',
            DetailType: 'video.failed',
            Detail: JSON.stringify({ jobId: 'gen-2', userId: 'u9', seconds: 5, model: 'test' }),
            EventBusName: stack.bus.busName,
          },
        ],
      }),
    );
    await stack.bus.idle();
    expect(await depth()).toBe(2);
    stack.bus.faults.clear(); // "after fixing the cause"
    const report = await drain();
    await stack.bus.idle();
    expect(report.summary).toMatchObject({ seen: 2, replayed: 2 });
    expect(new Set(report.results.map((r) => r.shape))).toEqual(
      new Set(['eventbridge_target_dlq', 'lambda_destination']),
    );
    expect(await ledgerEntry('job#gen-1#debit')).toMatchObject({ amount: 1, eventId: out.Entries![0]!.EventId });
    const books = await readBooks(stack.db, stack.tables);
    expect(books.settlements['gen-2']).toMatchObject({ settlement: 'NO_CHARGE' });
    expect(await depth()).toBe(0);
  });
});

describe('idempotence', () => {
  test('the same event in the DLQ twice, and a second drain, change nothing more', async () => {
    const f = loadFixture('eventbridge-target-dlq');
    await sendFixture(stack, f);
    await sendFixture(stack, f);
    const first = await drain();
    await stack.bus.idle();
    expect(first.summary).toMatchObject({ seen: 2, replayed: 2 });
    const before = await readBooks(stack.db, stack.tables);
    const second = await drain();
    await stack.bus.idle();
    expect(second.summary.seen).toBe(0);
    const after = await readBooks(stack.db, stack.tables);
    expect(after).toEqual(before);
    expect(after.ledger).toHaveLength(1);
    expect(after.balances).toEqual({ 'fx-user': -1 });
  });

  test('an event that had in fact already been applied is replayed as a duplicate: nothing changes, the message goes', async () => {
    const f = loadFixture('lambda-destination');
    const event = (f.message.body as any).requestPayload;
    // Applied on its way in (the function committed, then timed out, so Lambda gave up on it).
    await settleEvent(
      { dynamodb: stack.db, tables: stack.tables },
      {
        eventId: event.id,
        kind: 'rendered',
        jobId: event.detail.jobId,
        userId: event.detail.userId,
        seconds: event.detail.seconds,
        model: event.detail.model,
        quotedCredits: 7,
      },
      7,
    );
    const before = await readBooks(stack.db, stack.tables);
    await sendFixture(stack, f);
    const report = await drain();
    await stack.bus.idle();
    expect(report.summary).toMatchObject({ replayed: 1 });
    expect(await readBooks(stack.db, stack.tables)).toEqual(before);
    expect(await depth()).toBe(0);
  });
});

test('a partial PutEvents failure keeps exactly the failed messages', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      await sendFixture(
        stack,
        loadFixture('eventbridge-target-dlq'),
        videoEvent('rendered', { jobId: `pp-${i}`, userId: 'u1', seconds: 5, model: 'test' }),
      ),
    );
  }
  stack.bus.faults.failEntriesOfNextPut([1, 3]);
  const report = await drain();
  await stack.bus.idle();
  expect(report.summary).toMatchObject({ seen: 5, replayed: 3, failed: 2 });
  const failedIds = report.results.filter((r) => r.outcome === 'failed').map((r) => r.messageId);
  expect(report.results.filter((r) => r.outcome === 'failed').every((r) => r.reason?.includes('InternalFailure'))).toBe(
    true,
  );
  const remaining = (await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId).sort();
  expect(remaining).toEqual(failedIds.sort());
  expect(remaining).toHaveLength(2);
  // Their events were not applied; the next run replays them.
  const books = await readBooks(stack.db, stack.tables);
  expect(books.ledger).toHaveLength(3);
  const again = await drain();
  await stack.bus.idle();
  expect(again.summary).toMatchObject({ replayed: 2 });
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(5);
});

test('a failed PutEvents request keeps the whole batch', async () => {
  await sendFixture(stack, loadFixture('lambda-dlq'));
  stack.bus.faults.failNextPutRequests(1);
  const report = await drain();
  expect(report.summary).toMatchObject({ seen: 1, failed: 1 });
  expect(report.results[0]!.reason).toContain('PutEvents failed');
  expect(await depth()).toBe(1);
});

test('invalid and unrecognised messages are listed and left; --drop-invalid drops exactly the invalid messages it names', async () => {
  const invalidId = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
  const otherInvalidId = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
  const busRecordId = await sendFixture(stack, loadFixture('eventbridge-bus-failure-record'));
  const unknownId = await sendFixture(stack, loadFixture('unknown'));
  const report = await drain();
  expect(report.summary).toMatchObject({ seen: 4, left_invalid: 2, left_unrecognised: 2, replayed: 0 });
  expect(report.undroppedIds).toEqual([]);
  expect(report.released).toBe(4);
  expect((await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId).sort()).toEqual(
    [invalidId, otherInvalidId, busRecordId, unknownId].sort(),
  );
  expect(stack.bus.stats.putRequests).toBe(0);

  // One invalid message named, plus an unrecognised one and an id that is not in the queue: only the first goes.
  const dropping = await drain({ dropInvalidIds: new Set([invalidId, unknownId, 'no-such-message']) });
  expect(dropping.summary).toMatchObject({ dropped_invalid: 1, left_invalid: 1, left_unrecognised: 2 });
  expect(dropping.undroppedIds).toEqual([
    { messageId: unknownId, outcome: 'left_unrecognised' },
    { messageId: 'no-such-message' },
  ]);
  expect((await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId).sort()).toEqual(
    [otherInvalidId, busRecordId, unknownId].sort(),
  );
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(0);
});

test('an event that keeps failing is replayed at most maxReplays times, then left: an automatic drain cannot loop', async () => {
  stack.bus.faults.failNextInvocations('debit', 1_000);
  await sendFixture(stack, loadFixture('eventbridge-target-dlq'));
  const outcomes: string[] = [];
  for (let round = 0; round < 10; round++) {
    const report = await drain({ maxReplays: 3 });
    await stack.bus.idle();
    outcomes.push(...report.results.map((r) => `${r.outcome}#${r.replayCount}`));
    if (report.summary.left_too_many_replays > 0) break;
  }
  expect(outcomes).toEqual(['replayed#1', 'replayed#2', 'replayed#3', 'left_too_many_replays#3']);
  const [left] = await peekAll(stack.sqs, stack.dlqUrl);
  expect(JSON.parse(left!.Body!).requestPayload.detail.replay).toMatchObject({
    count: 3,
    originalEventId: '7bf73129-1428-4cd3-a780-95db273d1602',
  });
});

test('dry run changes nothing and says what would happen, message by message', async () => {
  for (const name of ['eventbridge-target-dlq', 'lambda-destination', 'reconciler-invalid-still-invalid', 'unknown'])
    await sendFixture(stack, loadFixture(name));
  const before = await peekAll(stack.sqs, stack.dlqUrl);
  const lines: string[] = [];
  const invalidId = before.find((m) => m.Body?.includes('fx-inv-2'))!.MessageId!;
  const report = await drain({
    dryRun: true,
    dropInvalidIds: new Set([invalidId]),
    onResult: (r) => lines.push(r.outcome),
  });
  await stack.bus.idle();
  expect(lines.sort()).toEqual(['left_unrecognised', 'would_drop_invalid', 'would_replay', 'would_replay']);
  expect(report.summary).toMatchObject({ seen: 4, replayed: 0, dropped_invalid: 0 });
  expect(stack.bus.stats.putRequests).toBe(0);
  expect(await readBooks(stack.db, stack.tables)).toEqual({ balances: {}, ledger: [], jobs: {}, settlements: {} });
  const after = await peekAll(stack.sqs, stack.dlqUrl);
  expect(after.map((m) => [m.MessageId, m.Body]).sort()).toEqual(before.map((m) => [m.MessageId, m.Body]).sort());
});

test('abort stops between batches without losing a message; max bounds a run', async () => {
  for (let i = 0; i < 25; i++) {
    await sendFixture(
      stack,
      loadFixture('lambda-dlq'),
      videoEvent('rendered', { jobId: `ab-${i}`, userId: 'u1', seconds: 5, model: 'test' }),
    );
  }
  const controller = new AbortController();
  const report = await drain({
    signal: controller.signal,
    onResult: (_, s) => {
      if (s.seen === 3) controller.abort();
    },
  });
  await stack.bus.idle();
  expect(report.stoppedBy).toBe('aborted');
  expect(report.summary.replayed).toBeGreaterThanOrEqual(3);
  expect(report.summary.replayed).toBeLessThanOrEqual(10);
  expect(report.summary.replayed + (await depth())).toBe(25);
  const bounded = await drain({ maxMessages: 7 });
  expect(bounded).toMatchObject({ stoppedBy: 'max_messages', summary: { seen: 7 } });
  await stack.bus.idle();
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(report.summary.replayed + 7);
});

test('the rate limit paces the run', async () => {
  for (let i = 0; i < 12; i++)
    await sendFixture(
      stack,
      loadFixture('lambda-dlq'),
      videoEvent('rendered', { jobId: `rt-${i}`, userId: 'u1', seconds: 5, model: 'test' }),
    );
  const startedAt = Date.now();
  const report = await drain({ ratePerSecond: 20 });
  expect(report.summary.replayed).toBe(12);
  // 12 messages at 20/s: the second batch (2 messages) may not start before 10/20 s.
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(450);
});
