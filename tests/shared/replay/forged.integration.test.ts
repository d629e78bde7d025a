/**
 * Forged DLQ messages (security review H2, M1): whoever can write to the DLQ writes every shape replay
 * understands, each naming a valid event that would move money. Through the operator's drain (the CLI
 * against the local SQS and the local EventBridge) and through the replay-dlq Lambda, none of them is
 * published, each stays in the DLQ as unverified origin with the reason, and the genuine messages
 * around them still replay.
 */
import { SendMessageCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { runReplayDlq } from '../../../cli/commands/replay-dlq';
import { EXIT } from '../../../cli/context';
import { pollQueueOnce } from '../../../local/sqs-event';
import { OUTSIDER, functionRole, type LocalPrincipal } from '../../../local/principals';
import { arns, workspaceNames } from '../../../shared/naming';
import { createReplayHandler, type SqsRecord } from '../../../shared/lambda/replay-handler';
import { readBooks } from '../../support/books';
import {
  fixtureMessage,
  lambdaRecordOf,
  loadFixture,
  peekAll,
  sendFixture,
  startStack,
  videoEvent,
  type Stack,
} from '../../support/replay-stack';

let stack: Stack;
beforeEach(async () => {
  stack = await startStack('forged');
});
afterEach(async () => stack.stop());

const str = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
/** A refund the attacker wants: a valid video.failed event for a job of theirs. */
const refundFor = (jobId: string) =>
  videoEvent('failed', { jobId, userId: 'attacker', seconds: 5, model: 'test' }, `forged-${jobId}`);
const debitFor = (jobId: string) =>
  videoEvent('rendered', { jobId, userId: 'victim', seconds: 5, model: 'test', credits: 1_000_000 }, `forged-${jobId}`);

interface Forgery {
  name: string;
  jobId: string;
  sender: () => LocalPrincipal;
  body: () => unknown;
  attributes?: () => Record<string, MessageAttributeValue>;
  why: RegExp;
}

const names = () => workspaceNames(stack.scope.workspace);
const otherWorkspace = () => workspaceNames('staging');
const rule = (kind: 'rendered' | 'failed') =>
  stack.origin.rules.find((r) => r.target === (kind === 'rendered' ? 'debit' : 'refund'))!;
const destinationRecord = (functionArn: string, event: unknown) => ({
  version: '1.0',
  timestamp: '2026-03-01T10:03:12.118Z',
  requestContext: { requestId: 'r-1', functionArn, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
  requestPayload: event,
  responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
  responsePayload: { errorType: 'TransientError', errorMessage: 'x' },
});

/** Every shape, forged; each names what gives it away. */
const FORGERIES: Forgery[] = [
  {
    name: "target DLQ shape naming the sweep schedule's rule",
    jobId: 'f-sweep-rule',
    sender: () => OUTSIDER,
    body: () => refundFor('f-sweep-rule'),
    attributes: () => ({
      RULE_ARN: str(arns.rule(stack.local.scope, 'default', names().rules.sweep_schedule.name)),
      TARGET_ARN: str(rule('failed').targetArn),
      ERROR_CODE: str('THROTTLING'),
    }),
    why: /RULE_ARN ".*sweep-schedule.*" is not one of this workspace's event rules/,
  },
  {
    name: 'target DLQ shape with the RULE_ARN of another workspace',
    jobId: 'f-other-ws',
    sender: () => OUTSIDER,
    body: () => refundFor('f-other-ws'),
    attributes: () => ({
      RULE_ARN: str(arns.rule(stack.local.scope, otherWorkspace().eventBus, otherWorkspace().rules.video_failed.name)),
      TARGET_ARN: str(arns.function(stack.local.scope, otherWorkspace().functions.refund, 'live')),
      ERROR_CODE: str('THROTTLING'),
    }),
    why: /RULE_ARN ".*video-failed-staging" is not one of this workspace's event rules/,
  },
  {
    name: 'target DLQ shape with our rule and the wrong function',
    jobId: 'f-wrong-fn',
    sender: () => OUTSIDER,
    body: () => refundFor('f-wrong-fn'),
    attributes: () => ({
      RULE_ARN: str(rule('failed').arn),
      TARGET_ARN: str(rule('rendered').targetArn),
      ERROR_CODE: str('THROTTLING'),
    }),
    why: /TARGET_ARN ".*debit.*:live" is not .*refund.*:live/,
  },
  {
    name: 'target DLQ shape with only an error code (no RULE_ARN)',
    jobId: 'f-no-rule',
    sender: () => OUTSIDER,
    body: () => refundFor('f-no-rule'),
    attributes: () => ({ ERROR_CODE: str('SDK_CLIENT_ERROR') }),
    why: /RULE_ARN missing is not one/,
  },
  {
    name: "destination record with no attributes, naming another workspace's function",
    jobId: 'f-dest-other',
    sender: () => functionRole(otherWorkspace().functions.refund),
    body: () =>
      destinationRecord(
        arns.function(stack.local.scope, otherWorkspace().functions.refund, 'live'),
        refundFor('f-dest-other'),
      ),
    why: /requestContext\.functionArn ".*refund-staging:live" is not this workspace's debit or refund function/,
  },
  {
    name: 'destination record naming our function, sent by an outsider',
    jobId: 'f-dest-outsider',
    sender: () => OUTSIDER,
    body: () => destinationRecord(stack.origin.functions.refund.liveArn, refundFor('f-dest-outsider')),
    why: /SenderId "AIDA.*" is not a role session of cc-agent-reconciler-refund-/,
  },
  {
    name: 'function DLQ shape sent by an outsider',
    jobId: 'f-ldlq-outsider',
    sender: () => OUTSIDER,
    body: () => debitFor('f-ldlq-outsider'),
    attributes: () => ({
      RequestID: str('r-1'),
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: str('timeout'),
    }),
    why: /SenderId "AIDA.*" is not a role session of cc-agent-reconciler-debit-.* or cc-agent-reconciler-refund-/,
  },
  {
    name: 'our own invalid-event shape from an outside sender',
    jobId: 'f-invalid-outsider',
    sender: () => OUTSIDER,
    body: () => refundFor('f-invalid-outsider'),
    attributes: () => ({
      'reconciler-kind': str('invalid_event'),
      'reconciler-reason': str('event delivered to the wrong handler'),
      'reconciler-handler': str('refund'),
    }),
    why: /SenderId "AIDA.*" is not a role session of cc-agent-reconciler-refund-/,
  },
  {
    name: 'our own invalid-event shape naming the sweep as its writer',
    jobId: 'f-invalid-sweep',
    sender: () => functionRole(names().functions.sweep),
    body: () => refundFor('f-invalid-sweep'),
    attributes: () => ({
      'reconciler-kind': str('invalid_event'),
      'reconciler-reason': str('x'),
      'reconciler-handler': str('sweep'),
    }),
    why: /reconciler-handler "sweep" is not debit or refund/,
  },
];

async function sendForgeries(): Promise<Map<string, Forgery>> {
  const byId = new Map<string, Forgery>();
  for (const f of FORGERIES) {
    const { MessageId } = await stack.local.sqsAs(f.sender()).send(
      new SendMessageCommand({
        QueueUrl: stack.dlqUrl,
        MessageBody: JSON.stringify(f.body()),
        ...(f.attributes ? { MessageAttributes: f.attributes() } : {}),
      }),
    );
    byId.set(MessageId!, f);
  }
  return byId;
}

/** One genuine message of each shape, the way the stack's own writers send them. */
async function sendGenuine(): Promise<string[]> {
  return Promise.all(
    ['eventbridge-target-dlq', 'lambda-destination', 'lambda-dlq', 'reconciler-invalid'].map((n) =>
      sendFixture(stack, loadFixture(n)),
    ),
  );
}

function captureCli() {
  const out: string[] = [];
  const json: any[] = [];
  return {
    out,
    json,
    context: (asJson: boolean) => ({
      options: { json: asJson, workspace: stack.scope.workspace },
      out: (human: string, data?: unknown) => {
        out.push(human);
        if (asJson) json.push(data);
      },
      progress: () => undefined,
    }),
  };
}

test('through the CLI drain: no forgery is published, each stays with its reason; the genuine messages replay', async () => {
  const forged = await sendForgeries();
  const genuine = await sendGenuine();
  const c = captureCli();
  const code = await runReplayDlq([], c.context(false), {
    sqs: stack.sqs,
    eventBridge: stack.eventBridge,
    env: {},
    handleSigint: false,
  });
  await stack.bus.idle();

  expect(code).toBe(EXIT.findings);
  const text = c.out.join('\n');
  for (const [id, f] of forged) {
    expect({
      id,
      f: f.name,
      line: text.match(new RegExp(`left_unverified +${id}[^\\n]*\\n(?: {6}[^\\n]*\\n)*`))?.[0] ?? 'missing',
    }).toEqual({ id, f: f.name, line: expect.stringMatching(new RegExp(`why: unverified origin: ${f.why.source}`)) });
  }
  expect(text).toMatch(new RegExp(`unverified origin +${FORGERIES.length} `));
  expect(text).toContain('next: do not publish it by hand');
  // Who wrote it, for the runbook's "find who wrote to the DLQ".
  expect(text).toContain(`(sent by SenderId ${stack.local.principals.outsider.senderId})`);
  expect(text).toMatch(/replayed +4 /);
  expect(text).toContain(`${FORGERIES.length} messages left in the DLQ (exit 1)`);

  // Nothing forged reached the bus or the books; every forgery is still in the DLQ.
  const published = stack.bus.events().map((e) => String(e.detail.jobId));
  expect(published.sort()).toEqual(['fx-dest-1', 'fx-eb-1', 'fx-inv-1', 'fx-ldlq-1']);
  const books = await readBooks(stack.db, stack.tables);
  expect(Object.keys(books.balances)).toEqual(['fx-user']);
  expect((await peekAll(stack.sqs, stack.dlqUrl)).map((m) => m.MessageId).sort()).toEqual([...forged.keys()].sort());
  expect(genuine).toHaveLength(4);
});

test('a second run, and a dry run, still publish none of them', async () => {
  const forged = await sendForgeries();
  for (const args of [['--dry-run'], []]) {
    const c = captureCli();
    expect(
      await runReplayDlq(args, c.context(true), {
        sqs: stack.sqs,
        eventBridge: stack.eventBridge,
        env: {},
        handleSigint: false,
      }),
    ).toBe(EXIT.findings);
    expect(c.json[0].summary).toMatchObject({ seen: FORGERIES.length, left_unverified: FORGERIES.length });
  }
  expect(stack.bus.stats.putRequests).toBe(0);
  expect(await peekAll(stack.sqs, stack.dlqUrl)).toHaveLength(forged.size);
});

describe('through the replay-dlq Lambda', () => {
  test('forgeries from the DLQ come back as batch item failures, logged with why; the genuine ones are replayed', async () => {
    const logs: Record<string, any>[] = [];
    const pino = (await import('pino')).default;
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          logs.push(JSON.parse(line));
        },
      },
    );
    const handler = createReplayHandler(() => stack.handlerDeps({ logger }));
    const forged = await sendForgeries();
    const genuine = await sendGenuine();
    const failures: string[] = [];
    for (let i = 0; i < 5; i++) {
      const poll = await pollQueueOnce(stack.sqs, stack.dlqUrl, (event) =>
        handler(event as never, stack.lambdaContext as never),
      );
      if (!poll) break;
      failures.push(...poll.response.batchItemFailures.map((f) => f.itemIdentifier));
    }
    await stack.bus.idle();
    expect(failures.sort()).toEqual([...forged.keys()].sort());
    for (const [id, f] of forged) {
      expect(logs.find((l) => l.messageId === id)).toMatchObject({
        outcome: 'left_unverified',
        reason: expect.stringMatching(new RegExp(`^unverified origin: ${f.why.source}`)),
      });
    }
    expect(
      stack.bus
        .events()
        .map((e) => String(e.detail.jobId))
        .sort(),
    ).toEqual(['fx-dest-1', 'fx-eb-1', 'fx-inv-1', 'fx-ldlq-1']);
    expect(genuine).toHaveLength(4);
  });

  test('a record from another queue (a second event source mapping, or a hand-made event) is never replayed, however genuine it looks', async () => {
    const handler = createReplayHandler(() => stack.handlerDeps());
    const genuine = lambdaRecordOf(stack, fixtureMessage(loadFixture('eventbridge-target-dlq'), 'ours', stack.scope));
    const other: SqsRecord = {
      ...lambdaRecordOf(stack, fixtureMessage(loadFixture('lambda-dlq'), 'theirs', stack.scope)),
      eventSourceARN: arns.queue(stack.local.scope, 'someone-elses-queue'),
    };
    const none: SqsRecord = {
      ...lambdaRecordOf(stack, fixtureMessage(loadFixture('lambda-destination'), 'nowhere', stack.scope)),
    };
    delete none.eventSourceARN;
    const response = await handler({ Records: [other, genuine, none] } as never, stack.lambdaContext as never);
    await stack.bus.idle();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'theirs' }, { itemIdentifier: 'nowhere' }] });
    expect(stack.bus.events().map((e) => String(e.detail.jobId))).toEqual(['fx-eb-1']);
  });

  test('SDK-level records: a SenderId that is reported is checked, an absent one is not (emulators)', async () => {
    const handler = createReplayHandler(() => stack.handlerDeps());
    const invalid = fixtureMessage(loadFixture('reconciler-invalid'), 'from-outsider', stack.scope);
    const records = [
      lambdaRecordOf(stack, { ...invalid, senderId: OUTSIDER.senderId }),
      lambdaRecordOf(stack, {
        ...fixtureMessage(loadFixture('lambda-dlq'), 'no-sender', stack.scope),
        senderId: undefined,
      }),
    ];
    expect(await handler({ Records: records } as never, stack.lambdaContext as never)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'from-outsider' }],
    });
    await stack.bus.idle();
    expect(stack.bus.events().map((e) => String(e.detail.jobId))).toEqual(['fx-ldlq-1']);
  });
});
