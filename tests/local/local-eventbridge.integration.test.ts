/**
 * The local EventBridge: the real SDK client talks to it; it routes by the Terraform rules, retries like
 * EventBridge and Lambda, and dead-letters in exactly AWS's shapes (which replay recognises).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startLocalEventBridge, type DeliveredEvent, type LocalEventBridge } from '../../local/eventbridge/server';
import { workspaceNames } from '../../shared/naming';
import { RETRY_POLICY, RULES, matchesPattern } from '../../local/eventbridge/rules';
import { recogniseMessage } from '../../shared/dlq/message-shapes';
import { dlqMessageFromSqs } from '../../shared/replay/drain';
import { freshQueue, localSqs } from '../support/local-aws';
import { peekAll } from '../support/replay-stack';
import { loadTerraform, locals, variables } from '../terraform/hcl';
import { resourceInstances } from '../terraform/instances';

const sqs = localSqs();
let bus: LocalEventBridge;
let dlqUrl: string;
let seen: { target: string; event: DeliveredEvent }[];
let failing: Set<string>;

/** The workspace the local bus serves by default ('local'): its event rules are on its own bus. */
const EVENT_BUS = workspaceNames('local').eventBus;
const entry = (
  detailType: string,
  detail: Record<string, unknown> = { jobId: 'j1', userId: 'u1', seconds: 5, model: 'test' },
) => ({
  Source: 'video.generation',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
  EventBusName: EVENT_BUS,
});

beforeEach(async () => {
  dlqUrl = await freshQueue(sqs, 'bus');
  seen = [];
  failing = new Set();
  const target = (name: string) => async (event: DeliveredEvent) => {
    seen.push({ target: name, event });
    if (failing.has(name)) throw new TypeError(`${name} is broken`);
    return { ok: true };
  };
  bus = await startLocalEventBridge({
    sqs,
    dlqUrl,
    retryDelayMs: 1,
    region: 'eu-west-1',
    account: '111122223333',
    targets: { debit: target('debit'), refund: target('refund') },
  });
});
afterEach(async () => bus.stop());
afterAll(() => sqs.destroy());

test('speaks PutEvents to the real SDK client and routes by source and detail-type', async () => {
  const client = bus.client();
  const time = new Date('2026-03-01T10:00:00.000Z');
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        { ...entry('video.rendered'), Resources: ['arn:x'], Time: time },
        entry('video.failed'),
        { ...entry('video.rendered'), Source: 'someone.else' },
      ],
    }),
  );
  await bus.idle();
  expect(out.FailedEntryCount).toBe(0);
  expect(out.Entries).toHaveLength(3);
  expect(seen.map((s) => s.target).sort()).toEqual(['debit', 'refund']);
  const debit = seen.find((s) => s.target === 'debit')!.event;
  expect(debit).toEqual({
    version: '0',
    id: out.Entries![0]!.EventId,
    'detail-type': 'video.rendered',
    source: 'video.generation',
    account: '111122223333',
    time: '2026-03-01T10:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:x'],
    detail: { jobId: 'j1', userId: 'u1', seconds: 5, model: 'test' },
  });
  expect(bus.stats.unmatched).toBe(1);
  client.destroy();
});

test("the event rules are on the workspace's own bus: the same event on `default` is accepted and matches nothing", async () => {
  const client = bus.client();
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        { ...entry('video.rendered'), EventBusName: 'default' },
        { ...entry('video.failed'), EventBusName: `arn:aws:events:eu-west-1:111122223333:event-bus/${EVENT_BUS}` },
      ],
    }),
  );
  await bus.idle();
  expect(out.FailedEntryCount).toBe(0);
  expect(bus.busName).toBe(EVENT_BUS);
  expect(seen.map((s) => s.target)).toEqual(['refund']);
  expect(bus.stats.unmatched).toBe(1);
  client.destroy();
});

test("dead letters are sent as who sends them in AWS: EventBridge for a target's, the function's role for Lambda's", async () => {
  await bus.stop();
  const senders: string[] = [];
  bus = await startLocalEventBridge({
    sqs,
    dlqUrl,
    retryDelayMs: 1,
    lambdaMaxRetryAttempts: 0,
    targets: {
      debit: async () => {
        throw new Error('boom');
      },
    },
    sqsFor: (sender) => {
      senders.push(sender.kind === 'eventbridge' ? 'eventbridge' : sender.functionName);
      return sqs;
    },
  });
  bus.faults.failNextDeliveries('refund', 100);
  const client = bus.client();
  await client.send(new PutEventsCommand({ Entries: [entry('video.rendered'), entry('video.failed')] }));
  await bus.idle();
  expect(senders.sort()).toEqual(['cc-agent-reconciler-debit-local', 'eventbridge']);
  client.destroy();
});

test('request limits: more than 10 entries, or over 256 KB, is a ValidationException', async () => {
  const client = bus.client();
  await expect(
    client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry('video.rendered')) })),
  ).rejects.toMatchObject({ name: 'ValidationException' });
  await expect(
    client.send(new PutEventsCommand({ Entries: [entry('video.rendered', { blob: 'x'.repeat(262_144) })] })),
  ).rejects.toMatchObject({ name: 'ValidationException' });
  client.destroy();
});

test('per-entry failures: malformed detail, unknown bus, injected faults; FailedEntryCount counts them', async () => {
  const client = bus.client();
  bus.faults.failEntriesOfNextPut([3]);
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'video.generation', DetailType: 'video.rendered', Detail: '[1]' },
        { ...entry('video.rendered'), EventBusName: 'nope' },
        { ...entry('video.rendered'), EventBusName: 'arn:aws:events:eu-west-1:111122223333:event-bus/default' },
        entry('video.rendered'),
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(3);
  expect(out.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual([
    'MalformedDetail',
    'InvalidArgument',
    'ok',
    'InternalFailure',
  ]);
  bus.faults.failNextPutRequests(1);
  await expect(client.send(new PutEventsCommand({ Entries: [entry('video.rendered')] }))).rejects.toMatchObject({
    $metadata: { httpStatusCode: 500 },
  });
  await bus.idle();
  client.destroy();
});

test('a function error is retried (Lambda async), then the on-failure destination record lands in the DLQ', async () => {
  failing.add('debit');
  const client = bus.client();
  const out = await client.send(new PutEventsCommand({ Entries: [entry('video.rendered')] }));
  await bus.idle();
  expect(seen.filter((s) => s.target === 'debit')).toHaveLength(1 + RETRY_POLICY.lambdaMaxRetryAttempts);
  const [message, ...rest] = await peekAll(sqs, dlqUrl);
  expect(rest).toHaveLength(0);
  const record = JSON.parse(message!.Body!);
  expect(record).toMatchObject({
    version: '1.0',
    requestContext: {
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
      functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:cc-agent-reconciler-debit-local:live',
    },
    requestPayload: { id: out.Entries![0]!.EventId, 'detail-type': 'video.rendered' },
    responseContext: { statusCode: 200, functionError: 'Unhandled' },
    responsePayload: { errorType: 'TypeError', errorMessage: 'debit is broken' },
  });
  expect(recogniseMessage(dlqMessageFromSqs(message!))).toMatchObject({
    recognised: true,
    shape: 'lambda_destination',
  });
  client.destroy();
});

test('a transient function error that clears on retry reaches nothing in the DLQ', async () => {
  bus.faults.failNextInvocations('refund', 2);
  const client = bus.client();
  await client.send(new PutEventsCommand({ Entries: [entry('video.failed')] }));
  await bus.idle();
  expect(bus.stats.invocations).toBe(3);
  expect(await peekAll(sqs, dlqUrl)).toHaveLength(0);
  client.destroy();
});

test('delivery failures are retried by the target retry policy, then go to the target DLQ with its attributes', async () => {
  bus.faults.failNextDeliveries('debit', 100);
  const client = bus.client();
  const out = await client.send(new PutEventsCommand({ Entries: [entry('video.rendered')] }));
  await bus.idle();
  expect(seen).toHaveLength(0);
  expect(bus.stats.deliveries).toBe(1 + RETRY_POLICY.eventBridgeMaxRetryAttempts);
  const [message] = await peekAll(sqs, dlqUrl);
  expect(JSON.parse(message!.Body!)).toMatchObject({ id: out.Entries![0]!.EventId, 'detail-type': 'video.rendered' });
  const attrs = Object.fromEntries(Object.entries(message!.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
  expect(attrs).toEqual({
    RULE_ARN:
      'arn:aws:events:eu-west-1:111122223333:rule/cc-reconciler-events-local/cc-reconciler-video-rendered-local',
    TARGET_ARN: 'arn:aws:lambda:eu-west-1:111122223333:function:cc-agent-reconciler-debit-local:live',
    ERROR_CODE: 'THROTTLING',
    ERROR_MESSAGE: 'Rate Exceeded.',
    EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    RETRY_ATTEMPTS: '3',
  });
  expect(recogniseMessage(dlqMessageFromSqs(message!))).toMatchObject({
    recognised: true,
    shape: 'eventbridge_target_dlq',
  });
  client.destroy();
});

test('with a function dead-letter queue instead of a destination, the DLQ gets the payload and RequestID/ErrorCode/ErrorMessage', async () => {
  await bus.stop();
  bus = await startLocalEventBridge({
    sqs,
    dlqUrl,
    retryDelayMs: 1,
    lambdaMaxRetryAttempts: 0,
    lambdaOnFailure: 'dead_letter_queue',
    targets: {
      debit: async () => {
        throw new Error('boom');
      },
    },
  });
  const client = bus.client();
  await client.send(new PutEventsCommand({ Entries: [entry('video.rendered')] }));
  await bus.idle();
  const [message] = await peekAll(sqs, dlqUrl);
  expect(Object.keys(message!.MessageAttributes!).sort()).toEqual(['ErrorCode', 'ErrorMessage', 'RequestID']);
  expect(message!.MessageAttributes!.ErrorCode!.DataType).toBe('Number');
  expect(recogniseMessage(dlqMessageFromSqs(message!))).toMatchObject({
    recognised: true,
    shape: 'lambda_dlq',
    failure: { message: 'boom' },
  });
  client.destroy();
});

describe("the rules are Terraform's", () => {
  const terraform = join(__dirname, '..', '..', 'terraform');
  const hasTerraform = existsSync(join(terraform, 'events.tf'));
  (hasTerraform ? test : test.skip)(
    'every event rule in terraform/events.tf has the same pattern and target here, and the retry defaults agree',
    async () => {
      const config = await loadTerraform(terraform);
      const vars = variables(config, '');
      const eventSource = locals(config, '').event_source;
      // hcl2json leaves expressions as text: `[local.event_source]` or `["video.generation"]`.
      const resolve = (expr: string) =>
        ['local.event_source', '${local.event_source}'].includes(expr) ? eventSource : expr.replace(/"/g, '');
      // Instances: events.tf writes the rules as one for_each over local.triggers.
      const targets = resourceInstances(config, 'aws_cloudwatch_event_target');
      const tfRules = resourceInstances(config, 'aws_cloudwatch_event_rule')
        .filter((r) => r.body.event_pattern !== undefined)
        .map((r) => {
          const pattern = String(r.body.event_pattern).match(/jsonencode\(\{(.*)\}\)/s)?.[1] ?? '';
          const source = resolve(pattern.match(/source\s*=\s*\[([^\]]*)\]/)?.[1]?.trim() ?? '');
          const detailType =
            pattern
              .match(/"detail-type"\s*=\s*\[([^\]]*)\]/)?.[1]
              ?.trim()
              .replace(/"/g, '') ?? '';
          const ruleTargets = targets.filter((t) =>
            String(t.body.rule).includes(`aws_cloudwatch_event_rule.${r.name}.`),
          );
          expect(ruleTargets).toHaveLength(1);
          const target = String(ruleTargets[0]!.body.arn).match(/module\.(\w+)\./)?.[1];
          return { source, detailType, target };
        });
      const ours = RULES.map((r) => ({
        source: (r.eventPattern.source as string[])[0],
        detailType: (r.eventPattern['detail-type'] as string[])[0],
        target: r.target,
      }));
      expect(tfRules.sort((a, b) => a.detailType.localeCompare(b.detailType))).toEqual(
        ours.sort((a, b) => a.detailType!.localeCompare(b.detailType!)),
      );
      expect(vars.eventbridge_retry_attempts?.default).toBe(RETRY_POLICY.eventBridgeMaxRetryAttempts);
      expect(vars.eventbridge_max_event_age_seconds?.default).toBe(RETRY_POLICY.eventBridgeMaxEventAgeSeconds);
      expect(vars.async_max_retry_attempts?.default).toBe(RETRY_POLICY.lambdaMaxRetryAttempts);
    },
  );

  test('pattern matching: exact values, arrays match any element, missing fields never match', () => {
    const pattern = { source: ['video.generation'], 'detail-type': ['video.rendered'] };
    expect(matchesPattern(pattern, { source: 'video.generation', 'detail-type': 'video.rendered' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'video.generation', 'detail-type': 'video.failed' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'video.generation' })).toBe(false);
    expect(matchesPattern({ detail: { model: ['a', 'b'] } }, { detail: { model: 'b' } })).toBe(true);
    expect(matchesPattern({ resources: ['r2'] }, { resources: ['r1', 'r2'] })).toBe(true);
  });
});

test('an invocation queued behind reserved concurrency gets its full timeout once it starts (as in Lambda)', async () => {
  const remainingAtStart: number[] = [];
  const slow = await startLocalEventBridge({
    sqs,
    dlqUrl,
    retryDelayMs: 1,
    maxConcurrency: 1,
    functionTimeoutMs: 300,
    targets: {
      debit: async (_event, context) => {
        remainingAtStart.push(context.getRemainingTimeInMillis());
        await new Promise((resolve) => setTimeout(resolve, 120));
      },
    },
  });
  const client = slow.client();
  try {
    await client.send(new PutEventsCommand({ Entries: Array.from({ length: 5 }, () => entry('video.rendered')) }));
    await slow.idle();
    // Five invocations one after another take ~600 ms, twice the timeout: each must still start fresh.
    expect(remainingAtStart).toHaveLength(5);
    for (const remaining of remainingAtStart) expect(remaining).toBeGreaterThan(250);
    expect(slow.stats.sentToDlq).toBe(0);
  } finally {
    client.destroy();
    await slow.stop();
  }
});
