/**
 * DLQ replay throughput: N messages of every replayable shape in fauxqs → drainDlq → local EventBridge →
 * the real debit/refund handlers → DynamoDB Local. Prints messages/s and writes bench/results/replay.json.
 * Run: npx tsx bench/replay.bench.ts [messages=2000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageBatchCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { DEFAULT_PRICE_BOOK } from '../shared/pricing';
import { drainDlq } from '../shared/replay/drain';
import { expectedOrigin, type ExpectedOrigin } from '../shared/replay/provenance';
import type { LocalPrincipal } from '../local/principals';
import { startLocalStack, type LocalStack } from '../local/stack';

const MESSAGES = Number(process.argv[2] ?? 2000);

/** One genuine message of each shape in turn, with the principal that writes it in AWS. */
function message(
  i: number,
  origin: ExpectedOrigin,
  stack: LocalStack,
): { body: string; attributes?: Record<string, MessageAttributeValue>; sender: LocalPrincipal } {
  const event = {
    version: '0',
    id: `bench-${i}`,
    'detail-type': i % 4 === 3 ? 'video.failed' : 'video.rendered',
    source: 'video.generation',
    account: '123456789012',
    time: '2026-03-01T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { jobId: `bench-job-${i}`, userId: `bench-user-${i % 100}`, seconds: 5 + (i % 20), model: 'gen-standard' },
  };
  const s = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
  const rule = origin.rules[0]!;
  const debit = stack.principals.debit;
  switch (i % 4) {
    case 0:
      return {
        sender: stack.principals.eventBridge,
        body: JSON.stringify(event),
        attributes: {
          RULE_ARN: s(rule.arn),
          TARGET_ARN: s(rule.targetArn),
          ERROR_CODE: s('THROTTLING'),
          ERROR_MESSAGE: s('Rate Exceeded.'),
          EXHAUSTED_RETRY_CONDITION: s('MaximumRetryAttempts'),
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '3' },
        },
      };
    case 1:
      return {
        sender: debit,
        body: JSON.stringify({
          version: '1.0',
          timestamp: '2026-03-01T10:00:01Z',
          requestContext: {
            requestId: `r-${i}`,
            functionArn: origin.functions.debit.liveArn,
            condition: 'RetriesExhausted',
            approximateInvokeCount: 3,
          },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
          responsePayload: { errorType: 'TransientError', errorMessage: 'x' },
        }),
      };
    case 2:
      return {
        sender: debit,
        body: JSON.stringify(event),
        attributes: {
          RequestID: s(`r-${i}`),
          ErrorCode: { DataType: 'Number', StringValue: '200' },
          ErrorMessage: s('timeout'),
        },
      };
    default:
      return {
        sender: debit,
        body: JSON.stringify(event),
        attributes: {
          'reconciler-kind': s('invalid_event'),
          'reconciler-reason': s('event delivered to the wrong handler'),
          'reconciler-handler': s('debit'),
        },
      };
  }
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const { startFauxqsLocal } = await import('../scripts/local/fauxqs-local.mjs' as string);
  const dynamo = await startDynamoDbLocal();
  const fauxqs = await startFauxqsLocal();
  try {
    // The local stack: fauxqs behind the SQS front (SenderId), the local bus, the real handlers.
    const stack = await startLocalStack({
      workspace: 'bench',
      dynamoEndpoint: dynamo.endpoint,
      sqsEndpoint: fauxqs.endpoint,
    });
    const { bus, dlqUrl } = stack;
    const origin = expectedOrigin(stack.workspace, bus.busName, stack.scope);
    const eventBridge = stack.eventBridgeAs(stack.principals.replay);

    for (let i = 0; i < MESSAGES; i += 10) {
      const batch = Array.from({ length: Math.min(10, MESSAGES - i) }, (_, j) => message(i + j, origin, stack));
      // Each message is sent as its writer (a batch is one caller).
      for (const sender of new Set(batch.map((m) => m.sender))) {
        const entries = batch
          .map((m, j) => ({ m, j }))
          .filter(({ m }) => m.sender === sender)
          .map(({ m, j }) => ({
            Id: `m${j}`,
            MessageBody: m.body,
            ...(m.attributes ? { MessageAttributes: m.attributes } : {}),
          }));
        await stack.sqsAs(sender).send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries }));
      }
    }

    const startedAt = process.hrtime.bigint();
    const report = await drainDlq({
      sqs: stack.sqs,
      queueUrl: dlqUrl,
      eventBridge,
      busName: bus.busName,
      origin,
      priceBook: DEFAULT_PRICE_BOOK,
      maxReplays: 5,
      dryRun: false,
      dropInvalidIds: new Set(),
      maxMessages: MESSAGES + 10,
      waitTimeSeconds: 0,
    });
    const drainMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    await bus.idle();
    const settledMs = Number(process.hrtime.bigint() - startedAt) / 1e6;

    const result = {
      benchmark: 'replay-dlq drain (fauxqs → PutEvents on the local EventBridge; handlers settle into DynamoDB Local)',
      messages: MESSAGES,
      shapes:
        'equal parts EventBridge target DLQ, Lambda destination record, Lambda DLQ, reconciler invalid-event (misrouted, valid today)',
      summary: report.summary,
      drainMs: Math.round(drainMs),
      messagesPerSecond: Math.round((report.summary.replayed / drainMs) * 1000),
      endToEndSettledMs: Math.round(settledMs),
      endToEndSettledPerSecond: Math.round((report.summary.replayed / settledMs) * 1000),
      putEventsRequests: bus.stats.putRequests,
      handlerInvocations: bus.stats.invocations,
      handlerErrors: bus.stats.invocationErrors,
      node: process.version,
      measuredAt: new Date().toISOString(),
    };
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'replay.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (report.summary.replayed !== MESSAGES) process.exitCode = 1;
    await stack.stop();
  } finally {
    await fauxqs.stop();
    await dynamo.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
