/**
 * The whole system on one machine: DynamoDB Local (tables from shared/tables.ts), fauxqs (the DLQ,
 * the ops SNS topic and a queue subscribed to it so alerts can be read), the local EventBridge with
 * Terraform's rules, and the real debit/refund handlers behind it. Used by the demo, the chaos
 * suite and the smoke test. Servers are started here unless endpoints are passed in (tests reuse
 * the ones their global setup started).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { makeDynamoDbClient, makeSnsClient, makeSqsClient } from '../shared/aws/clients';
import { createTables } from '../shared/local-tables';
import type { Logger } from '../shared/observability/logger';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../shared/pricing';
import { workspaceNames } from '../shared/naming';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';
import { startLocalEventBridge, type DeliveredEvent, type LocalEventBridge, type LocalEventBridgeOptions } from './eventbridge/server';
import { settlementTargets } from './eventbridge/targets';
import type { TargetHandler } from './eventbridge/server';

export interface LocalStackOptions {
  workspace?: string;
  /** Reuse running servers instead of starting new ones. */
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** A DynamoDB client for the handlers (e.g. with fault-injection middleware). */
  handlerDynamoDb?: (endpoint: string) => DynamoDBClient;
  priceBook?: PriceBook;
  /** The handlers' overdraft floor (default: the ledger core's). */
  overdraftFloorCredits?: number;
  logger?: Logger;
  bus?: Partial<LocalEventBridgeOptions>;
  /** Wraps each deployed handler (the chaos suite crashes some invocations after they committed). */
  wrapTarget?: (handler: TargetHandler) => TargetHandler;
}

export interface LocalStack {
  workspace: string;
  endpoints: { dynamodb: string; sqs: string; eventbridge: string };
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sns: SNSClient;
  tables: TableNames;
  dlqUrl: string;
  alertsTopicArn: string;
  alertsQueueUrl: string;
  bus: LocalEventBridge;
  /** Redeploys the handlers with another price book (e.g. a model's price added). */
  deployPriceBook(priceBook: PriceBook): void;
  /** Delivers an already-accepted event to its target again with the same id (EventBridge's at-least-once). */
  redeliver(event: DeliveredEvent): Promise<unknown>;
  dlqDepth(): Promise<number>;
  /** The variables the CLI and handlers read, pointing at this stack. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
      const server = await startDynamoDbLocal({ memoryMb: 1024 });
      stops.push(server.stop);
      dynamoEndpoint = server.endpoint as string;
    }
    let sqsEndpoint = options.sqsEndpoint;
    if (!sqsEndpoint) {
      const { startFauxqsLocal } = await import('../scripts/local/fauxqs-local.mjs' as string);
      const server = await startFauxqsLocal();
      stops.push(server.stop);
      sqsEndpoint = server.endpoint as string;
    }
    const workspace = options.workspace ?? `local-${randomUUID().slice(0, 6)}`;
    const dynamodb = makeDynamoDbClient({ endpoint: dynamoEndpoint, region: 'us-east-1', maxAttempts: 3 });
    const sqs = makeSqsClient({ endpoint: sqsEndpoint, region: 'us-east-1' });
    const sns = makeSnsClient({ endpoint: sqsEndpoint, region: 'us-east-1' });
    stops.push(async () => { dynamodb.destroy(); sqs.destroy(); sns.destroy(); });

    const tables = tableNamesForWorkspace(workspace);
    await createTables(dynamodb, tables);
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: workspaceNames(workspace).dlq }))).QueueUrl!;
    const alertsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `ops-alerts-inbox-${workspace}` }))).QueueUrl!;
    const alertsQueueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: alertsQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const alertsTopicArn = (await sns.send(new CreateTopicCommand({ Name: `ops-alerts-${workspace}` }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: alertsTopicArn, Protocol: 'sqs', Endpoint: alertsQueueArn }));

    const handlerDb = options.handlerDynamoDb?.(dynamoEndpoint) ?? dynamodb;
    const wrap = options.wrapTarget ?? ((handler: TargetHandler) => handler);
    const targetsFor = (priceBook: PriceBook) => {
      const ledger = { dynamodb: handlerDb, tables, ...(options.overdraftFloorCredits === undefined ? {} : { overdraftFloorCredits: options.overdraftFloorCredits }) };
      const real = settlementTargets({ ledger, sqs, dlqUrl, priceBook, workspace, logger: options.logger });
      return { debit: wrap(real.debit), refund: wrap(real.refund) };
    };
    let targets = targetsFor(options.priceBook ?? DEFAULT_PRICE_BOOK);
    const bus = await startLocalEventBridge({ sqs, dlqUrl, workspace, targets, retryDelayMs: 1, ...options.bus });
    stops.push(() => bus.stop());

    const endpoints = { dynamodb: dynamoEndpoint, sqs: sqsEndpoint, eventbridge: bus.endpoint };
    return {
      workspace, endpoints, dynamodb, sqs, sns, tables, dlqUrl, alertsTopicArn, alertsQueueUrl, bus,
      deployPriceBook(priceBook) {
        targets = targetsFor(priceBook);
        bus.route('debit', targets.debit);
        bus.route('refund', targets.refund);
      },
      redeliver(event) {
        const target = event['detail-type'] === 'video.rendered' ? targets.debit : targets.refund;
        return target(event, { functionName: 'redelivery', functionVersion: '1', invokedFunctionArn: 'local', awsRequestId: randomUUID(), memoryLimitInMB: '512', logGroupName: 'local', logStreamName: 'local', callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 30_000 });
      },
      async dlqDepth() {
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
        return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      },
      env: () => ({
        WORKSPACE: workspace, AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint!, AWS_ENDPOINT_URL_SQS: sqsEndpoint!, AWS_ENDPOINT_URL_SNS: sqsEndpoint!,
        AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
        JOBS_TABLE: tables.jobs, CREDITS_TABLE: tables.credits, LEDGER_TABLE: tables.ledger, SETTLEMENTS_TABLE: tables.settlements,
        DLQ_URL: dlqUrl, ALERTS_TOPIC_ARN: alertsTopicArn, EVENT_BUS_NAME: 'default',
      }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
