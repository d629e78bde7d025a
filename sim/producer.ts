/**
 * A video pipeline writing the Jobs table by the producer contract (docs/contract/producer.md): PutItem on creation
 * (never over an existing job) with a `sweepShard`, UpdateItem when the job becomes terminal.
 */
import { UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { putItemsInBatches } from '../local/tables';
import { SWEEP_SHARD_COUNT } from '../shared/tables';
import type { SimJob } from './simulation';

function shardOf(jobId: string): string {
  let hash = 0;
  for (const char of jobId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return String(hash % SWEEP_SHARD_COUNT);
}

/** The status the pipeline has written by the end of the day (a refund-lost job is marked failed only later). */
export function terminalStatus(job: SimJob): 'rendered' | 'failed' | 'rendering' {
  if (job.refundLost) return 'rendered';
  return job.fate === 'stuck' ? 'rendering' : job.fate === 'rendered' ? 'rendered' : 'failed';
}

/** What a producer that forges reconciler-looking attributes writes (the reconciler never reads them). */
function forgedAttributes(job: SimJob): Record<string, AttributeValue> {
  if (job.forged === 'mint')
    return {
      settlement: { S: 'DEBITED' },
      charged: { N: '1000000' },
      refunded: { N: '0' },
      settledUserId: { S: job.userId },
    };
  if (job.forged === 'waive')
    return {
      settlement: { S: 'NO_CHARGE' },
      charged: { N: '0' },
      refunded: { N: '0' },
      settledUserId: { S: job.userId },
      failedEventId: { S: 'forged' },
    };
  return {};
}

/**
 * Writes every job as the pipeline would have by the end of the day. `updatedAt` is spread over
 * the past day (stuck jobs: older than the stuck limit), so the sweep's grace period has passed.
 * BatchWriteItem stands in for many creation PutItems (only brand-new jobs are written here).
 */
export async function writeJobs(
  db: DynamoDBClient,
  jobsTable: string,
  jobs: SimJob[],
  now = new Date(),
): Promise<void> {
  const dayMs = 24 * 3600_000;
  const items = jobs.map((job, i) => {
    const status = terminalStatus(job);
    const updatedAt = new Date(
      now.getTime() - (status === 'rendering' ? 2 * dayMs : dayMs - (i / jobs.length) * (dayMs - 3600_000)),
    ).toISOString();
    return {
      jobId: { S: job.jobId },
      userId: { S: job.userId },
      model: { S: job.model },
      seconds: { N: String(job.seconds) },
      status: { S: status },
      createdAt: { S: updatedAt },
      updatedAt: { S: updatedAt },
      sweepShard: { S: shardOf(job.jobId) },
      ...(job.quote === undefined ? {} : { credits: { N: String(job.quote) } }),
      ...forgedAttributes(job),
    };
  });
  await putItemsInBatches(db, jobsTable, items, { concurrency: 8, maxAttempts: 11 });
}

/** A producer's terminal update (used by the smoke test and the tests of the contract). */
export async function markTerminal(
  db: DynamoDBClient,
  jobsTable: string,
  jobId: string,
  status: 'rendered' | 'failed',
  at = new Date(),
): Promise<void> {
  await db.send(
    new UpdateItemCommand({
      TableName: jobsTable,
      Key: { jobId: { S: jobId } },
      UpdateExpression: 'SET #s = :s, updatedAt = :u',
      ConditionExpression: 'attribute_exists(jobId)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: status }, ':u': { S: at.toISOString() } },
    }),
  );
}
