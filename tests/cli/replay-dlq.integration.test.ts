/** `reconciler replay-dlq`: resolution of queue and bus, dry-run output, summary, exit codes, --json. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { runReplayDlq, replayDlqCommand } from '../../cli/commands/replay-dlq';
import { makeSqsClient } from '../../shared/aws/clients';
import { EXIT } from '../../cli/context';
import { UsageError } from '../../shared/errors';
import { queueDepth } from '../../shared/replay/drain';
import { readBooks } from '../support/books';
import {
  deeplyNestedEventText,
  fixtureBody,
  loadFixture,
  peekAll,
  sendFixture,
  sendFixtureText,
  startStack,
  videoEvent,
  type Stack,
} from '../support/replay-stack';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack('cli');
});
afterEach(async () => stack.stop());

/** Output capture; the workspace defaults to the stack's (null: none given). */
function capture(json = false, workspace: string | null = stack.scope.workspace) {
  const out: string[] = [];
  const jsonOut: unknown[] = [];
  const context = {
    options: { json, ...(workspace ? { workspace } : {}) },
    out: (human: string, data?: unknown) => {
      out.push(human);
      if (json) jsonOut.push(data);
    },
    progress: () => undefined,
  };
  return { out, jsonOut, context };
}
const run = (
  args: string[],
  c = capture(),
  env: Record<string, string> = {},
  eventBridge: EventBridgeClient = stack.eventBridge,
) => runReplayDlq(args, c.context, { sqs: stack.sqs, eventBridge, env, handleSigint: false });

test('is a registered-style command with usage', () => {
  expect(replayDlqCommand).toMatchObject({ name: 'replay-dlq', usage: expect.stringContaining('--dry-run') });
});

test('dry run prints every message and its fate, changes nothing, exits 1 when something would stay', async () => {
  await sendFixture(stack, loadFixture('eventbridge-target-dlq'));
  await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
  const c = capture();
  const code = await run(['--queue-url', stack.dlqUrl, '--dry-run'], c);
  const text = c.out.join('\n');
  expect(code).toBe(EXIT.findings);
  expect(text).toContain('DRY RUN');
  expect(text).toContain('waiting: 2 visible');
  expect(text).toMatch(/would_replay .*video\.rendered, job fx-eb-1/);
  expect(text).toContain('dead-lettered as: EventBridge target DLQ message: THROTTLING');
  expect(text).toMatch(/left_invalid .*why: unknown model and no quoted credits/s);
  expect(text).toMatch(/would replay\s+1/);
  expect(text).toContain('1 message would stay in the DLQ (exit 1)');
  expect(stack.bus.stats.putRequests).toBe(0);
  expect((await queueDepth(stack.sqs, stack.dlqUrl)).visible).toBe(2);
});

test('a real run replays, summarises, and exits 0 when nothing is left', async () => {
  await sendFixture(stack, loadFixture('lambda-destination'));
  await sendFixture(stack, loadFixture('lambda-dlq'));
  const c = capture();
  expect(await run(['--queue-url', stack.dlqUrl, '--max', '10', '--rate', '100'], c)).toBe(EXIT.ok);
  await stack.bus.idle();
  expect(c.out.join('\n')).toMatch(/replayed\s+2\s+accepted by the bus/);
  expect(c.out.join('\n')).toContain('nothing was left in the DLQ');
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(2);
});

test('--json: one summary document; exit 1 when anything was left', async () => {
  await sendFixture(stack, loadFixture('unknown'));
  await sendFixture(stack, loadFixture('lambda-dlq'));
  const c = capture(true);
  expect(await run(['--queue-url', stack.dlqUrl], c)).toBe(EXIT.findings);
  expect(c.jsonOut).toHaveLength(1);
  expect(c.jsonOut[0]).toMatchObject({
    summary: { replayed: 1, left_unrecognised: 1 },
    left: 1,
    dryRun: false,
    busName: stack.bus.busName,
    stoppedBy: 'empty',
  });
});

test('a message nested 100,000 deep between valid ones: the valid ones are replayed, it is listed with its reason, exit 1', async () => {
  await sendFixture(stack, loadFixture('lambda-destination'));
  const deep = await sendFixtureText(stack, loadFixture('lambda-dlq'), deeplyNestedEventText('cli-deep'));
  await sendFixture(stack, loadFixture('lambda-dlq'));
  const c = capture();
  expect(await run(['--queue-url', stack.dlqUrl], c)).toBe(EXIT.findings);
  await stack.bus.idle();
  const text = c.out.join('\n');
  // Since the schema bounds unknown fields, it is invalid at the door: left, with the field named.
  expect(text).toMatch(new RegExp(`left_invalid +${deep} +\\(video\\.rendered, job cli-deep`));
  expect(text).toContain(
    'why: event does not match the video event schema (/detail/nest/0 must be string,number,boolean,null)',
  );
  expect(text).toMatch(/replayed\s+2\s+accepted by the bus/);
  expect(text).toContain('1 message left in the DLQ (exit 1)');
  expect((await readBooks(stack.db, stack.tables)).ledger).toHaveLength(2);
  expect((await queueDepth(stack.sqs, stack.dlqUrl)).visible).toBe(1);
});

test('DLQ attributes anyone who can write to the queue controls are printed escaped, one line each; --json keeps them (L2)', async () => {
  const hostile = 'Task timed out\u001b[2J\u001b]0;pwned\u0007\n  next: run reconciler adjust\u202e';
  const shown = 'Task timed out\\x1b[2J\\x1b]0;pwned\\x07\\n  next: run reconciler adjust\\u202e';
  const event = { ...(loadFixture('eventbridge-target-dlq').message.body as object) };
  await stack.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.dlqUrl,
      MessageBody: JSON.stringify(event),
      MessageAttributes: {
        ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
        ERROR_MESSAGE: { DataType: 'String', StringValue: hostile },
      },
    }),
  );
  await stack.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.dlqUrl,
      MessageBody: fixtureBody(loadFixture('reconciler-invalid-still-invalid')),
      MessageAttributes: {
        'reconciler-kind': { DataType: 'String', StringValue: 'invalid_event' },
        'reconciler-reason': { DataType: 'String', StringValue: hostile },
      },
    }),
  );
  const c = capture();
  expect(await run(['--queue-url', stack.dlqUrl, '--dry-run'], c)).toBe(EXIT.findings);
  const text = c.out.join('\n');
  expect(text).toContain(`dead-lettered as: EventBridge target DLQ message: SDK_CLIENT_ERROR, ${shown}`);
  expect(text).toContain(`dead-lettered as: reconciler invalid-event message: ${shown}`);
  expect([...text].filter((ch) => ch !== '\n' && (ch.charCodeAt(0) < 0x20 || ch === '\u202e'))).toEqual([]);
  expect(text).not.toMatch(/^ +next: run reconciler adjust/m);

  const j = capture(true);
  await run(['--queue-url', stack.dlqUrl, '--dry-run'], j);
  const failures = (j.jsonOut[0] as { results: { failure?: string }[] }).results.map((r) => r.failure);
  expect(failures).toEqual(expect.arrayContaining([`EventBridge target DLQ message: SDK_CLIENT_ERROR, ${hostile}`]));
});

test("resolves the workspace DLQ by name, the workspace from WORKSPACE, and the bus from EVENT_BUS_NAME (default: the workspace's own)", async () => {
  await sendFixture(stack, loadFixture('lambda-dlq'));
  const c = capture(true, null);
  // The bus name is not known to the local EventBridge: the entry is refused and the message stays.
  expect(await run([], c, { WORKSPACE: stack.scope.workspace, EVENT_BUS_NAME: 'other-bus' })).toBe(EXIT.findings);
  expect(c.jsonOut[0]).toMatchObject({ queueUrl: stack.dlqUrl, busName: 'other-bus', summary: { failed: 1 } });
  const d = capture(true);
  expect(await run([], d)).toBe(EXIT.ok);
  expect(d.jsonOut[0]).toMatchObject({
    busName: `cc-reconciler-events-${stack.scope.workspace}`,
    summary: { replayed: 1 },
  });
});

test.each([
  ['--bus default', ['--bus', 'default'], {}, /^--bus is the default bus, where no event rule listens/],
  ['EVENT_BUS_NAME=default', [], { EVENT_BUS_NAME: 'default' }, /^EVENT_BUS_NAME is the default bus/],
  [
    'the default bus by ARN',
    ['--bus', 'arn:aws:events:us-east-1:000000000000:event-bus/default'],
    {},
    /^--bus is the default bus/,
  ],
])(
  '%s is refused before anything is received: no rule there would ever settle a replayed event',
  async (_, args, env, why) => {
    await sendFixture(stack, loadFixture('lambda-dlq'));
    await expect(run(args, capture(), env)).rejects.toThrow(why);
    expect(stack.bus.stats.putRequests).toBe(0);
    expect((await queueDepth(stack.sqs, stack.dlqUrl)).visible).toBe(1);
  },
);

describe("the DLQ is the workspace's own, in this account and region (M7)", () => {
  test.each([
    [
      "a look-alike host (the review's example)",
      'https://sqs-prod.attacker.example/123/cc-reconciler-dlq-prod',
      /--queue-url: .* is not an SQS queue URL/,
    ],
    [
      "another workspace's queue",
      () => stack.dlqUrl.replace(/[^/]+$/, 'cc-reconciler-dlq-prod'),
      /names queue cc-reconciler-dlq-prod, not workspace/,
    ],
    [
      'the same queue name in another account',
      () => stack.dlqUrl.replace('000000000000', '999999999999'),
      /is in account 999999999999, not 000000000000/,
    ],
    [
      'an AWS URL while SQS is local',
      (): string => `https://sqs.us-east-1.amazonaws.com/000000000000/cc-reconciler-dlq-${stack.scope.workspace}`,
      /is an AWS queue, but SQS is local/,
    ],
  ])('--queue-url naming %s is refused before anything is received', async (_, url, why) => {
    const given = typeof url === 'string' ? url : url();
    await sendFixture(stack, loadFixture('lambda-dlq'));
    await expect(run(['--queue-url', given])).rejects.toThrow(why);
    await expect(run([], capture(), { DLQ_URL: given })).rejects.toThrow(
      new RegExp(`^DLQ_URL: .*${why.source.replace(/^--queue-url: (\.\* )?/, '')}`),
    );
    expect((await queueDepth(stack.sqs, stack.dlqUrl)).visible).toBe(1);
  });

  test("an SQS whose own answer for the workspace's DLQ is not an SQS queue URL is refused (a fake behind AWS_ENDPOINT_URL_SQS)", async () => {
    const fake = makeSqsClient({ endpoint: stack.local.endpoints.sqs, region: 'us-east-1' });
    fake.middlewareStack.add(
      (next, context) => async (args) =>
        (context.commandName === 'GetQueueUrlCommand'
          ? {
              output: {
                QueueUrl: `https://sqs-prod.attacker.example/000000000000/cc-reconciler-dlq-${stack.scope.workspace}`,
                $metadata: {},
              },
              response: {},
            }
          : next(args)) as never,
      { step: 'initialize', name: 'fakeAnswer' },
    );
    await expect(
      runReplayDlq([], capture().context, { sqs: fake, eventBridge: stack.eventBridge, env: {}, handleSigint: false }),
    ).rejects.toThrow(
      /^SQS named https:\/\/sqs-prod\.attacker\.example\/.* as cc-reconciler-dlq-.*: .* is not an SQS queue URL/,
    );
    fake.destroy();
  });

  test("the workspace's own URL, given, is accepted", async () => {
    expect(await run(['--queue-url', stack.dlqUrl])).toBe(EXIT.ok);
  });

  test('a local DLQ is never replayed onto a real bus (nor a real one onto a local bus)', async () => {
    await sendFixture(stack, loadFixture('lambda-dlq'));
    const aws = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await expect(run([], capture(), {}, aws)).rejects.toThrow(
      /the DLQ is local, SQS local and EventBridge AWS: replay moves messages only within one of them/,
    );
    aws.destroy();
    expect((await queueDepth(stack.sqs, stack.dlqUrl)).visible).toBe(1);
  });

  test('no workspace is a usage error: provenance needs it', async () => {
    await expect(run(['--queue-url', stack.dlqUrl], capture(false, null))).rejects.toThrow(
      /which workspace\?.*replay publishes only what came from that workspace/,
    );
  });
});

describe('--drop-invalid <id>[,<id>…]: only the named invalid messages are dropped (L8)', () => {
  test('a dry run lists the ids; a real run drops exactly the ones named, repeated or comma-separated', async () => {
    const a = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const b = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const c = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const dry = capture();
    expect(await run(['--dry-run'], dry)).toBe(EXIT.findings);
    expect(dry.out.join('\n')).toContain(
      `next: fix the producer, or once understood drop it by its id: --drop-invalid ${a}`,
    );

    const preview = capture();
    expect(await run(['--dry-run', '--drop-invalid', `${a},${b}`], preview)).toBe(EXIT.findings);
    expect(preview.out.join('\n')).toMatch(/would drop \(invalid\) +2 /);

    const real = capture(true);
    expect(await run(['--drop-invalid', a, '--drop-invalid', b], real)).toBe(EXIT.findings);
    expect(real.jsonOut[0]).toMatchObject({
      summary: { dropped_invalid: 2, left_invalid: 1 },
      undroppedIds: [],
      left: 1,
    });
    expect((await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId)).toEqual([c]);
  });

  test('an id that is not an invalid message of this run is reported, exit 1, and nothing else is dropped', async () => {
    const valid = await sendFixture(stack, loadFixture('lambda-dlq'));
    const invalid = await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    const out = capture();
    expect(await run(['--drop-invalid', `${valid},never-seen-id`], out)).toBe(EXIT.findings);
    const text = out.out.join('\n');
    expect(text).toContain(
      `--drop-invalid ${valid}: not an invalid message in this run (it was replayed); nothing was dropped for it (exit 1)`,
    );
    expect(text).toContain(
      '--drop-invalid never-seen-id: no message with this id was seen in this run; nothing was dropped for it (exit 1)',
    );
    expect(text).toMatch(/dropped \(invalid\) +0 /);
    expect((await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId)).toEqual([invalid]);
  });

  test('it takes ids, never "all": no value, a value that is no message id, or too many are usage errors', async () => {
    await sendFixture(stack, loadFixture('reconciler-invalid-still-invalid'));
    await expect(run(['--drop-invalid'])).rejects.toThrow(UsageError);
    await expect(run(['--drop-invalid', ''])).rejects.toThrow(/is not a message id/);
    await expect(run(['--drop-invalid', 'a b'])).rejects.toThrow(/"a b" is not a message id/);
    await expect(run(['--drop-invalid', 'a,,b'])).rejects.toThrow(/"" is not a message id/);
    await expect(run(['--drop-invalid', 'x\u001b[2J'])).rejects.toThrow(/"x\\x1b\[2J" is not a message id/);
    await expect(run(['--drop-invalid', Array.from({ length: 1001 }, (_, i) => `m-${i}`).join(',')])).rejects.toThrow(
      /names 1001 messages; at most 1000/,
    );
    expect((await queueDepth(stack.sqs, stack.dlqUrl)).visible).toBe(1);
  });
});

describe('messages in flight: another replay may be running (L5)', () => {
  test('held at the start of a real run: a warning, and exit 1 although everything it saw was replayed', async () => {
    await sendFixture(stack, loadFixture('lambda-dlq'));
    await sendFixture(stack, loadFixture('lambda-destination'));
    // Someone else (another operator, the replay-dlq function) holds one of them.
    const other = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    expect(other.Messages).toHaveLength(1);
    const c = capture();
    expect(await run([], c)).toBe(EXIT.findings);
    const text = c.out.join('\n');
    expect(text).toMatch(/warning: 1 message in flight .* at the start of this run: another replay may be running/);
    expect(text).toMatch(/warning: 1 message in flight .* at the end of this run/);
    expect(text).toContain('nothing was left in the DLQ');
    const j = capture(true);
    expect(await run([], j)).toBe(EXIT.findings);
    expect(j.jsonOut[0]).toMatchObject({ inFlight: { atStart: 1, atEnd: 1 }, left: 0 });
  });

  test('taken by someone else during a real run: the warning at the end, exit 1', async () => {
    for (let i = 0; i < 11; i++)
      await sendFixture(
        stack,
        loadFixture('lambda-dlq'),
        videoEvent('rendered', { jobId: `fl-${i}`, userId: 'u', seconds: 5, model: 'test' }),
      );
    let receives = 0;
    // After this run's first receive (10 messages), another reader takes the eleventh.
    stack.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (
          context.commandName === 'ReceiveMessageCommand' &&
          (args.input as { VisibilityTimeout?: number }).VisibilityTimeout === 300 &&
          ++receives === 1
        ) {
          await stack.local
            .sqsAs(stack.local.principals.outsider)
            .send(
              new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
            );
        }
        return result;
      },
      { step: 'initialize', name: 'concurrentReader' },
    );
    const c = capture();
    try {
      expect(await run([], c)).toBe(EXIT.findings);
    } finally {
      stack.sqs.middlewareStack.remove('concurrentReader');
    }
    const text = c.out.join('\n');
    expect(text).not.toContain('at the start of this run');
    expect(text).toMatch(/replayed +10 /);
    expect(text).toMatch(/warning: 1 message in flight .* at the end of this run/);
  });

  test('a dry run warns too, without changing its exit code; none in flight, no warning', async () => {
    await sendFixture(stack, loadFixture('lambda-dlq'));
    await sendFixture(stack, loadFixture('lambda-dlq'));
    const clean = capture();
    expect(await run(['--dry-run'], clean)).toBe(EXIT.ok);
    expect(clean.out.join('\n')).not.toContain('warning:');
    await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    const held = capture();
    expect(await run(['--dry-run'], held)).toBe(EXIT.ok);
    expect(held.out.join('\n')).toMatch(/warning: 1 message in flight .* at the start of this run/);
  });
});

test('bad arguments and unknown queues are usage errors that say what to do', async () => {
  await expect(run([], capture(false, null))).rejects.toThrow(UsageError);
  await expect(run([], capture(false, 'bad ws!'))).rejects.toThrow(/workspace "bad ws!" must be/);
  await expect(run(['--queue-url', stack.dlqUrl, '--max', '0'])).rejects.toThrow('--max');
  await expect(run(['--queue-url', stack.dlqUrl, '--rate', 'fast'])).rejects.toThrow('--rate');
  await expect(run(['--queue-url', stack.dlqUrl, '--max-replays', '101'])).rejects.toThrow('--max-replays');
  await expect(run([], capture(false, 'no-such-ws'))).rejects.toThrow(/no queue named cc-reconciler-dlq-no-such-ws/);
});
