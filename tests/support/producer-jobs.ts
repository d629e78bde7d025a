/** Producer-side helpers for the sweep tests: write Jobs items exactly as the producer contract says. */
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { grantCredits } from '../../shared/ledger/manual-entries';
import type { LedgerDeps } from '../../shared/ledger/types';
import { JOBS_UNSETTLED_INDEX, SWEEP_SHARD_COUNT, type TableNames } from '../../shared/tables';
import { getBalance } from '../../shared/ledger/queries';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export interface ProducerJob {
  jobId: string;
  userId?: string;
  model?: string;
  seconds?: number;
  status?: string;
  updatedAt: string;
  credits?: number;
  shard?: string;
  reason?: string;
}

function shardOf(jobId: string): string {
  let h = 0;
  for (const c of jobId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return String(h % SWEEP_SHARD_COUNT);
}

/** Creation (PutItem, attribute_not_exists) with the terminal status already set when asked: the sweep only reads the result. */
export async function putJob(db: DynamoDBClient, tables: TableNames, job: ProducerJob): Promise<void> {
  const item: Record<string, AttributeValue> = {
    jobId: { S: job.jobId },
    createdAt: { S: job.updatedAt },
    updatedAt: { S: job.updatedAt },
    sweepShard: { S: job.shard ?? shardOf(job.jobId) },
  };
  if (job.userId !== undefined) item.userId = { S: job.userId };
  if (job.model !== undefined) item.model = { S: job.model };
  if (job.seconds !== undefined) item.seconds = { N: String(job.seconds) };
  if (job.status !== undefined) item.status = { S: job.status };
  if (job.credits !== undefined) item.credits = { N: String(job.credits) };
  if (job.reason !== undefined) item.reason = { S: job.reason };
  await db.send(
    new PutItemCommand({ TableName: tables.jobs, Item: item, ConditionExpression: 'attribute_not_exists(jobId)' }),
  );
}

/** The producer's terminal transition: UpdateItem, never a PutItem over the job. */
export async function markTerminal(
  db: DynamoDBClient,
  tables: TableNames,
  jobId: string,
  status: 'rendered' | 'failed',
  updatedAt: string,
): Promise<void> {
  await db.send(
    new UpdateItemCommand({
      TableName: tables.jobs,
      Key: { jobId: { S: jobId } },
      UpdateExpression: 'SET #s = :s, updatedAt = :u',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: status }, ':u': { S: updatedAt } },
    }),
  );
}

export async function getJob(
  db: DynamoDBClient,
  tables: TableNames,
  jobId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(
    new GetItemCommand({ TableName: tables.jobs, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
  );
  return Item ? unmarshall(Item) : undefined;
}

/** The reconciler's own record of a job (Settlements), as the sweep and the handlers wrote it. */
export async function getSettlement(
  db: DynamoDBClient,
  tables: TableNames,
  jobId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(
    new GetItemCommand({ TableName: tables.settlements, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
  );
  return Item ? unmarshall(Item) : undefined;
}

export async function ledgerEntry(
  db: DynamoDBClient,
  tables: TableNames,
  ledgerId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(
    new GetItemCommand({ TableName: tables.ledger, Key: { ledgerId: { S: ledgerId } }, ConsistentRead: true }),
  );
  return Item ? unmarshall(Item) : undefined;
}

export async function indexSize(db: DynamoDBClient, tables: TableNames): Promise<number> {
  let total = 0;
  for (let shard = 0; shard < SWEEP_SHARD_COUNT; shard++) {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: tables.jobs,
          IndexName: JOBS_UNSETTLED_INDEX,
          KeyConditionExpression: 'sweepShard = :s',
          ExpressionAttributeValues: { ':s': { S: String(shard) } },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return total;
}

export async function grant(ledger: LedgerDeps, userId: string, credits: number): Promise<void> {
  await grantCredits(ledger, { userId, credits, reference: `open-${userId}`, description: 'opening balance' });
}

export async function balance(ledger: LedgerDeps, userId: string): Promise<number> {
  return (await getBalance(ledger, userId)).remaining;
}

/** Test limits: no index lag and no re-check delay on DynamoDB Local (its GSIs are immediate). */
export const TEST_LIMITS = { indexLagSeconds: 0, driftRecheckDelayMs: 0 } as const;
