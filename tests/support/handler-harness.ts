/** Builds real debit/refund handlers on DynamoDB Local + fauxqs, capturing their log lines. */
import { Writable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, type SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createReserveHandler } from '../../shared/lambda/reserve-handler';
import { createSettlementHandler } from '../../shared/lambda/settlement-handler';
import type { SettlementHandlerDeps, SettlementHandlerName } from '../../shared/lambda/settlement-deps';
import { createLogger } from '../../shared/observability/logger';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import type { TableNames } from '../../shared/tables';

export function captureLogs() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, destination };
}

export function lambdaContext(name = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '1',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: 'req-1',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 's',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HarnessOptions {
  overdraftFloorCredits?: number;
  /** The business clock of every handler (holds expire by it). */
  now?: () => Date;
  holdDefaultSeconds?: number;
}

export function buildHandlers(
  db: DynamoDBClient,
  sqs: SQSClient,
  tables: TableNames,
  dlqUrl: string,
  options: HarnessOptions = {},
) {
  const logs = captureLogs();
  const { holdDefaultSeconds = 3_600, ...ledgerOptions } = options;
  const deps = (handlerName: SettlementHandlerName): SettlementHandlerDeps => ({
    handlerName,
    ledger: { dynamodb: db, tables, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...ledgerOptions },
    sqs,
    dlqUrl,
    priceBook: DEFAULT_PRICE_BOOK,
    workspace: 'test',
    logger: createLogger({ component: handlerName, workspace: 'test', destination: logs.destination }),
  });
  const debitDeps = deps('debit');
  const refundDeps = deps('refund');
  const debit = createSettlementHandler('rendered', () => debitDeps);
  const refund = createSettlementHandler('failed', () => refundDeps);
  const reserveDeps = {
    holds: {
      dynamodb: db,
      tables,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      ...(options.now ? { now: options.now } : {}),
    },
    limits: { defaultSeconds: holdDefaultSeconds },
    workspace: 'test',
    logger: createLogger({ component: 'reserve', workspace: 'test', destination: logs.destination }),
  };
  const reserve = createReserveHandler(() => reserveDeps);
  return {
    logs: logs.lines,
    reserve: (request: unknown) => reserve(request, lambdaContext('reserve')),
    debit: (event: unknown) => debit(event, lambdaContext('debit')),
    refund: (event: unknown) => refund(event, lambdaContext('refund')),
  };
}

export async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < 20; i++) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    if (!Messages || Messages.length === 0) break;
    messages.push(...Messages);
  }
  return messages;
}
