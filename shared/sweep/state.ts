/**
 * The sweep's memory between runs: one item in the reconciler's own Settlements table (which only
 * the reconciler's roles can write, so no producer can stop the sweep or blind its audit), under a
 * key no job can have (`#` is outside the job id alphabet). A lease on the same item keeps two
 * sweeps (schedule + an operator) from working at once; a lease outlives a crashed run by its time
 * budget only. Whatever is unreadable in the item restarts the pass it belongs to: re-reading is
 * always safe, and a watermark is never trusted beyond "now" (the run checks that).
 */
import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SWEEP_SHARD_COUNT } from '../tables';
import { assertInvariant } from '../errors';
import type { IndexKey } from './job-record';

export const SWEEP_STATE_JOB_ID = '#reconciler/sweep-state';

/** Where an unfinished pass over the shards stopped: resume at `shard`, after `startKey` when given. */
export interface ShardPosition {
  shard: number;
  startKey?: IndexKey;
}
/** The straggler pass's position (the name the rest of the project knows). */
export type SweepPosition = ShardPosition;

/** An unfinished refund-backstop pass: the window it reads and where it stopped. */
export interface BackstopWindow {
  from: string;
  through: string;
  position: ShardPosition;
}

export interface SweepState {
  /** Present while a pass over the unsettled index is unfinished. */
  position?: ShardPosition;
  /** Every ledger entry with timestamp < this has had its user audited. */
  auditedThrough?: string;
  /** Every debited job whose producer updatedAt < this has been checked for a lost refund. */
  refundsCheckedThrough?: string;
  /** Present while a refund-backstop pass is unfinished. */
  backstop?: BackstopWindow;
  lastRunAt?: string;
  lastRunId?: string;
}

const KEY = { jobId: { S: SWEEP_STATE_JOB_ID } };
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function parsed(raw: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function positionFrom(value: unknown): ShardPosition | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { shard, startKey } = value as { shard?: unknown; startKey?: unknown };
  // A position from an older shard count or a damaged item restarts the pass: re-reading is safe.
  if (typeof shard !== 'number' || !Number.isSafeInteger(shard) || shard < 0 || shard >= SWEEP_SHARD_COUNT)
    return undefined;
  if (startKey !== undefined && (typeof startKey !== 'object' || startKey === null)) return undefined;
  return startKey === undefined ? { shard } : { shard, startKey: startKey as IndexKey };
}

const isoOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' && ISO_UTC.test(value) ? value : undefined;

function backstopFrom(value: unknown): BackstopWindow | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { from, through, position } = value as Record<string, unknown>;
  const window = { from: isoOrUndefined(from), through: isoOrUndefined(through), position: positionFrom(position) };
  if (!window.from || !window.through || !window.position || window.from > window.through) return undefined;
  return window as BackstopWindow;
}

export async function loadSweepState(dynamodb: DynamoDBClient, settlementsTable: string): Promise<SweepState> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: settlementsTable, Key: KEY, ConsistentRead: true }),
  );
  if (!Item) return {};
  const state: SweepState = {
    position: positionFrom(parsed(Item.position?.S)),
    auditedThrough: isoOrUndefined(Item.auditedThrough?.S),
    refundsCheckedThrough: isoOrUndefined(Item.refundsCheckedThrough?.S),
    backstop: backstopFrom(parsed(Item.backstop?.S)),
    lastRunAt: Item.lastRunAt?.S,
    lastRunId: Item.lastRunId?.S,
  };
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as SweepState;
}

/** Takes the lease, or returns false when another run holds an unexpired one. */
export async function acquireSweepLease(
  dynamodb: DynamoDBClient,
  settlementsTable: string,
  runId: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  assertInvariant(
    Number.isSafeInteger(leaseMs) && leaseMs > 0,
    `lease must be a positive number of ms, got ${leaseMs}`,
  );
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: settlementsTable,
        Key: KEY,
        UpdateExpression: 'SET leaseOwner = :run, leaseUntil = :until',
        ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
        ExpressionAttributeValues: {
          ':run': { S: runId },
          ':until': { S: new Date(now.getTime() + leaseMs).toISOString() },
          ':now': { S: now.toISOString() },
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Saves the state and releases the lease, only if this run still holds it. */
export async function saveSweepState(
  dynamodb: DynamoDBClient,
  settlementsTable: string,
  runId: string,
  state: SweepState,
  now: Date,
): Promise<boolean> {
  const values: Record<string, AttributeValue> = { ':run': { S: runId }, ':now': { S: now.toISOString() } };
  const sets = ['lastRunAt = :now', 'lastRunId = :run'];
  const removes = ['leaseOwner', 'leaseUntil'];
  /** `attribute` as written in the expression (`#position`: a reserved word), `name` for its value. */
  const put = (attribute: string, name: string, value: string | undefined) => {
    if (value === undefined) {
      removes.push(attribute);
      return;
    }
    sets.push(`${attribute} = :${name}`);
    values[`:${name}`] = { S: value };
  };
  put('#position', 'position', state.position ? JSON.stringify(state.position) : undefined);
  put('backstop', 'backstop', state.backstop ? JSON.stringify(state.backstop) : undefined);
  // Watermarks are never removed by a save: a run that did not move one leaves it where it was.
  if (state.auditedThrough) put('auditedThrough', 'audited', state.auditedThrough);
  if (state.refundsCheckedThrough) put('refundsCheckedThrough', 'refunds', state.refundsCheckedThrough);
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: settlementsTable,
        Key: KEY,
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression: 'leaseOwner = :run',
        ExpressionAttributeNames: { '#position': 'position' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    // Our lease expired and another run took over: its state wins; ours is dropped (re-reading is safe).
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
