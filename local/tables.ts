/** Local table helpers: create/delete the three tables from TABLE_DEFINITIONS, bulk-load items. */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { forEachBounded } from '../shared/pool';
import { TABLE_DEFINITIONS, type TableNames } from '../shared/tables';

export type CreateResult = Record<keyof TableNames, 'created' | 'exists'>;

export async function createTables(client: DynamoDBClient, names: TableNames): Promise<CreateResult> {
  const result = {} as CreateResult;
  for (const key of Object.keys(names) as (keyof TableNames)[]) {
    try {
      await client.send(new CreateTableCommand({ TableName: names[key], ...TABLE_DEFINITIONS[key] }));
      result[key] = 'created';
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
      result[key] = 'exists';
    }
  }
  return result;
}

export async function deleteTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const name of Object.values(names)) {
    try {
      await client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
}

const BATCH_WRITE_ITEMS = 25; // DynamoDB's BatchWriteItem limit

/**
 * Bulk-loads brand-new items (demo data, bench history) with BatchWriteItem, 25 at a time with
 * bounded concurrency, retrying unprocessed items with a growing pause up to `maxAttempts` sends.
 */
export async function putItemsInBatches(
  client: DynamoDBClient,
  table: string,
  items: Record<string, AttributeValue>[],
  options: { concurrency: number; maxAttempts: number },
): Promise<void> {
  const chunks: Record<string, AttributeValue>[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_ITEMS) chunks.push(items.slice(i, i + BATCH_WRITE_ITEMS));
  await forEachBounded(chunks, options.concurrency, async (chunk) => {
    let requests: WriteRequest[] = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= options.maxAttempts)
        throw new Error(
          `BatchWriteItem left ${requests.length} items unprocessed after ${options.maxAttempts} attempts`,
        );
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: requests } }),
      );
      requests = UnprocessedItems?.[table] ?? [];
      if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  });
}
