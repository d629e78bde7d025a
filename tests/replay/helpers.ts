/** Shared set-up for the replay tests: fixtures, a local stack (DynamoDB Local, fauxqs, local EventBridge). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, SendMessageCommand, type Message, type MessageAttributeValue, type SQSClient,
} from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startLocalEventBridge, type LocalEventBridge, type LocalEventBridgeOptions } from '../../local/eventbridge/server';
import { settlementTargets } from '../../local/eventbridge/targets';
import type { DlqMessage } from '../../shared/replay/types';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import type { TableNames } from '../../shared/tables';
import { dropTables, freshQueue, freshTables, localDynamo, localSqs } from '../support/local-aws';

const FIXTURES = join(__dirname, '..', 'fixtures', 'dlq');

export interface DlqFixture {
  name: string;
  description: string;
  shape: string | null;
  message: { body?: unknown; bodyText?: string; attributes: Record<string, MessageAttributeValue> };
  expect: Record<string, any>;
}

export function loadFixture(name: string): DlqFixture {
  return { name, ...JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) };
}
export const fixtureNames = () => readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

export const fixtureBody = (f: DlqFixture) => f.message.bodyText ?? JSON.stringify(f.message.body);

/** The fixture as replay sees it (what dlqMessageFromSqs would build). */
export function fixtureMessage(f: DlqFixture, messageId = `msg-${f.name}`): DlqMessage {
  return {
    messageId,
    body: fixtureBody(f),
    attributes: Object.fromEntries(Object.entries(f.message.attributes).map(([k, v]) => [k, v.StringValue ?? ''])),
  };
}

export async function sendFixture(sqs: SQSClient, queueUrl: string, f: DlqFixture, bodyOverride?: unknown): Promise<string> {
  return sendFixtureText(sqs, queueUrl, f, bodyOverride === undefined ? fixtureBody(f) : JSON.stringify(bodyOverride));
}

/** The fixture's attributes with a body given as text (for bodies JSON.stringify cannot write). */
export async function sendFixtureText(sqs: SQSClient, queueUrl: string, f: DlqFixture, bodyText: string): Promise<string> {
  const { MessageId } = await sqs.send(new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: bodyText,
    ...(Object.keys(f.message.attributes).length > 0 ? { MessageAttributes: f.message.attributes } : {}),
  }));
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
  const text = JSON.stringify(videoEvent('rendered', { jobId, userId: 'u-deep', seconds: 5, model: 'test', nest: '__nest__' }, id));
  return text.replace(marker, `${'['.repeat(POISON_DEPTH)}${']'.repeat(POISON_DEPTH)}`);
}

/** Every message in the queue, left visible again afterwards. */
export async function peekAll(sqs: SQSClient, queueUrl: string, limit = 500): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let i = 0; i < Math.ceil(limit / 10) + 2; i++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ['All'],
    }));
    if (Messages.length === 0) break;
    for (const m of Messages) seen.set(m.MessageId!, m);
  }
  const all = [...seen.values()];
  for (let i = 0; i < all.length; i += 10) {
    await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl, Entries: all.slice(i, i + 10).map((m, j) => ({ Id: `p${j}`, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
    }));
  }
  return all;
}

export interface Stack {
  db: DynamoDBClient;
  tables: TableNames;
  sqs: SQSClient;
  dlqUrl: string;
  bus: LocalEventBridge;
  eventBridge: EventBridgeClient;
  replayDeps: { eventBridge: EventBridgeClient; busName: string; priceBook: typeof DEFAULT_PRICE_BOOK; maxReplays: number; dryRun: boolean; dropInvalid: boolean };
  stop(): Promise<void>;
}

export async function startStack(label: string, busOptions: Partial<LocalEventBridgeOptions> = {}): Promise<Stack> {
  const db = localDynamo();
  const sqs = localSqs();
  const tables = await freshTables(db, label);
  const dlqUrl = await freshQueue(sqs, `dlq-${label}`);
  const bus = await startLocalEventBridge({
    sqs, dlqUrl, retryDelayMs: 1,
    targets: settlementTargets({ ledger: { dynamodb: db, tables }, sqs, dlqUrl }),
    ...busOptions,
  });
  const eventBridge = bus.client();
  return {
    db, tables, sqs, dlqUrl, bus, eventBridge,
    replayDeps: { eventBridge, busName: 'default', priceBook: DEFAULT_PRICE_BOOK, maxReplays: 5, dryRun: false, dropInvalid: false },
    async stop() {
      await bus.stop();
      eventBridge.destroy();
      await dropTables(db, tables);
      db.destroy();
      sqs.destroy();
    },
  };
}

/** A valid video event envelope as a producer's PutEvents entry would become on the bus. */
export function videoEvent(kind: 'rendered' | 'failed', detail: Record<string, unknown>, id = `ev-${Math.random().toString(36).slice(2, 10)}`) {
  return {
    version: '0', id, 'detail-type': `video.${kind}`, source: 'video.generation', account: '123456789012',
    time: '2026-03-01T12:00:00Z', region: 'us-east-1', resources: [], detail,
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
  for (let left = chars; left > 0; left -= EXTRA_STRING_CHARS) strings.push(letter.repeat(Math.min(left, EXTRA_STRING_CHARS)));
  const fields: Record<string, string[]> = {};
  for (let i = 0; i * EXTRA_FIELD_ITEMS < strings.length; i++) fields[`bulk${i}`] = strings.slice(i * EXTRA_FIELD_ITEMS, (i + 1) * EXTRA_FIELD_ITEMS);
  return fields;
}
