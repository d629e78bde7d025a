/**
 * Records every AWS SDK command a client sends (name and input), and maps each to the IAM actions
 * and the resources it needs. A TransactWriteItems is authorised item by item (Update → UpdateItem,
 * Put → PutItem, ConditionCheck → ConditionCheckItem, Delete → DeleteItem on that item's table);
 * a Query on an index needs dynamodb:Query on the index, not the table. The least-privilege test
 * compares what a handler really sends with what Terraform grants it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type Service = 'dynamodb' | 'sqs' | 'sns' | 'events';

export interface SentCommand {
  service: Service;
  command: string;
  input: Record<string, any>;
}

/** A resource in the project's own terms: `table:ledger`, `index:jobs/unsettled`, `queue:dlq`, `topic:alerts`, `bus:events`. */
export type LogicalResource = string;

export interface Needed {
  action: string;
  resource: LogicalResource;
}

/** Any SDK v3 client: they share one middleware stack shape (each typed by its own commands). */
type AnyClient = { middlewareStack: { add: (...args: any[]) => unknown } };

/** Adds a middleware that appends every command this client sends to `sink`. */

export function recordCommands(client: AnyClient, service: Service, sink: SentCommand[]): void {
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      sink.push({
        service,
        command: String(context.commandName ?? '').replace(/Command$/, ''),
        input: structuredClone(args.input as Record<string, any>),
      });
      return next(args);
    },
    { step: 'initialize', name: `record-${service}`, override: true },
  );
}

export interface ResourceNames {
  /** Table name → logical name (`credits`, `jobs`, `ledger`, `settlements`). */
  tables: Record<string, string>;
  /** Queue URL → logical name (`dlq`, `sweep_failures`). */
  queues: Record<string, string>;
  /** Topic ARN → logical name. */
  topics: Record<string, string>;
  /** Bus name → logical name. */
  buses: Record<string, string>;
}

function named(map: Record<string, string>, key: string | undefined, kind: string): string {
  const name = key === undefined ? undefined : map[key];
  if (name === undefined) throw new Error(`the recorder does not know the ${kind} "${key}"`);
  return name;
}

const ITEM_ACTIONS = {
  Update: 'dynamodb:UpdateItem',
  Put: 'dynamodb:PutItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Delete: 'dynamodb:DeleteItem',
} as const;

function dynamodbNeeds(sent: SentCommand, names: ResourceNames): Needed[] {
  const table = (name: string | undefined) => `table:${named(names.tables, name, 'table')}`;
  switch (sent.command) {
    case 'TransactWriteItems':
      return (sent.input.TransactItems as Record<string, any>[]).flatMap((item) =>
        Object.entries(ITEM_ACTIONS)
          .filter(([kind]) => item[kind] !== undefined)
          .map(([kind, action]) => ({ action, resource: table(item[kind].TableName) })),
      );
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(sent.input.RequestItems).map((name) => ({
        action: `dynamodb:${sent.command}`,
        resource: table(name),
      }));
    case 'Query':
    case 'Scan':
      return [
        {
          action: `dynamodb:${sent.command}`,
          resource: sent.input.IndexName
            ? `index:${named(names.tables, sent.input.TableName, 'table')}/${sent.input.IndexName}`
            : table(sent.input.TableName),
        },
      ];
    default:
      return [{ action: `dynamodb:${sent.command}`, resource: table(sent.input.TableName) }];
  }
}

/** The IAM actions one sent command needs, each on the resource it touches. */
export function iamNeeds(sent: SentCommand, names: ResourceNames): Needed[] {
  switch (sent.service) {
    case 'dynamodb':
      return dynamodbNeeds(sent, names);
    case 'sqs':
      return [
        { action: `sqs:${sent.command}`, resource: `queue:${named(names.queues, sent.input.QueueUrl, 'queue')}` },
      ];
    case 'sns':
      return [
        { action: `sns:${sent.command}`, resource: `topic:${named(names.topics, sent.input.TopicArn, 'topic')}` },
      ];
    case 'events':
      return (sent.input.Entries as { EventBusName?: string }[]).map((e) => ({
        action: `events:${sent.command}`,
        resource: `bus:${named(names.buses, e.EventBusName ?? 'default', 'bus')}`,
      }));
  }
}

export const key = (n: Needed) => `${n.action} on ${n.resource}`;

/**
 * Least privilege both ways: every action a handler's code needs is granted on exactly that
 * resource, and nothing is granted that neither the code nor the platform (declared) needs.
 */
export function compareGrants(
  needed: readonly Needed[],
  granted: readonly Needed[],
  platform: readonly Needed[] = [],
): string[] {
  const need = new Set([...needed, ...platform].map(key));
  const have = new Set(granted.map(key));
  return [
    ...[...need]
      .filter((k) => !have.has(k))
      .sort()
      .map((k) => `needs ${k}, not granted`),
    ...[...have]
      .filter((k) => !need.has(k))
      .sort()
      .map((k) => `granted ${k}, never used`),
  ];
}
