/**
 * Shared set-up for the replay tests: fixtures, and a local stack (DynamoDB Local, fauxqs behind the
 * local SQS front, the local EventBridge) of a fresh workspace per test.
 *
 * Fixtures are templates: `{{region}}`, `{{account}}` and `{{workspace}}` in them become the scope
 * of the workspace that reads them (by default prod in eu-west-1, account 123456789012, as in AWS's
 * documentation examples), so that a genuine fixture carries the ARNs of the workspace replaying it.
 * Each fixture names its `sender`: the principal that writes such a message in AWS (EventBridge, a
 * function's role, or an outsider); sent to a stack, it is sent as that principal.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LocalEventBridge, LocalEventBridgeOptions } from '../../local/eventbridge/server';
import { functionRole, EVENTBRIDGE_SERVICE, OUTSIDER, type LocalPrincipal } from '../../local/principals';
import { startLocalStack, type LocalStack } from '../../local/stack';
import pino from 'pino';
import { arns, workspaceNames } from '../../shared/naming';
import { expectedOrigin, type ExpectedOrigin } from '../../shared/replay/provenance';
import type { ReplayHandlerDeps, SqsRecord } from '../../shared/lambda/replay-handler';
import type { ReplayDeps } from '../../shared/replay/redeliver';
import type { DlqMessage } from '../../shared/replay/types';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import type { TableNames } from '../../shared/tables';
import { dropTables, dynamoEndpoint, sqsEndpoint } from './local-aws';

const FIXTURES = join(__dirname, '..', 'fixtures', 'dlq');

/** Where a fixture's ARNs point: a workspace, its region and account. */
export interface FixtureScope {
  workspace: string;
  region: string;
  accountId: string;
}
export const DEFAULT_SCOPE: FixtureScope = Object.freeze({
  workspace: 'prod',
  region: 'eu-west-1',
  accountId: '123456789012',
});

/** What a genuine message of a workspace names: its rules on its own bus, its functions' live aliases. */
export const originOf = (scope: FixtureScope): ExpectedOrigin =>
  expectedOrigin(scope.workspace, workspaceNames(scope.workspace).eventBus, scope);
export const DEFAULT_ORIGIN = originOf(DEFAULT_SCOPE);

/** RULE_ARN and TARGET_ARN of a genuine target dead letter of the rule for `kind`. */
export function genuineTargetAttributes(
  origin: ExpectedOrigin = DEFAULT_ORIGIN,
  kind: 'rendered' | 'failed' = 'rendered',
): Record<string, string> {
  const rule = origin.rules.find((r) => r.target === (kind === 'rendered' ? 'debit' : 'refund'))!;
  return { RULE_ARN: rule.arn, TARGET_ARN: rule.targetArn };
}

/** Who writes a message of this kind to the DLQ in AWS. */
export type FixtureSender = 'eventbridge' | 'debit' | 'refund' | 'outsider';

export interface DlqFixture {
  name: string;
  description: string;
  shape: string | null;
  sender: FixtureSender;
  message: { body?: unknown; bodyText?: string; attributes: Record<string, MessageAttributeValue> };
  expect: Record<string, any>;
}

export function loadFixture(name: string): DlqFixture {
  return { name, ...JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) };
}
export const fixtureNames = () =>
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();

/** The fixture's message with its placeholders filled in for `scope`. */
export function resolveFixture(f: DlqFixture, scope: FixtureScope = DEFAULT_SCOPE): DlqFixture['message'] {
  const text = JSON.stringify(f.message)
    .replace(/\{\{region\}\}/g, scope.region)
    .replace(/\{\{account\}\}/g, scope.accountId)
    .replace(/\{\{workspace\}\}/g, scope.workspace);
  return JSON.parse(text) as DlqFixture['message'];
}

export const fixtureBody = (f: DlqFixture, scope: FixtureScope = DEFAULT_SCOPE) => {
  const m = resolveFixture(f, scope);
  return m.bodyText ?? JSON.stringify(m.body);
};

/** The principal that sends `sender`'s messages in `scope` (local/principals.ts). */
export function senderPrincipal(sender: FixtureSender, scope: FixtureScope = DEFAULT_SCOPE): LocalPrincipal {
  if (sender === 'eventbridge') return EVENTBRIDGE_SERVICE;
  if (sender === 'outsider') return OUTSIDER;
  return functionRole(workspaceNames(scope.workspace).functions[sender]);
}

/** The fixture as replay sees it (what dlqMessageFromSqs would build), with the SenderId SQS would report. */
export function fixtureMessage(
  f: DlqFixture,
  messageId = `msg-${f.name}`,
  scope: FixtureScope = DEFAULT_SCOPE,
): DlqMessage {
  const m = resolveFixture(f, scope);
  return {
    messageId,
    body: m.bodyText ?? JSON.stringify(m.body),
    attributes: Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, v.StringValue ?? ''])),
    senderId: senderPrincipal(f.sender, scope).senderId,
  };
}

/** Sends the fixture to the stack's DLQ as its sender; `bodyOverride` replaces the body (an event, as JSON). */
export async function sendFixture(stack: Stack, f: DlqFixture, bodyOverride?: unknown): Promise<string> {
  return sendFixtureText(
    stack,
    f,
    bodyOverride === undefined ? fixtureBody(f, stack.scope) : JSON.stringify(bodyOverride),
  );
}

/** The fixture's attributes with a body given as text (for bodies JSON.stringify cannot write), sent as its sender. */
export async function sendFixtureText(
  stack: Stack,
  f: DlqFixture,
  bodyText: string,
  queueUrl = stack.dlqUrl,
): Promise<string> {
  const { attributes } = resolveFixture(f, stack.scope);
  const { MessageId } = await stack.local.sqsAs(senderPrincipal(f.sender, stack.scope)).send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: bodyText,
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    }),
  );
  return MessageId!;
}

/** How deep the poisoned message of security review M3 nests: ~200 KB, fits in SQS, overflows JSON.stringify. */
export const POISON_DEPTH = 100_000;

/**
 * A video event, as JSON text, whose unknown field `nest` is an array nested POISON_DEPTH deep
 * (`[[[…]]]`). JSON.parse reads it; JSON.stringify of it overflows the stack.
 */
export function deeplyNestedEventText(jobId: string, id = `deep-${jobId}`): string {
  const marker = '"__nest__"';
  const text = JSON.stringify(
    videoEvent('rendered', { jobId, userId: 'u-deep', seconds: 5, model: 'test', nest: '__nest__' }, id),
  );
  return text.replace(marker, `${'['.repeat(POISON_DEPTH)}${']'.repeat(POISON_DEPTH)}`);
}

/** Every message in the queue, left visible again afterwards. */
export async function peekAll(sqs: SQSClient, queueUrl: string, limit = 500): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let i = 0; i < Math.ceil(limit / 10) + 2; i++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) seen.set(m.MessageId!, m);
  }
  const all = [...seen.values()];
  for (let i = 0; i < all.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: all
          .slice(i, i + 10)
          .map((m, j) => ({ Id: `p${j}`, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
  }
  return all;
}

export interface Stack {
  local: LocalStack;
  scope: FixtureScope;
  db: DynamoDBClient;
  tables: TableNames;
  /** The local SQS as the operator (the replay key). */
  sqs: SQSClient;
  dlqUrl: string;
  bus: LocalEventBridge;
  /** The local EventBridge as the replay key. */
  eventBridge: EventBridgeClient;
  /** What a genuine message of this stack's workspace names. */
  origin: ExpectedOrigin;
  /** The DLQ's ARN (what Lambda's event source mapping names in eventSourceARN). */
  dlqArn: string;
  replayDeps: ReplayDeps;
  /** The replay-dlq handler's deps for this stack (its DLQ, bus and origin). */
  handlerDeps(overrides?: Partial<ReplayHandlerDeps>): ReplayHandlerDeps;
  /** The Lambda context of the stack's replay-dlq function (its ARN names the DLQ's account). */
  lambdaContext: { invokedFunctionArn: string };
  stop(): Promise<void>;
}

/** A record as Lambda's SQS event source shapes it for `stack`'s DLQ, from a message replay would read. */
export function lambdaRecordOf(stack: Stack, message: DlqMessage): SqsRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `rh-${message.messageId}`,
    body: message.body,
    eventSourceARN: stack.dlqArn,
    attributes: { ApproximateReceiveCount: '1', ...(message.senderId ? { SenderId: message.senderId } : {}) },
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
    ),
  };
}

/** A local stack of a fresh workspace `<label>-<random>` on the test run's DynamoDB Local and fauxqs. */
export async function startStack(label: string, busOptions: Partial<LocalEventBridgeOptions> = {}): Promise<Stack> {
  const workspace = `${label.slice(0, 24)}-${Math.random().toString(36).slice(2, 8)}`;
  const local = await startLocalStack({
    workspace,
    dynamoEndpoint: dynamoEndpoint(),
    sqsEndpoint: sqsEndpoint(),
    bus: busOptions,
  });
  const eventBridge = local.eventBridgeAs(local.principals.replay);
  const scope = { workspace, ...local.scope };
  const origin = originOf(scope);
  const names = workspaceNames(workspace);
  const dlqArn = arns.queue(local.scope, names.dlq);
  return {
    local,
    scope,
    origin,
    dlqArn,
    db: local.dynamodb,
    tables: local.tables,
    sqs: local.sqs,
    dlqUrl: local.dlqUrl,
    bus: local.bus,
    eventBridge,
    replayDeps: {
      eventBridge,
      busName: local.bus.busName,
      origin,
      priceBook: DEFAULT_PRICE_BOOK,
      maxReplays: 5,
      dryRun: false,
      dropInvalidIds: new Set(),
    },
    handlerDeps: (overrides = {}) => ({
      eventBridge,
      busName: local.bus.busName,
      maxReplays: 5,
      priceBook: DEFAULT_PRICE_BOOK,
      logger: pino({ level: 'silent' }),
      workspace,
      origin,
      dlq: { arn: dlqArn, scope: local.scope },
      ...overrides,
    }),
    lambdaContext: { invokedFunctionArn: arns.function(local.scope, names.functions['replay-dlq'], 'live') },
    async stop() {
      await local.bus.idle();
      await dropTables(local.dynamodb, local.tables);
      await local.stop();
    },
  };
}

/** A valid video event envelope as a producer's PutEvents entry would become on the bus. */
export function videoEvent(
  kind: 'rendered' | 'failed',
  detail: Record<string, unknown>,
  id = `ev-${Math.random().toString(36).slice(2, 10)}`,
) {
  return {
    version: '0',
    id,
    'detail-type': `video.${kind}`,
    source: 'video.generation',
    account: '123456789012',
    time: '2026-03-01T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** The schema's bounds on one unknown field: at most 32 items of at most 2048 characters. */
const EXTRA_FIELD_ITEMS = 32;
const EXTRA_STRING_CHARS = 2048;

/**
 * Unknown detail fields that carry `chars` characters in all, each within the schema's bounds
 * (bulk0, bulk1, …: arrays of at most 32 strings of at most 2048 characters): how a test builds an
 * event that is large, yet valid.
 */
export function bulkFields(chars: number, letter = 'b'): Record<string, string[]> {
  const strings: string[] = [];
  for (let left = chars; left > 0; left -= EXTRA_STRING_CHARS)
    strings.push(letter.repeat(Math.min(left, EXTRA_STRING_CHARS)));
  const fields: Record<string, string[]> = {};
  for (let i = 0; i * EXTRA_FIELD_ITEMS < strings.length; i++)
    fields[`bulk${i}`] = strings.slice(i * EXTRA_FIELD_ITEMS, (i + 1) * EXTRA_FIELD_ITEMS);
  return fields;
}
