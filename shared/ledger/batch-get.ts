/**
 * Strongly consistent BatchGetItem over any number of keys of one table: 100 keys per request
 * (DynamoDB's limit), keys DynamoDB left unprocessed asked for again, a bounded number of times.
 */
import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const BATCH_GET_KEYS = 100;
const MAX_ATTEMPTS_PER_CHUNK = 8;

export type Key = Record<string, AttributeValue>;
export type Item = Record<string, AttributeValue>;

export interface BatchGetOptions {
  projection?: string;
  names?: Record<string, string>;
  /** Counts every request sent (the sweep and the bench read it). */
  onRequest?: () => void;
}

export async function batchGetItems(
  dynamodb: DynamoDBClient,
  table: string,
  keys: readonly Key[],
  options: BatchGetOptions = {},
): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending: Key[] = keys.slice(i, i + BATCH_GET_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS_PER_CHUNK)
        throw new Error(`BatchGetItem on ${table} left ${pending.length} keys unread after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      options.onRequest?.();
      const result = await dynamodb.send(
        new BatchGetItemCommand({
          RequestItems: {
            [table]: {
              Keys: pending,
              ConsistentRead: true,
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
              ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
            },
          },
        }),
      );
      items.push(...(result.Responses?.[table] ?? []));
      pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return items;
}
