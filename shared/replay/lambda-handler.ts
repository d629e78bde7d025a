/**
 * The replay-dlq Lambda (SQS trigger on the DLQ): the same core as the CLI, per record. Records whose
 * event the bus accepted succeed (Lambda deletes them); every other record is reported in the
 * response's batchItemFailures (ReportBatchItemFailures), so that only those return to the queue.
 * The function never drops invalid events: that is an operator's decision (`--drop-invalid`).
 */
import middy from '@middy/core';
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
  /** SQS system attributes; Lambda's SQS event source always includes SenderId. */
  attributes?: { ApproximateReceiveCount?: string; SenderId?: string };
  messageAttributes?: Record<string, { stringValue?: string | null; dataType?: string }>;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
/** Lambda's partial batch response (event source mapping with ReportBatchItemFailures). */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The records that stay in the queue: every one whose result may not be removed, in record order. */
export function batchResponseFor(results: readonly MessageResult[]): BatchResponse {
  return { batchItemFailures: results.filter((r) => !r.remove).map((r) => ({ itemIdentifier: r.messageId })) };
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
  const senderId = record.attributes?.SenderId;
  return {
    messageId: record.messageId,
    body: record.body,
    attributes,
    ...(record.receiptHandle ? { receiptHandle: record.receiptHandle } : {}),
    ...(Number.isSafeInteger(receiveCount) ? { receiveCount } : {}),
    ...(typeof senderId === 'string' && senderId ? { senderId } : {}),
  };
}

async function replayBatch(deps: ReplayHandlerDeps, records: readonly SqsRecord[]): Promise<BatchResponse> {
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
  return batchResponseFor(results);
}

export function createReplayHandler(getDeps: () => ReplayHandlerDeps) {
  return middy<SqsEvent, BatchResponse>()
    .handler(async (event) => {
      const records = event.Records ?? [];
      let deps: ReplayHandlerDeps | undefined;
      try {
        deps = getDeps();
        return await replayBatch(deps, records);
      } catch (error) {
        // Nothing of this batch is known to be handled (a bug, or no configuration): every record
        // returns to the queue. Said once, loudly, since no per-record line follows.
        const logger = deps?.logger ?? createLogger({ component: 'replay-dlq' });
        logger.error({ outcome: 'error', errorName: (error as Error).name, error: (error as Error).message, records: records.length }, 'DLQ batch not replayed; every record stays in the queue');
        return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
      }
    });
}
