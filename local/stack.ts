/**
 * The whole system on one machine: DynamoDB Local (tables from shared/tables.ts), fauxqs (the DLQ,
 * the ops SNS topic and a queue subscribed to it so alerts can be read) behind the local SQS front
 * (local/sqs-proxy.ts: SenderId, loopback queue URLs), the local EventBridge with Terraform's rules
 * on the workspace's own bus, and the real debit/refund handlers behind it. Used by the demo, the
 * chaos suite and the smoke test. Servers are started here unless endpoints are passed in (tests
 * reuse the ones their global setup started).
 *
 * Every caller has its own key (local/principals.ts): the producer, the replay/operator key (the
 * clients' default on loopback), an outsider, EventBridge, and each function's execution role. The
 * bus lets only the producer and replay keys publish `source: video.generation` (its policy). The
 * handlers and the bus send their dead letters as who sends them in AWS, so what reaches the DLQ
 * carries the SenderId, RULE_ARN, TARGET_ARN and function ARN a genuine message has.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { makeDynamoDbClient, makeSnsClient, makeSqsClient } from '../shared/aws/clients';
import { createTables } from './tables';
import type { Logger } from '../shared/observability/logger';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../shared/pricing';
import { workspaceNames, type AccountScope } from '../shared/naming';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';
import {
  startLocalEventBridge,
  type DeliveredEvent,
  type DlqSender,
  type LocalEventBridge,
  type LocalEventBridgeOptions,
} from './eventbridge/server';
import { settlementTargets } from './eventbridge/targets';
import type { TargetHandler } from './eventbridge/server';
import { EVENTBRIDGE_SERVICE, OUTSIDER, PRODUCER, REPLAY, functionRole, type LocalPrincipal } from './principals';
import { startLocalSqs } from './sqs-proxy';

/** The account fauxqs puts its queues in (and so the local workspace's account). */
const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_REGION = 'us-east-1';

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
  /** A fixed port for the SQS front (make local keeps its endpoints across restarts); the bus's is `bus.port`. */
  sqsPort?: number;
  /** Wraps each deployed handler (the chaos suite crashes some invocations after they committed). */
  wrapTarget?: (handler: TargetHandler) => TargetHandler;
}

export interface LocalPrincipals {
  producer: LocalPrincipal;
  /** The operator's CLI and the replay-dlq function (the clients' default key on loopback). */
  replay: LocalPrincipal;
  outsider: LocalPrincipal;
  eventBridge: LocalPrincipal;
  debit: LocalPrincipal;
  refund: LocalPrincipal;
}

export interface LocalStack {
  workspace: string;
  /** The region and account the local workspace lives in (fauxqs's account). */
  scope: AccountScope;
  endpoints: { dynamodb: string; sqs: string; sns: string; eventbridge: string };
  dynamodb: DynamoDBClient;
  /** The local SQS, signing as the replay/operator key. */
  sqs: SQSClient;
  /** The local SQS, signing as `principal` (so the messages it sends carry that principal's SenderId). */
  sqsAs(principal: LocalPrincipal): SQSClient;
  /** The local EventBridge, signing as `principal` (the bus policy allows the producer and replay keys). */
  eventBridgeAs(principal: LocalPrincipal): EventBridgeClient;
  principals: LocalPrincipals;
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

/** DynamoDB Local and fauxqs: the ones given, or our own (stopped with the stack). */
async function ensureServers(
  options: LocalStackOptions,
  stops: (() => Promise<void>)[],
): Promise<{ dynamoEndpoint: string; sqsEndpoint: string }> {
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
  return { dynamoEndpoint, sqsEndpoint };
}

/** The workspace's DLQ, and the ops topic with a queue subscribed to it (to read what the sweep alerted). */
async function createQueuesAndTopic(
  sqs: SQSClient,
  sns: SNSClient,
  workspace: string,
): Promise<{ dlqUrl: string; alertsQueueUrl: string; alertsTopicArn: string }> {
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: workspaceNames(workspace).dlq }))).QueueUrl!;
  const alertsQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `ops-alerts-inbox-${workspace}` })))
    .QueueUrl!;
  const alertsQueueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: alertsQueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  const alertsTopicArn = (await sns.send(new CreateTopicCommand({ Name: `ops-alerts-${workspace}` }))).TopicArn!;
  await sns.send(new SubscribeCommand({ TopicArn: alertsTopicArn, Protocol: 'sqs', Endpoint: alertsQueueArn }));
  return { dlqUrl, alertsQueueUrl, alertsTopicArn };
}

async function queueDepthOf(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The context a redelivered event's handler gets (no Lambda in between: a test's direct call). */
const redeliveryContext = () => ({
  functionName: 'redelivery',
  functionVersion: '1',
  invokedFunctionArn: 'local',
  awsRequestId: randomUUID(),
  memoryLimitInMB: '512',
  logGroupName: 'local',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
});

/** The variables the CLI and handlers read, pointing at a stack. */
export function stackEnv(stack: {
  workspace: string;
  endpoints: LocalStack['endpoints'];
  tables: TableNames;
  dlqUrl: string;
  alertsTopicArn: string;
  busName: string;
}): Record<string, string> {
  const { workspace, endpoints, tables } = stack;
  return {
    WORKSPACE: workspace,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SNS: endpoints.sns,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    JOBS_TABLE: tables.jobs,
    CREDITS_TABLE: tables.credits,
    LEDGER_TABLE: tables.ledger,
    SETTLEMENTS_TABLE: tables.settlements,
    DLQ_URL: stack.dlqUrl,
    ALERTS_TOPIC_ARN: stack.alertsTopicArn,
    EVENT_BUS_NAME: stack.busName,
  };
}

type Stops = (() => Promise<void>)[];

function principalsOf(workspace: string): LocalPrincipals {
  const names = workspaceNames(workspace);
  return {
    producer: PRODUCER,
    replay: REPLAY,
    outsider: OUTSIDER,
    eventBridge: EVENTBRIDGE_SERVICE,
    debit: functionRole(names.functions.debit),
    refund: functionRole(names.functions.refund),
  };
}

/** The stack's own clients: one SQS client per principal (so what it sends carries its SenderId); destroyed on stop. */
function localClients(endpoints: { dynamodb: string; sqsFront: string; fauxqs: string }, stops: Stops) {
  const dynamodb = makeDynamoDbClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, maxAttempts: 3 });
  const sqsClients = new Map<string, SQSClient>();
  const sqsAs = (principal: LocalPrincipal): SQSClient => {
    const key = principal.credentials.accessKeyId;
    if (!sqsClients.has(key))
      sqsClients.set(
        key,
        makeSqsClient({ endpoint: endpoints.sqsFront, region: LOCAL_REGION, localCredentials: principal.credentials }),
      );
    return sqsClients.get(key)!;
  };
  const sns = makeSnsClient({ endpoint: endpoints.fauxqs, region: LOCAL_REGION });
  const eventBridgeClients: EventBridgeClient[] = [];
  stops.push(async () => {
    dynamodb.destroy();
    sns.destroy();
    for (const client of [...sqsClients.values(), ...eventBridgeClients]) client.destroy();
  });
  return {
    dynamodb,
    sqsAs,
    sqs: sqsAs(REPLAY),
    sns,
    keep: (client: EventBridgeClient) => {
      eventBridgeClients.push(client);
      return client;
    },
  };
}

/** The real debit and refund handlers for a price book, each wrapped as the options ask (faults, timing). */
function targetsFactory(
  options: LocalStackOptions,
  parts: {
    dynamodb: DynamoDBClient;
    tables: TableNames;
    sqs: SQSClient;
    sqsAs: (principal: LocalPrincipal) => SQSClient;
    principals: LocalPrincipals;
    dlqUrl: string;
    workspace: string;
  },
) {
  const wrap = options.wrapTarget ?? ((handler: TargetHandler) => handler);
  const floor =
    options.overdraftFloorCredits === undefined ? {} : { overdraftFloorCredits: options.overdraftFloorCredits };
  return (priceBook: PriceBook) => {
    const ledger = { dynamodb: parts.dynamodb, tables: parts.tables, ...floor };
    const real = settlementTargets({
      ledger,
      sqs: parts.sqs,
      sqsFor: (handler) => parts.sqsAs(parts.principals[handler]),
      dlqUrl: parts.dlqUrl,
      priceBook,
      workspace: parts.workspace,
      logger: options.logger,
    });
    return { debit: wrap(real.debit), refund: wrap(real.refund) };
  };
}

async function buildStack(options: LocalStackOptions, stops: Stops): Promise<Omit<LocalStack, 'stop'>> {
  const { dynamoEndpoint, sqsEndpoint } = await ensureServers(options, stops);
  const workspace = options.workspace ?? `local-${randomUUID().slice(0, 6)}`;
  const principals = principalsOf(workspace);
  const front = await startLocalSqs({
    upstream: sqsEndpoint,
    principals: Object.values(principals),
    ...(options.sqsPort ? { port: options.sqsPort } : {}),
  });
  stops.push(front.stop);
  const { dynamodb, sqsAs, sqs, sns, keep } = localClients(
    { dynamodb: dynamoEndpoint, sqsFront: front.endpoint, fauxqs: sqsEndpoint },
    stops,
  );
  const tables = tableNamesForWorkspace(workspace);
  await createTables(dynamodb, tables);
  const { dlqUrl, alertsQueueUrl, alertsTopicArn } = await createQueuesAndTopic(sqs, sns, workspace);

  const targetsFor = targetsFactory(options, {
    dynamodb: options.handlerDynamoDb?.(dynamoEndpoint) ?? dynamodb,
    tables,
    sqs,
    sqsAs,
    principals,
    dlqUrl,
    workspace,
  });
  let targets = targetsFor(options.priceBook ?? DEFAULT_PRICE_BOOK);
  const bus = await startLocalEventBridge({
    sqs,
    dlqUrl,
    workspace,
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT_ID,
    targets,
    retryDelayMs: 1,
    // Who sends a dead letter in AWS: EventBridge for a target's, the function's role for Lambda's.
    sqsFor: (sender: DlqSender) =>
      sqsAs(sender.kind === 'eventbridge' ? EVENTBRIDGE_SERVICE : functionRole(sender.functionName)),
    // The bus policy: the producer and replay keys may publish video.generation, nobody else (H1).
    publishers: [PRODUCER.credentials.accessKeyId, REPLAY.credentials.accessKeyId],
    ...options.bus,
  });
  stops.push(() => bus.stop());

  const endpoints = { dynamodb: dynamoEndpoint, sqs: front.endpoint, sns: sqsEndpoint, eventbridge: bus.endpoint };
  return {
    workspace,
    scope: { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID },
    endpoints,
    dynamodb,
    sqs,
    sqsAs,
    principals,
    sns,
    tables,
    dlqUrl,
    alertsTopicArn,
    alertsQueueUrl,
    bus,
    eventBridgeAs: (principal) => keep(bus.client(principal.credentials)),
    deployPriceBook(priceBook) {
      targets = targetsFor(priceBook);
      bus.route('debit', targets.debit);
      bus.route('refund', targets.refund);
    },
    redeliver: (event) =>
      (event['detail-type'] === 'video.rendered' ? targets.debit : targets.refund)(event, redeliveryContext()),
    dlqDepth: () => queueDepthOf(sqs, dlqUrl),
    env: () => stackEnv({ workspace, endpoints, tables, dlqUrl, alertsTopicArn, busName: bus.busName }),
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stops: Stops = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    return { ...(await buildStack(options, stops)), stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
