/**
 * The sweep keeps up: it ran within its interval (its saved state in the reconciler's Settlements
 * table records each run), and no hold is still ACTIVE an interval after its expiry (the sweep
 * ends expired holds; one left longer means it is not reaching them).
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { loadSweepState } from '../../shared/sweep/state';
import { SETTLEMENTS_HOLDS_DUE_INDEX, SWEEP_SHARD_COUNT } from '../../shared/tables';
import { fail, formatDuration, guarded, pass, type CheckResult, type DoctorDeps } from './types';
import { currentTime } from '../../shared/time';

/** A run may start late and take up to its timeout (5 min): allow this much beyond the interval. */
export const SWEEP_SLACK_MS = 30 * 60_000;

export async function sweepChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  return [...(await freshness(deps)), ...(await holdExpiry(deps))];
}

async function freshness(deps: DoctorDeps): Promise<CheckResult[]> {
  const name = 'sweep freshness';
  return guarded(name, async () => {
    const now = currentTime(deps);
    const state = await loadSweepState(deps.dynamodb, deps.names.tables.settlements);
    const limit = `interval ${formatDuration(deps.sweepIntervalMs)} + ${formatDuration(SWEEP_SLACK_MS)}`;
    const fix = `check rule ${deps.names.rules.sweep_schedule.name} and the sweep's logs; npx reconciler sweep --workspace ${deps.names.workspace} runs it by hand`;
    if (!state.lastRunAt)
      return fail(name, `the sweep has never completed a run in ${deps.names.tables.settlements}: ${fix}`);
    const lastRun = Date.parse(state.lastRunAt);
    if (Number.isNaN(lastRun)) return fail(name, `saved lastRunAt "${state.lastRunAt}" is not a time`);
    const ageMs = now.getTime() - lastRun;
    const detail = `last run ${formatDuration(ageMs)} ago (${state.lastRunAt}${state.lastRunId ? `, run ${state.lastRunId}` : ''})`;
    if (ageMs > deps.sweepIntervalMs + SWEEP_SLACK_MS) return fail(name, `${detail}, more than ${limit}: ${fix}`);
    return pass(
      name,
      `${detail}, within ${limit}${state.position ? '; a pass over the unsettled jobs is still in progress' : ''}`,
    );
  });
}

/** One key-only read per shard of the sparse holdsDue index: is any hold overdue by more than a sweep interval? */
async function holdExpiry(deps: DoctorDeps): Promise<CheckResult[]> {
  const name = 'hold expiry';
  return guarded(name, async () => {
    const now = currentTime(deps);
    const overdueBefore = new Date(now.getTime() - deps.sweepIntervalMs - SWEEP_SLACK_MS).toISOString();
    let oldest: string | undefined;
    for (let shard = 0; shard < SWEEP_SHARD_COUNT; shard++) {
      const { Items } = await deps.dynamodb.send(
        new QueryCommand({
          TableName: deps.names.tables.settlements,
          IndexName: SETTLEMENTS_HOLDS_DUE_INDEX,
          Limit: 1,
          ProjectionExpression: 'holdExpiresAt',
          KeyConditionExpression: 'holdShard = :shard AND holdExpiresAt < :before',
          ExpressionAttributeValues: { ':shard': { S: String(shard) }, ':before': { S: overdueBefore } },
        }),
      );
      const expiresAt = Items?.[0]?.holdExpiresAt?.S;
      if (expiresAt !== undefined && (oldest === undefined || expiresAt < oldest)) oldest = expiresAt;
    }
    if (oldest === undefined)
      return pass(
        name,
        `no hold is ACTIVE more than a sweep interval (${formatDuration(deps.sweepIntervalMs)} + ${formatDuration(SWEEP_SLACK_MS)}) past its expiry`,
      );
    return fail(
      name,
      `a hold that expired at ${oldest} is still ACTIVE (its credits count as held nowhere, but the balance item still holds them): the sweep is not reaching the holds; see "sweep freshness" and the sweep's errors`,
    );
  });
}
