/**
 * functions/replay-dlq: the SQS-triggered handler (middy, typed partial batch response). Driven the
 * way Lambda's SQS event source drives it (local/sqs-event.ts): its partial batch response lists exactly
 * the records that must return to the queue, and only those stay.
 */
import { createReplayHandler, type ReplayHandlerDeps } from '../../../shared/lambda/replay-handler';
import { pollQueueOnce } from '../../../local/sqs-event';
import { queueDepth } from '../../../shared/replay/drain';
import { readBooks } from '../../support/books';
import { loadFixture, peekAll, sendFixture, startStack, videoEvent, type Stack } from '../../support/replay-stack';

let stack: Stack;
let deps: ReplayHandlerDeps;
beforeEach(async () => {
  stack = await startStack('handler');
  deps = stack.handlerDeps();
});
afterEach(async () => stack.stop());

test('the partial batch response lists exactly the records that were not replayed', async () => {
  const ok1 = await sendFixture(stack, loadFixture('eventbridge-target-dlq'));
  const invalid = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
  const ok2 = await sendFixture(stack, loadFixture('lambda-destination'));
  const unknown = await sendFixture(stack, loadFixture('unknown'));
  const ok3 = await sendFixture(stack, loadFixture('lambda-dlq'));
  const handler = createReplayHandler(() => deps);
  const poll = await pollQueueOnce(stack.sqs, stack.dlqUrl, (event) =>
    handler(event as never, stack.lambdaContext as never),
  );
  await stack.bus.idle();
  expect(poll!.records).toHaveLength(5);
  expect(poll!.response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([invalid, unknown].sort());
  expect(poll!.deleted.sort()).toEqual([ok1, ok2, ok3].sort());
  // The failed records return when their visibility timeout ends; the others are gone.
  expect(await queueDepth(stack.sqs, stack.dlqUrl)).toMatchObject({ visible: 0, inFlight: 2 });
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(3);
});

test('entries the bus refuses are reported as failures, the rest succeed', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 4; i++)
    ids.push(
      await sendFixture(
        stack,
        loadFixture('lambda-dlq'),
        videoEvent('failed', { jobId: `h-${i}`, userId: 'u', seconds: 5, model: 'test' }),
      ),
    );
  stack.bus.faults.failNextPutEntries(1, 'ThrottlingException', 'Rate exceeded');
  const handler = createReplayHandler(() => deps);
  const poll = await pollQueueOnce(stack.sqs, stack.dlqUrl, (event) =>
    handler(event as never, stack.lambdaContext as never),
  );
  await stack.bus.idle();
  expect(poll!.response.batchItemFailures).toHaveLength(1);
  expect(poll!.deleted).toHaveLength(3);
  expect(await queueDepth(stack.sqs, stack.dlqUrl)).toMatchObject({ visible: 0, inFlight: 1 });
});

test('replaying the same record twice (Lambda redelivers it) changes nothing the second time', async () => {
  await sendFixture(stack, loadFixture('eventbridge-target-dlq'));
  const handler = createReplayHandler(() => deps);
  const [message] = await peekAll(stack.sqs, stack.dlqUrl);
  const { lambdaSqsRecord } = await import('../../../local/sqs-event');
  const event = { Records: [lambdaSqsRecord(message!, stack.dlqArn)] };
  expect(await handler(event as never, stack.lambdaContext as never)).toEqual({ batchItemFailures: [] });
  await stack.bus.idle();
  const once = await readBooks(stack.db, stack.tables);
  expect(await handler(event as never, stack.lambdaContext as never)).toEqual({ batchItemFailures: [] });
  await stack.bus.idle();
  expect(await readBooks(stack.db, stack.tables)).toEqual(once);
  expect(once.ledger).toHaveLength(1);
});

test('an unexpected failure returns the whole batch to the queue', async () => {
  await sendFixture(stack, loadFixture('lambda-dlq'));
  const handler = createReplayHandler(() => {
    throw new Error('no config');
  });
  const poll = await pollQueueOnce(stack.sqs, stack.dlqUrl, (event) =>
    handler(event as never, stack.lambdaContext as never),
  );
  expect(poll!.response.batchItemFailures).toHaveLength(1);
  expect(poll!.deleted).toHaveLength(0);
});

test('the Lambda entry point reads its configuration from the environment (REPLAY_MAX_REPLAYS bounded)', async () => {
  const { replayDepsFromEnvironment } = await import('../../../shared/lambda/replay-deps');
  const saved = { ...process.env };
  try {
    Object.assign(process.env, {
      DLQ_URL: stack.dlqUrl,
      EVENT_BUS_NAME: 'bus-a',
      REPLAY_MAX_REPLAYS: '7',
      WORKSPACE: stack.scope.workspace,
      LOG_LEVEL: 'silent',
      AWS_REGION: 'us-east-1',
    });
    const fromEnv = replayDepsFromEnvironment();
    expect(fromEnv).toMatchObject({
      busName: 'bus-a',
      maxReplays: 7,
      workspace: stack.scope.workspace,
      dlq: { arn: stack.dlqArn, scope: { region: 'us-east-1', accountId: '000000000000' } },
    });
    // The rules a genuine record names are on the bus the function publishes to.
    expect(fromEnv.origin.rules[0]!.arn).toBe(
      `arn:aws:events:us-east-1:000000000000:rule/bus-a/cc-reconciler-video-rendered-${stack.scope.workspace}`,
    );
    fromEnv.eventBridge.destroy();
    process.env.REPLAY_MAX_REPLAYS = '500';
    expect(() => replayDepsFromEnvironment()).toThrow('REPLAY_MAX_REPLAYS');
    delete process.env.EVENT_BUS_NAME;
    expect(() => replayDepsFromEnvironment()).toThrow('EVENT_BUS_NAME');
  } finally {
    process.env = saved;
  }
  const { handler } = await import('../../../functions/replay-dlq');
  expect(typeof handler).toBe('function');
});
