/** Clients and tables on the DynamoDB Local and fauxqs started by tests/setup/global-setup.mjs. */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient, makeSqsClient } from '../../shared/aws/clients';
import { createTables, deleteTables } from '../../local/tables';
import { tableNamesForWorkspace, type TableNames } from '../../shared/tables';
import { grantCredits } from '../../shared/ledger/manual-entries';

export function dynamoEndpoint(): string {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run tests through jest (global setup starts DynamoDB Local)');
  return endpoint;
}

export function sqsEndpoint(): string {
  const endpoint = process.env.TEST_SQS_ENDPOINT;
  if (!endpoint) throw new Error('TEST_SQS_ENDPOINT is not set: run tests through jest (global setup starts fauxqs)');
  return endpoint;
}

export const localDynamo = (): DynamoDBClient =>
  makeDynamoDbClient({ endpoint: dynamoEndpoint(), region: 'us-east-1' });
export const localSqs = (): SQSClient => makeSqsClient({ endpoint: sqsEndpoint(), region: 'us-east-1' });

/** Fresh, uniquely named tables so that test files never see each other's data. */
export async function freshTables(client: DynamoDBClient, label = 't'): Promise<TableNames> {
  const suffix = `${label}-${randomUUID().slice(0, 8)}`;
  const names = tableNamesForWorkspace(suffix);
  await createTables(client, names);
  return names;
}

/**
 * The usual start of a money test: fresh tables and each user's opening balance, granted through the
 * ledger like any top-up (so the audit sees a justified entry, reference `opening-<user>`).
 */
export async function freshTablesWithBalances(
  client: DynamoDBClient,
  label: string,
  openingBalances: Record<string, number>,
): Promise<TableNames> {
  const tables = await freshTables(client, label);
  for (const [userId, credits] of Object.entries(openingBalances)) {
    await grantCredits(
      { dynamodb: client, tables },
      { userId, credits, reference: `opening-${userId}`, description: 'opening balance' },
    );
  }
  return tables;
}

export async function dropTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await deleteTables(client, names);
}

export async function freshQueue(client: SQSClient, label = 'dlq'): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: `${label}-${randomUUID().slice(0, 8)}` }));
  if (!QueueUrl) throw new Error('fauxqs returned no queue URL');
  return QueueUrl;
}
