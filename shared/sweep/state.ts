/**
 * The sweep's memory between runs, one item in the Jobs table under a key no producer can use
 * (`#` is outside the job id alphabet). It carries no sweepShard, so it never appears on the
 * unsettled index. A lease on the same item keeps two sweeps (schedule + an operator) from
 * working at once; a lease outlives a crashed run by its time budget only.
 */
import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SWEEP_SHARD_COUNT } from '../tables';
import { assertInvariant } from '../errors';
import type { IndexKey } from './job-record';

export const SWEEP_STATE_JOB_ID = '#reconciler/sweep-state';

/** Where an unfinished pass over the shards stopped: resume at `shard`, after `startKey` when given. */
export interface SweepPosition {
  shard: number;
  startKey?: IndexKey;
}

export interface SweepState {
  /** Present while a pass over the unsettled index is unfinished. */
  position?: SweepPosition;
  /** Every ledger entry with timestamp < this has had its user audited. */
  auditedThrough?: string;
  lastRunAt?: string;
  lastRunId?: string;
}

const KEY = { jobId: { S: SWEEP_STATE_JOB_ID } };

function positionFrom(raw: string | undefined): SweepPosition | undefined {
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as SweepPosition;
  // A position from an older shard count or a damaged item restarts the pass: re-reading is safe.
  if (!Number.isSafeInteger(parsed.shard) || parsed.shard < 0 || parsed.shard >= SWEEP_SHARD_COUNT) return undefined;
  return parsed;
}

export async function loadSweepState(dynamodb: DynamoDBClient, jobsTable: string): Promise<SweepState> {
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: jobsTable, Key: KEY, ConsistentRead: true }));
  if (!Item) return {};
  return {
    position: positionFrom(Item.position?.S),
    auditedThrough: Item.auditedThrough?.S,
    lastRunAt: Item.lastRunAt?.S,
    lastRunId: Item.lastRunId?.S,
  };
}

/** Takes the lease, or returns false when another run holds an unexpired one. */
export async function acquireSweepLease(dynamodb: DynamoDBClient, jobsTable: string, runId: string, now: Date, leaseMs: number): Promise<boolean> {
  assertInvariant(Number.isSafeInteger(leaseMs) && leaseMs > 0, `lease must be a positive number of ms, got ${leaseMs}`);
  try {
    await dynamodb.send(new UpdateItemCommand({
      TableName: jobsTable,
      Key: KEY,
      UpdateExpression: 'SET leaseOwner = :run, leaseUntil = :until',
      ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
      ExpressionAttributeValues: {
        ':run': { S: runId }, ':until': { S: new Date(now.getTime() + leaseMs).toISOString() }, ':now': { S: now.toISOString() },
      },
    }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Saves the state and releases the lease, only if this run still holds it. */
export async function saveSweepState(dynamodb: DynamoDBClient, jobsTable: string, runId: string, state: SweepState, now: Date): Promise<boolean> {
  const values: Record<string, AttributeValue> = { ':run': { S: runId }, ':now': { S: now.toISOString() } };
  const sets = ['lastRunAt = :now', 'lastRunId = :run'];
  const removes = ['leaseOwner', 'leaseUntil'];
  if (state.position) { sets.push('#position = :position'); values[':position'] = { S: JSON.stringify(state.position) }; } else removes.push('#position');
  if (state.auditedThrough) { sets.push('auditedThrough = :audited'); values[':audited'] = { S: state.auditedThrough }; }
  try {
    await dynamodb.send(new UpdateItemCommand({
      TableName: jobsTable,
      Key: KEY,
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
      ConditionExpression: 'leaseOwner = :run',
      ExpressionAttributeNames: { '#position': 'position' },
      ExpressionAttributeValues: values,
    }));
    return true;
  } catch (error) {
    // Our lease expired and another run took over: its state wins; ours is dropped (re-reading is safe).
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
