/**
 * DLQ replay throughput: N messages of every replayable shape in fauxqs → drainDlq → local EventBridge →
 * the real debit/refund handlers → DynamoDB Local. Prints messages/s and writes bench/results/replay.json.
 * Run: npx tsx bench/replay.bench.ts [messages=2000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageBatchCommand, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient, makeSqsClient } from '../shared/aws/clients';
import { createTables } from '../shared/local-tables';
import { DEFAULT_PRICE_BOOK } from '../shared/pricing';
import { tableNamesForWorkspace } from '../shared/tables';
import { drainDlq } from '../shared/replay/drain';
import { startLocalEventBridge } from '../local/eventbridge/server';
import { settlementTargets } from '../local/eventbridge/targets';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';

const MESSAGES = Number(process.argv[2] ?? 2000);

function message(i: number): { body: string; attributes?: Record<string, MessageAttributeValue> } {
  const event = {
    version: '0', id: `bench-${i}`, 'detail-type': i % 4 === 3 ? 'video.failed' : 'video.rendered', source: 'video.generation',
    account: '123456789012', time: '2026-03-01T10:00:00Z', region: 'us-east-1', resources: [],
    detail: { jobId: `bench-job-${i}`, userId: `bench-user-${i % 100}`, seconds: 5 + (i % 20), model: 'gen-standard' },
  };
  const s = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
  switch (i % 4) {
    case 0: return { body: JSON.stringify(event), attributes: { RULE_ARN: s('arn:rule'), TARGET_ARN: s('arn:fn'), ERROR_CODE: s('THROTTLING'), ERROR_MESSAGE: s('Rate Exceeded.'), EXHAUSTED_RETRY_CONDITION: s('MaximumRetryAttempts'), RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '3' } } };
    case 1: return { body: JSON.stringify({ version: '1.0', timestamp: '2026-03-01T10:00:01Z', requestContext: { requestId: `r-${i}`, functionArn: 'arn:fn', condition: 'RetriesExhausted', approximateInvokeCount: 3 }, requestPayload: event, responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' }, responsePayload: { errorType: 'TransientError', errorMessage: 'x' } }) };
    case 2: return { body: JSON.stringify(event), attributes: { RequestID: s(`r-${i}`), ErrorCode: { DataType: 'Number', StringValue: '200' }, ErrorMessage: s('timeout') } };
    default: return { body: JSON.stringify(event), attributes: { 'reconciler-kind': s('invalid_event'), 'reconciler-reason': s('event delivered to the wrong handler'), 'reconciler-handler': s('debit') } };
  }
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const { startFauxqsLocal } = await import('../scripts/local/fauxqs-local.mjs' as string);
  const dynamo = await startDynamoDbLocal();
  const fauxqs = await startFauxqsLocal();
  try {
    const db = makeDynamoDbClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
    const sqs = makeSqsClient({ endpoint: fauxqs.endpoint, region: 'us-east-1' });
    const tables = tableNamesForWorkspace('bench');
    await createTables(db, tables);
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'cc-reconciler-dlq-bench' }));
    const bus = await startLocalEventBridge({ sqs, dlqUrl: dlqUrl!, retryDelayMs: 1, targets: settlementTargets({ ledger: { dynamodb: db, tables }, sqs, dlqUrl: dlqUrl! }) });
    const eventBridge = bus.client();

    for (let i = 0; i < MESSAGES; i += 10) {
      const entries = Array.from({ length: Math.min(10, MESSAGES - i) }, (_, j) => {
        const m = message(i + j);
        return { Id: `m${j}`, MessageBody: m.body, ...(m.attributes ? { MessageAttributes: m.attributes } : {}) };
      });
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries }));
    }

    const startedAt = process.hrtime.bigint();
    const report = await drainDlq({
      sqs, queueUrl: dlqUrl!, eventBridge, busName: bus.busName, priceBook: DEFAULT_PRICE_BOOK, maxReplays: 5,
      dryRun: false, dropInvalid: false, maxMessages: MESSAGES + 10, waitTimeSeconds: 0,
    });
    const drainMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    await bus.idle();
    const settledMs = Number(process.hrtime.bigint() - startedAt) / 1e6;

    const result = {
      benchmark: 'replay-dlq drain (fauxqs → PutEvents on the local EventBridge; handlers settle into DynamoDB Local)',
      messages: MESSAGES,
      shapes: 'equal parts EventBridge target DLQ, Lambda destination record, Lambda DLQ, reconciler invalid-event (misrouted, valid today)',
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
    await bus.stop();
    eventBridge.destroy();
    db.destroy();
    sqs.destroy();
  } finally {
    await fauxqs.stop();
    await dynamo.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
