/**
 * The sweep's bookkeeping on the producers' Jobs table, and its one read of the reconciler's own
 * Settlements table per page. The sweep is the only part of the reconciler that writes Jobs, and
 * only these two index keys, never a fact a producer owns:
 * - `sweepShard` (set by the producer) comes off once the job is settled, so the `unsettled` index
 *   holds unsettled and recently settled jobs only;
 * - `debitedShard` goes on when a debited job leaves `unsettled`, so the `debited` index can find it
 *   again if its producer status later becomes `failed` (the refund backstop), and comes off once
 *   the job is refunded.
 * Every write is conditional on the job existing, so the sweep never creates a Jobs item.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { batchGetItems } from '../ledger/batch-get';
import { settledJobFrom } from '../ledger/settlement-item';
import type { SettledJob } from '../ledger/types';
import { SWEEP_SHARD_COUNT } from '../tables';
import { counted } from './balance-audit';
import type { SweepRun } from './run-state';

/** A stable shard for the debited index: the same job always lands on the same one. */
export function debitedShardOf(jobId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < jobId.length; i++) hash = Math.imul(hash ^ jobId.charCodeAt(i), 16777619) >>> 0;
  return String(hash % SWEEP_SHARD_COUNT);
}

/** The settlement of each of these jobs that has one (strongly consistent). */
export async function settlementsOf(run: SweepRun, jobIds: readonly string[]): Promise<Map<string, SettledJob>> {
  const unique = [...new Set(jobIds)];
  const items = await batchGetItems(
    run.ledger.dynamodb,
    run.ledger.tables.settlements,
    unique.map((jobId) => ({ jobId: { S: jobId } })),
    {
      onRequest: () => {
        run.counter.requests++;
      },
    },
  );
  const settled = new Map<string, SettledJob>();
  for (const item of items) {
    const job = settledJobFrom(unmarshall(item));
    if (job && item.jobId?.S) settled.set(item.jobId.S, job);
  }
  return settled;
}

async function updateIndexKeys(
  run: SweepRun,
  jobId: string,
  expression: string,
  condition: string,
  values?: Record<string, { S: string }>,
): Promise<void> {
  try {
    await counted(run.counter, () =>
      run.ledger.dynamodb.send(
        new UpdateItemCommand({
          TableName: run.ledger.tables.jobs,
          Key: { jobId: { S: jobId } },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(jobId) AND ${condition}`,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  } catch (error) {
    // Already done (by an earlier run, or the job is gone): nothing to do.
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/** What the index bookkeeping needs to know of a settlement. */
export type IndexedSettlement = Pick<SettledJob, 'settlement' | 'charged'>;

/** Takes a settled job off `unsettled`; a debit that can still be refunded goes on `debited`. */
export async function takeOffUnsettled(run: SweepRun, jobId: string, settled: IndexedSettlement): Promise<void> {
  if (settled.settlement === 'DEBITED' && settled.charged > 0) {
    await updateIndexKeys(run, jobId, 'SET debitedShard = :shard REMOVE sweepShard', 'attribute_exists(sweepShard)', {
      ':shard': { S: debitedShardOf(jobId) },
    });
  } else {
    await updateIndexKeys(run, jobId, 'REMOVE sweepShard', 'attribute_exists(sweepShard)');
  }
}

/** Takes a job off `debited` once nothing more can be refunded. */
export async function takeOffDebited(run: SweepRun, jobId: string): Promise<void> {
  await updateIndexKeys(run, jobId, 'REMOVE debitedShard', 'attribute_exists(debitedShard)');
}
