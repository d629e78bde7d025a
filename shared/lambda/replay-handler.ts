/**
 * The replay-dlq Lambda (SQS trigger on the DLQ): the same core as the CLI, per record. Records whose
 * event the bus accepted succeed (Lambda deletes them); every other record is reported in the
 * response's batchItemFailures (ReportBatchItemFailures), so that only those return to the queue.
 * The function never drops invalid events: that is an operator's decision (`--drop-invalid`).
 *
 * It publishes only what provably came from its workspace (provenance.ts, security review H2, M1):
 * DLQ_URL must be the workspace's DLQ in the function's region (checked at start-up) and account
 * (checked against the invoked function's ARN); a record whose eventSourceARN is not that queue, a
 * record handed over by anything other than this queue's event source mapping, is left unverified.
 * Every field of a record handed over by a direct invocation is the caller's to choose: only IAM
 * (who may invoke the function) stops that.
 */
import middy from '@middy/core';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ConfigError } from '../errors';
import type { AccountScope } from '../naming';
import { createLogger, type Logger } from '../observability/logger';
import { emfFields } from '../observability/metrics';
import type { PriceBook } from '../pricing';
import type { ExpectedOrigin } from '../replay/provenance';
import { UNVERIFIED_HINT, replayMessages } from '../replay/redeliver';
import type { DlqMessage, MessageResult } from '../replay/types';
import { invocationContextForLogs } from './invocation-logs';

/** The part of Lambda's SQS event replay reads (no aws-lambda types in the core). */
export interface SqsRecord {
  messageId: string;
  receiptHandle?: string;
  body: string;
  /** SQS system attributes; Lambda's SQS event source always includes SenderId. */
  attributes?: { ApproximateReceiveCount?: string; SenderId?: string };
  messageAttributes?: Record<string, { stringValue?: string | null; dataType?: string }>;
  /** The queue the record was received from. */
  eventSourceARN?: string;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
/** The part of Lambda's context replay reads. */
export interface ReplayContext {
  invokedFunctionArn?: string;
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
  /** This workspace's rules and functions (what a genuine record names). */
  origin: ExpectedOrigin;
  /** The DLQ this function drains, and the region and account it is in. */
  dlq: { arn: string; scope: AccountScope };
}

/**
 * The function runs in the DLQ's account and region: a DLQ_URL that names another account's queue is
 * a configuration error, found at the first invocation (the account is only known from the context).
 */
export function assertSameAccount(deps: ReplayHandlerDeps, context: ReplayContext | undefined): void {
  const match = /^arn:[^:]+:lambda:([^:]+):(\d{12}):function:/.exec(context?.invokedFunctionArn ?? '');
  if (!match)
    throw new ConfigError(
      "replay-dlq: the Lambda context names no invokedFunctionArn, so the DLQ's account cannot be checked",
    );
  const [, region, accountId] = match;
  if (region !== deps.dlq.scope.region || accountId !== deps.dlq.scope.accountId) {
    throw new ConfigError(
      `replay-dlq: DLQ_URL is in ${deps.dlq.scope.region}/${deps.dlq.scope.accountId}, but this function runs in ${region}/${accountId}`,
    );
  }
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

/** A record from another queue (or none named): left, whatever it holds. */
function foreignRecordResult(record: SqsRecord, dlqArn: string): MessageResult {
  const from =
    typeof record.eventSourceARN === 'string' ? JSON.stringify(record.eventSourceARN.slice(0, 300)) : 'no queue';
  return {
    messageId: record.messageId,
    outcome: 'left_unverified',
    remove: false,
    reason: `unverified origin: the record comes from ${from}, not this function's DLQ ${dlqArn}`,
    hint: UNVERIFIED_HINT,
  };
}

async function replayBatch(deps: ReplayHandlerDeps, records: readonly SqsRecord[]): Promise<BatchResponse> {
  const ours = records.filter((r) => r.eventSourceARN === deps.dlq.arn);
  const replayed = await replayMessages(ours.map(dlqMessageFromRecord), {
    eventBridge: deps.eventBridge,
    busName: deps.busName,
    priceBook: deps.priceBook,
    maxReplays: deps.maxReplays,
    dryRun: false,
    dropInvalidIds: new Set(),
    origin: deps.origin,
  });
  const byId = new Map(ours.map((r, i) => [r, replayed[i]!]));
  const results = records.map((r) => byId.get(r) ?? foreignRecordResult(r, deps.dlq.arn));
  const replayedCount = results.filter((r) => r.outcome === 'replayed').length;
  for (const r of results) {
    if (r.remove) continue;
    deps.logger.warn(
      {
        messageId: r.messageId,
        outcome: r.outcome,
        shape: r.shape,
        reason: r.reason,
        details: r.details,
        hint: r.hint,
        originalEventId: r.originalEventId,
        jobId: r.jobId,
      },
      'DLQ message left in the queue',
    );
  }
  deps.logger.info(
    {
      records: records.length,
      replayed: replayedCount,
      left: records.length - replayedCount,
      ...emfFields(deps.workspace, { Replayed: replayedCount }),
    },
    'DLQ batch replayed',
  );
  return batchResponseFor(results);
}

export function createReplayHandler(getDeps: () => ReplayHandlerDeps) {
  return middy<SqsEvent, BatchResponse>()
    .use(invocationContextForLogs())
    .handler(async (event, context) => {
      const records = event.Records ?? [];
      let deps: ReplayHandlerDeps | undefined;
      try {
        deps = getDeps();
        assertSameAccount(deps, context as ReplayContext | undefined);
        return await replayBatch(deps, records);
      } catch (error) {
        // Nothing of this batch is known to be handled (a bug, or no configuration): every record
        // returns to the queue. Said once, loudly, since no per-record line follows.
        const logger = deps?.logger ?? createLogger({ component: 'replay-dlq' });
        logger.error(
          {
            outcome: 'error',
            errorName: (error as Error).name,
            error: (error as Error).message,
            records: records.length,
          },
          'DLQ batch not replayed; every record stays in the queue',
        );
        return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
      }
    });
}
