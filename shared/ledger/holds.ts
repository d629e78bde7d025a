/**
 * Holds (two-phase), the reserve side: a producer asks, before it starts a render, "hold N credits for
 * job J of user U" and is answered at once, held or refused. The capture (video.rendered) and the
 * release (video.failed) are rows of the settlement state machine; expiry is the sweep's.
 *
 * A reserve is one conditional transaction on the reconciler's own tables:
 * - the job's Settlements item gains an ACTIVE hold, only if the job has neither a hold nor a
 *   settlement (idempotent by job id: the same request again finds its own hold and answers it);
 * - the user's Credits item moves the credits from `available` to `held`, only if `available` covers
 *   them, so two reserves racing for the last credits can never both win.
 * Both conditions return the old items when they fail, so a refusal, a conflict or a repeat is
 * answered without another read. An answer that holds reads the balance once more, because a
 * DynamoDB transaction returns no item values and `availableAfter` must be exact.
 *
 * | job now                          | reserve (job, user, credits)      | answer                                  |
 * | -------------------------------- | --------------------------------- | --------------------------------------- |
 * | no hold, no settlement           | available covers credits          | held → ACTIVE                           |
 * | no hold, no settlement           | available does not cover them     | refused: insufficient_credits (available) |
 * | ACTIVE, same user and credits    | (a repeat)                        | held, the same hold (alreadyHeld)       |
 * | any hold, another user or amount | -                                 | conflict: never a second hold           |
 * | CAPTURED, RELEASED or EXPIRED    | same user and credits             | refused: hold_ended (a hold never reappears) |
 * | settled (with or without hold)   | -                                 | refused: job_settled, with the outcome  |
 */
import {
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidRequestError, InvariantViolation } from '../errors';
import { ID_PATTERN } from '../events/ids';
import { MAX_PRICE_CREDITS } from '../pricing';
import { SETTLEMENTS_ACTIVE_HOLDS_INDEX, SWEEP_SHARD_COUNT } from '../tables';
import { balanceUpdate } from './balance';
import { DEFAULT_RETRY_POLICY, cancellationReasons, withRetries } from './retry';
import { holdFrom, jobRecordFrom } from './settlement-item';
import type { TableNames } from '../tables';
import type { HoldRecord, HoldState, LedgerDeps, Settlement } from './types';
import { currentTime } from '../time';

/** What holds need: the ledger's deps, of which only two tables (a reserve never touches Ledger or Jobs). */
export type HoldDeps = Omit<LedgerDeps, 'tables'> & { tables: Pick<TableNames, 'credits' | 'settlements'> };

/** How long holds live, per workspace: a default, and the longest a producer may not exceed. */
export interface HoldLimits {
  /** Expiry of a hold whose request names none (and the longest one may ask for). */
  defaultSeconds: number;
}
export const MIN_HOLD_SECONDS = 60;
export const DEFAULT_HOLD_SECONDS = 3_600;
/** The workspace's default may be set up to this (a day): a hold is a reservation, not a budget. */
export const MAX_HOLD_SECONDS = 86_400;

export interface ReserveRequest {
  jobId: string;
  userId: string;
  credits: number;
  /** Shorter than the workspace's default, if the producer wants (seconds). */
  expiresInSeconds?: number;
}

export type ReserveAnswer =
  | {
      status: 'held';
      holdId: string;
      jobId: string;
      userId: string;
      credits: number;
      expiresAt: string;
      availableAfter: number;
      alreadyHeld: boolean;
    }
  | {
      status: 'refused';
      reason: 'insufficient_credits';
      jobId: string;
      userId: string;
      requested: number;
      available: number;
    }
  | { status: 'refused'; reason: 'job_settled'; jobId: string; outcome: Settlement }
  | { status: 'refused'; reason: 'hold_ended'; jobId: string; holdState: HoldState }
  | { status: 'conflict'; reason: 'different_hold'; jobId: string; existing: { userId: string; credits: number } };

export const holdIdOf = (jobId: string) => `hold:${jobId}`;

const ID = new RegExp(ID_PATTERN);
const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

/** A stable shard for the holdsDue index (like the Jobs indexes: no hot GSI partition). */
export function holdShardOf(jobId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < jobId.length; i++) hash = Math.imul(hash ^ jobId.charCodeAt(i), 16777619) >>> 0;
  return String(hash % SWEEP_SHARD_COUNT);
}

/** Refuses what can never be a hold, with the reason; returns the hold's lifetime in seconds. */
export function validateReserve(request: ReserveRequest, limits: HoldLimits): number {
  const problems: string[] = [];
  if (typeof request.jobId !== 'string' || !ID.test(request.jobId))
    problems.push('jobId must be 1-128 of A-Z a-z 0-9 _ . : @ / -');
  if (typeof request.userId !== 'string' || !ID.test(request.userId))
    problems.push('userId must be 1-128 of A-Z a-z 0-9 _ . : @ / -');
  if (!Number.isSafeInteger(request.credits) || request.credits < 1 || request.credits > MAX_PRICE_CREDITS) {
    problems.push(`credits must be an integer from 1 to ${MAX_PRICE_CREDITS} (a free job needs no hold)`);
  }
  const seconds = request.expiresInSeconds ?? limits.defaultSeconds;
  if (!Number.isSafeInteger(seconds) || seconds < MIN_HOLD_SECONDS || seconds > limits.defaultSeconds) {
    problems.push(
      `expiresInSeconds must be an integer from ${MIN_HOLD_SECONDS} to ${limits.defaultSeconds} (this workspace's longest hold)`,
    );
  }
  if (problems.length > 0) throw new InvalidRequestError(`invalid reserve request: ${problems.join('; ')}`);
  return seconds;
}

function holdItem(
  deps: HoldDeps,
  request: ReserveRequest,
  nowIso: string,
  expiresAt: string,
): NonNullable<TransactWriteItem['Update']> {
  return {
    TableName: deps.tables.settlements,
    Key: { jobId: s(request.jobId) },
    UpdateExpression:
      'SET holdState = :active, holdCredits = :credits, holdUserId = :user, holdExpiresAt = :expires, heldAt = :now, holdShard = :shard, activeHoldUser = :user',
    ConditionExpression: 'attribute_not_exists(holdState) AND attribute_not_exists(settlement)',
    ExpressionAttributeValues: {
      ':active': s('ACTIVE'),
      ':credits': n(request.credits),
      ':user': s(request.userId),
      ':expires': s(expiresAt),
      ':now': s(nowIso),
      ':shard': s(holdShardOf(request.jobId)),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Reserves, or answers why not. A refusal for want of credits first ends the user's holds that are
 * past their expiry (the sweep would, later) and tries once more: an expired hold never blocks a
 * reserve, and the common path pays nothing for it.
 */
export async function reserveHold(deps: HoldDeps, request: ReserveRequest, limits: HoldLimits): Promise<ReserveAnswer> {
  const answer = await reserveOnce(deps, request, limits);
  if (answer.status !== 'refused' || answer.reason !== 'insufficient_credits') return answer;
  return (await expireDueHoldsOf(deps, request.userId)) > 0 ? reserveOnce(deps, request, limits) : answer;
}

/** Ends the user's ACTIVE holds past their expiry; returns how many this call ended. */
export async function expireDueHoldsOf(deps: HoldDeps, userId: string): Promise<number> {
  const nowIso = currentTime(deps).toISOString();
  const { holds } = await activeHoldsOf(deps, userId, nowIso);
  let ended = 0;
  for (const hold of holds) {
    const result = await endHold(deps, hold.jobId, 'EXPIRED', {
      state: 'ACTIVE',
      credits: hold.credits,
      userId,
      expiresAt: hold.expiresAt,
      heldAt: hold.heldAt,
    });
    if (result.status === 'ended') ended++;
  }
  return ended;
}

async function reserveOnce(deps: HoldDeps, request: ReserveRequest, limits: HoldLimits): Promise<ReserveAnswer> {
  const seconds = validateReserve(request, limits);
  const now = currentTime(deps);
  const nowIso = now.toISOString();
  const expiresAt = new Date(now.getTime() + seconds * 1000).toISOString();
  const input = {
    TransactItems: [
      { Update: holdItem(deps, request, nowIso, expiresAt) },
      {
        Update: balanceUpdate(
          deps.tables.credits,
          request.userId,
          { remaining: 0, held: request.credits },
          { kind: 'covered', need: request.credits },
          nowIso,
          true,
        ),
      },
    ],
  };
  try {
    await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `reserve job ${request.jobId}`, () =>
      deps.dynamodb.send(new TransactWriteItemsCommand(input)),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons === undefined) throw error;
    return refusedOrRepeated(deps, request, reasons);
  }
  return {
    status: 'held',
    holdId: holdIdOf(request.jobId),
    jobId: request.jobId,
    userId: request.userId,
    credits: request.credits,
    expiresAt,
    availableAfter: await availableOf(deps, request.userId),
    alreadyHeld: false,
  };
}

/** A reserve whose conditions failed: the job's record, or the balance, says why. */
async function refusedOrRepeated(
  deps: HoldDeps,
  request: ReserveRequest,
  reasons: NonNullable<ReturnType<typeof cancellationReasons>>,
): Promise<ReserveAnswer> {
  const [onJob, onBalance] = reasons;
  if (onJob?.Code === 'ConditionalCheckFailed') {
    const record = jobRecordFrom(onJob.Item ? unmarshall(onJob.Item as never) : undefined);
    if (record?.settled)
      return { status: 'refused', reason: 'job_settled', jobId: request.jobId, outcome: record.settled.settlement };
    const hold = record?.hold;
    if (!hold)
      throw new InvariantViolation(
        `reserve of job ${request.jobId}: the hold condition failed but the job has no record`,
      );
    if (hold.userId !== request.userId || hold.credits !== request.credits) {
      return {
        status: 'conflict',
        reason: 'different_hold',
        jobId: request.jobId,
        existing: { userId: hold.userId, credits: hold.credits },
      };
    }
    const nowIso = currentTime(deps).toISOString();
    if (hold.state !== 'ACTIVE' || hold.expiresAt <= nowIso)
      return {
        status: 'refused',
        reason: 'hold_ended',
        jobId: request.jobId,
        holdState: hold.state === 'ACTIVE' ? 'EXPIRED' : hold.state,
      };
    return {
      status: 'held',
      holdId: holdIdOf(request.jobId),
      jobId: request.jobId,
      userId: hold.userId,
      credits: hold.credits,
      expiresAt: hold.expiresAt,
      availableAfter: await availableOf(deps, request.userId),
      alreadyHeld: true,
    };
  }
  if (onBalance?.Code === 'ConditionalCheckFailed') {
    const balance = onBalance.Item ? unmarshall(onBalance.Item as never) : {};
    return {
      status: 'refused',
      reason: 'insufficient_credits',
      jobId: request.jobId,
      userId: request.userId,
      requested: request.credits,
      available: Number(balance.available ?? balance.remaining ?? 0),
    };
  }
  throw new InvariantViolation(
    `reserve of job ${request.jobId}: cancelled without a failed condition (${reasons.map((r) => r.Code).join(', ')})`,
  );
}

/** The user's `available` as stored (strongly consistent). */
async function availableOf(deps: HoldDeps, userId: string): Promise<number> {
  const { Item } = await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `read balance of ${userId}`, () =>
    deps.dynamodb.send(
      new GetItemCommand({
        TableName: deps.tables.credits,
        Key: { userId: s(userId) },
        ConsistentRead: true,
        ProjectionExpression: 'remaining, available',
      }),
    ),
  ).then((r) => r.value);
  return Number(Item?.available?.N ?? Item?.remaining?.N ?? 0);
}

export type EndResult =
  | { status: 'ended'; state: 'RELEASED' | 'EXPIRED'; credits: number }
  | { status: 'not_active'; hold?: HoldRecord; settled: boolean };

/**
 * Ends an ACTIVE hold without settling its job: an operator's release, or the sweep's expiry (only
 * once expired). Its credits return to `available` in the same transaction. A hold that is not
 * ACTIVE (any more) is left as it is: ending is idempotent, and a released hold never reappears.
 */
export async function endHold(
  deps: HoldDeps,
  jobId: string,
  to: 'RELEASED' | 'EXPIRED',
  known?: HoldRecord,
): Promise<EndResult> {
  // The sweep knows the hold from its index (an ACTIVE one); anyone else reads it first.
  const record = known ? { hold: known } : jobRecordFrom(await readItem(deps, jobId));
  const hold = record?.hold;
  if (!hold || hold.state !== 'ACTIVE' || record?.settled)
    return { status: 'not_active', ...(hold ? { hold } : {}), settled: record?.settled !== undefined };
  const nowIso = currentTime(deps).toISOString();
  if (to === 'EXPIRED' && hold.expiresAt > nowIso) return { status: 'not_active', hold, settled: false };
  try {
    await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `end hold of job ${jobId}`, () =>
      deps.dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: deps.tables.settlements,
                Key: { jobId: s(jobId) },
                UpdateExpression: 'SET holdState = :to, holdEndedAt = :now REMOVE holdShard, activeHoldUser',
                ConditionExpression: `holdState = :active AND holdCredits = :credits AND holdUserId = :user AND attribute_not_exists(settlement)${to === 'EXPIRED' ? ' AND holdExpiresAt <= :now' : ''}`,
                ExpressionAttributeValues: {
                  ':to': s(to),
                  ':now': s(nowIso),
                  ':active': s('ACTIVE'),
                  ':credits': n(hold.credits),
                  ':user': s(hold.userId),
                },
              },
            },
            {
              Update: balanceUpdate(
                deps.tables.credits,
                hold.userId,
                { remaining: 0, held: -hold.credits },
                { kind: 'none' },
                nowIso,
              ),
            },
          ],
        }),
      ),
    );
  } catch (error) {
    // Captured, released or expired meanwhile by another writer: what it is now is the answer.
    if (cancellationReasons(error)?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
    const now = jobRecordFrom(await readItem(deps, jobId));
    return { status: 'not_active', ...(now?.hold ? { hold: now.hold } : {}), settled: now?.settled !== undefined };
  }
  return { status: 'ended', state: to, credits: hold.credits };
}

async function readItem(deps: HoldDeps, jobId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `read settlement of job ${jobId}`, () =>
    deps.dynamodb.send(
      new GetItemCommand({
        TableName: deps.tables.settlements,
        Key: { jobId: s(jobId) },
        ConsistentRead: true,
      }),
    ),
  ).then((r) => r.value);
  return Item ? unmarshall(Item) : undefined;
}

/** At most this many of a user's active holds are listed (a user with more is reported as such). */
export const MAX_LISTED_HOLDS = 1_000;

export interface ActiveHold {
  jobId: string;
  credits: number;
  expiresAt: string;
  heldAt: string;
  /** Past its expiry, not yet expired by the sweep: it counts as held no more. */
  expired: boolean;
}

/**
 * A user's ACTIVE holds from the activeHolds index (eventually consistent), soonest expiry first;
 * with `expiredBy`, only those whose expiry is at or before it.
 */
export async function activeHoldsOf(
  deps: HoldDeps,
  userId: string,
  expiredBy?: string,
): Promise<{ holds: ActiveHold[]; truncated: boolean }> {
  const nowIso = currentTime(deps).toISOString();
  const holds: ActiveHold[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await deps.dynamodb.send(
      new QueryCommand({
        TableName: deps.tables.settlements,
        IndexName: SETTLEMENTS_ACTIVE_HOLDS_INDEX,
        KeyConditionExpression:
          expiredBy === undefined ? 'activeHoldUser = :u' : 'activeHoldUser = :u AND holdExpiresAt <= :by',
        ExpressionAttributeValues: { ':u': s(userId), ...(expiredBy === undefined ? {} : { ':by': s(expiredBy) }) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const hold = holdFrom({ ...unmarshall(item), holdUserId: userId });
      if (!hold || hold.state !== 'ACTIVE') continue;
      holds.push({
        jobId: String(item.jobId?.S),
        credits: hold.credits,
        expiresAt: hold.expiresAt,
        heldAt: hold.heldAt,
        expired: hold.expiresAt <= nowIso,
      });
      if (holds.length >= MAX_LISTED_HOLDS) return { holds, truncated: true };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { holds, truncated: false };
}
