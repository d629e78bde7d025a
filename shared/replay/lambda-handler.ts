/**
 * The replay-dlq Lambda (SQS trigger on the DLQ): the same core as the CLI, per record. Records whose
 * event the bus accepted succeed (Lambda deletes them); every other record is reported in
 * batchItemFailures (@middy/sqs-partial-batch-failure), so that only those return to the queue.
 * The function never drops invalid events: that is an operator's decision (`--drop-invalid`).
 */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { makeEventBridgeClient } from '../aws/clients';
import { positiveInt, readEnv } from '../config';
import { createLogger, type Logger } from '../observability/logger';
import { emfFields } from '../observability/metrics';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../pricing';
import { DEFAULT_MAX_REPLAYS, MAX_REPLAYS_LIMIT, replayMessages } from './redeliver';
import type { DlqMessage, MessageResult } from './types';

/** The part of Lambda's SQS event replay reads (no aws-lambda types in the core). */
export interface SqsRecord {
  messageId: string;
  receiptHandle?: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
  messageAttributes?: Record<string, { stringValue?: string | null; dataType?: string }>;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface ReplayHandlerDeps {
  eventBridge: EventBridgeClient;
  busName: string;
  maxReplays: number;
  priceBook: PriceBook;
  logger: Logger;
  workspace: string;
}

export function replayDepsFromEnvironment(): ReplayHandlerDeps {
  const env = readEnv('replay-dlq');
  const workspace = env.WORKSPACE ?? 'local';
  return {
    eventBridge: makeEventBridgeClient(),
    busName: env.EVENT_BUS_NAME!,
    maxReplays: positiveInt('REPLAY_MAX_REPLAYS', env.REPLAY_MAX_REPLAYS, DEFAULT_MAX_REPLAYS, MAX_REPLAYS_LIMIT),
    priceBook: DEFAULT_PRICE_BOOK,
    logger: createLogger({ level: env.LOG_LEVEL, workspace, component: 'replay-dlq' }),
    workspace,
  };
}

export function dlqMessageFromRecord(record: SqsRecord): DlqMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (typeof value?.stringValue === 'string') attributes[name] = value.stringValue;
  }
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
  return {
    messageId: record.messageId,
    body: record.body,
    attributes,
    ...(record.receiptHandle ? { receiptHandle: record.receiptHandle } : {}),
    ...(Number.isSafeInteger(receiveCount) ? { receiveCount } : {}),
  };
}

/** A record that stays in the queue; the reason travels to the partial-batch middleware's logger. */
export class RecordLeftInQueue extends Error {
  override readonly name = 'RecordLeftInQueue';
  constructor(readonly result: MessageResult) {
    super(`${result.outcome}: ${result.reason ?? ''}`);
  }
}

export function createReplayHandler(getDeps: () => ReplayHandlerDeps) {
  return middy<SqsEvent, BatchResponse>()
    // Each left record is already logged below, with context; the middleware need not repeat it.
    .use(sqsPartialBatchFailure({ logger: () => undefined }))
    .handler(async (event) => {
      const deps = getDeps();
      const records = event.Records ?? [];
      const results = await replayMessages(records.map(dlqMessageFromRecord), {
        eventBridge: deps.eventBridge, busName: deps.busName, priceBook: deps.priceBook, maxReplays: deps.maxReplays,
        dryRun: false, dropInvalid: false,
      });
      const replayed = results.filter((r) => r.outcome === 'replayed').length;
      for (const r of results) {
        if (r.remove) continue;
        deps.logger.warn({ messageId: r.messageId, outcome: r.outcome, shape: r.shape, reason: r.reason, details: r.details, hint: r.hint, originalEventId: r.originalEventId, jobId: r.jobId }, 'DLQ message left in the queue');
      }
      deps.logger.info({ records: records.length, replayed, left: records.length - replayed, ...emfFields(deps.workspace, { Replayed: replayed }) }, 'DLQ batch replayed');
      // The middleware maps these, in record order, to batchItemFailures.
      const settled: PromiseSettledResult<MessageResult>[] = results.map((r) => (r.remove
        ? { status: 'fulfilled', value: r }
        : { status: 'rejected', reason: new RecordLeftInQueue(r) }));
      return settled as unknown as BatchResponse;
    });
}
