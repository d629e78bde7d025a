/**
 * Pass 1, stragglers: the sparse `unsettled` Jobs index, shard by shard, for jobs the producer last
 * updated before now − grace. Per page, one read of the reconciler's own Settlements says which of
 * them are settled. Then, per job:
 * - settled: taken off the index (a debit that can still be refunded goes on `debited`); a debit
 *   whose producer status is already `failed` is refunded right here (its refund event is lost);
 * - terminal and unsettled: settled through settleEvent (the same core, the same conditional writes
 *   as the event handlers) with eventId `sweep:<jobId>:<kind>`, so a late event and the sweep can
 *   never both charge;
 * - non-terminal: left alone, or reported as stuck past the stuck limit (never settled);
 * - breaking the producer contract: reported, never fatal.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidEventError, OverdraftFloorError } from '../errors';
import { sweepEventId } from '../ledger/ids';
import { readSettledJob, settleEvent } from '../ledger/settle';
import type { SettledJob, SettlementEvent, SettlementResult } from '../ledger/types';
import { forEachBounded } from '../pool';
import { priceOf } from '../pricing';
import { JOBS_UNSETTLED_INDEX } from '../tables';
import { judgeJob, str } from './job-record';
import { settlementsOf, takeOffUnsettled, type IndexedSettlement } from './jobs-index';
import type { SweepRun } from './run-state';
import { walkShards } from './shard-walk';
import type { ShardPosition } from './state';
import { HOUR_MS, MINUTE_MS } from '../time';

type Item = Record<string, AttributeValue>;

/**
 * @param saved where the last run stopped (undefined: start a fresh pass at shard 0)
 * @returns where the next run resumes, or undefined once every shard was read in this run
 */
export async function stragglerPass(
  run: SweepRun,
  saved: ShardPosition | undefined,
): Promise<ShardPosition | undefined> {
  const settleBeforeIso = new Date(run.startedAt.getTime() - run.limits.graceMinutes * MINUTE_MS).toISOString();
  const stuckBeforeIso = new Date(run.startedAt.getTime() - run.limits.stuckAfterHours * HOUR_MS).toISOString();
  const walk = (from: ShardPosition) =>
    walkShards(run, from, {
      label: 'stragglers',
      shardAttribute: 'sweepShard',
      query: (shard) => ({
        TableName: run.ledger.tables.jobs,
        IndexName: JOBS_UNSETTLED_INDEX,
        KeyConditionExpression: 'sweepShard = :shard AND updatedAt < :before',
        ExpressionAttributeValues: { ':shard': { S: String(shard) }, ':before': { S: settleBeforeIso } },
        Limit: run.limits.pageSize,
      }),
      handlePage: (items) => handlePage(run, items, stuckBeforeIso),
      onPage: (n) => {
        run.pages++;
        run.itemsRead += n;
      },
      pageLimit: run.limits.maxPagesPerRun - run.pages,
    });
  const resumed = !run.dryRun && saved !== undefined && (saved.shard > 0 || saved.startKey !== undefined);
  const position = await walk(run.dryRun ? { shard: 0 } : (saved ?? { shard: 0 }));
  // A resumed pass just ended: start a fresh one, so this run reads every shard at least once.
  if (position === undefined && resumed && run.stoppedBecause === undefined) return walk({ shard: 0 });
  return position;
}

async function handlePage(run: SweepRun, items: Item[], stuckBeforeIso: string): Promise<number> {
  if (items.length === 0) return 0;
  const settled = await settlementsOf(
    run,
    items.map((item) => str(item.jobId) ?? ''),
  );
  const { started } = await forEachBounded(
    items,
    run.limits.concurrency,
    async (item) => {
      const jobId = str(item.jobId) ?? '(no jobId)';
      try {
        const settlement = settled.get(jobId);
        if (settlement) await handleSettled(run, item, settlement);
        else await handleUnsettled(run, item, stuckBeforeIso);
      } catch (error) {
        // One job's failure (transient after retries, or an invariant) must not hide the others:
        // it stays on the index, is reported in this run's alert, and is retried next run.
        run.error(`job ${jobId}`, error);
      }
    },
    () => run.outOfTime(),
  );
  return started;
}

/** Settled by its event: off the index; a debit whose job has since failed is refunded first. */
async function handleSettled(run: SweepRun, item: Item, settled: SettledJob): Promise<void> {
  const verdict = judgeJob(item, '');
  if (settled.settlement === 'DEBITED' && verdict.kind === 'settle' && verdict.event.kind === 'failed') {
    const result = await refundLostFailure(run, verdict.event, settled.charged);
    if (result) await takeOffUnsettled(run, verdict.jobId, await settlementAfter(run, verdict.jobId, result));
    return;
  }
  run.alreadySettled++;
  if (!run.dryRun) await takeOffUnsettled(run, verdict.jobId, settled);
}

async function handleUnsettled(run: SweepRun, item: Item, stuckBeforeIso: string): Promise<void> {
  const verdict = judgeJob(item, stuckBeforeIso);
  switch (verdict.kind) {
    case 'in_flight':
      run.inFlight++;
      return;
    case 'stuck':
      run.stuck.add({
        jobId: verdict.jobId,
        userId: verdict.userId,
        status: verdict.status,
        updatedAt: verdict.updatedAt,
      });
      return;
    case 'bad':
      run.badRecords.add({ jobId: verdict.jobId, problems: verdict.problems });
      return;
    case 'settle':
      await settleStraggler(run, verdict.event);
  }
}

/** The price of a rendered straggler, or undefined (reported as a bad record) when it has none. */
function priceOrReport(run: SweepRun, event: SettlementEvent): number | undefined {
  if (event.kind !== 'rendered') return 0;
  try {
    return priceOf(run.priceBook, event);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    run.badRecords.add({ jobId: event.jobId, problems: [error.message] });
    return undefined;
  }
}

async function settleStraggler(run: SweepRun, event: SettlementEvent): Promise<void> {
  const priceCredits = priceOrReport(run, event);
  if (priceCredits === undefined) return;
  if (run.dryRun) {
    run.stragglers.add({
      jobId: event.jobId,
      userId: event.userId,
      outcome: event.kind === 'rendered' ? 'debited' : 'no_charge',
      credits: priceCredits,
    });
    if (event.kind === 'rendered') {
      run.debitedCredits += priceCredits;
      run.balancesChanged++;
    }
    return;
  }
  const result = await settleOrHold(run, event, priceCredits);
  if (result === undefined) return;
  if (result.outcome === 'debited' || result.outcome === 'no_charge' || result.outcome === 'refunded') {
    run.stragglers.add({ jobId: event.jobId, userId: event.userId, outcome: result.outcome, credits: result.credits });
    if (result.outcome === 'debited') run.debitedCredits += result.credits;
    if (result.outcome !== 'no_charge') run.balancesChanged++;
    run.log?.info(
      {
        outcome: result.outcome,
        jobId: event.jobId,
        userId: event.userId,
        eventId: event.eventId,
        credits: result.credits,
      },
      'straggler settled',
    );
  } else {
    // Settled by its own event first (the race the grace period makes rare): nothing moved.
    run.alreadySettled++;
  }
  await takeOffUnsettled(run, event.jobId, await settlementAfter(run, event.jobId, result));
}

/** What a settlement left the job as: known from the outcome, read back only after a race. */
async function settlementAfter(run: SweepRun, jobId: string, result: SettlementResult): Promise<IndexedSettlement> {
  if (result.outcome === 'debited') return { settlement: 'DEBITED', charged: result.credits };
  if (result.outcome === 'refunded') return { settlement: 'REFUNDED', charged: result.credits };
  if (result.outcome === 'no_charge') return { settlement: 'NO_CHARGE', charged: 0 };
  run.counter.requests++;
  const settled = await readSettledJob(run.ledger, jobId);
  return settled ?? { settlement: 'NO_CHARGE', charged: 0 };
}

/**
 * A debited job whose producer status is `failed` and whose refund never came: refunded now, once,
 * as its lost `video.failed` would have done (eventId `sweep:<jobId>:failed`).
 */
export async function refundLostFailure(
  run: SweepRun,
  event: SettlementEvent,
  chargedCredits: number,
): Promise<SettlementResult | undefined> {
  const failed: SettlementEvent = { ...event, eventId: sweepEventId(event.jobId, 'failed') };
  if (run.dryRun) {
    run.backstopRefunds.add({
      jobId: failed.jobId,
      userId: failed.userId,
      outcome: 'refunded',
      credits: chargedCredits,
    });
    run.backstop.refundedCredits += chargedCredits;
    return undefined;
  }
  const result = await settleOrHold(run, failed, 0);
  if (result?.outcome === 'refunded') {
    run.backstopRefunds.add({
      jobId: failed.jobId,
      userId: failed.userId,
      outcome: 'refunded',
      credits: result.credits,
    });
    run.backstop.refundedCredits += result.credits;
    run.log?.info(
      {
        outcome: 'refunded',
        jobId: failed.jobId,
        userId: failed.userId,
        eventId: failed.eventId,
        credits: result.credits,
      },
      'lost refund settled',
    );
  }
  return result;
}

/** settleEvent, with its anomalies and requests counted; a debit beyond the floor is held and reported. */
async function settleOrHold(
  run: SweepRun,
  event: SettlementEvent,
  priceCredits: number,
): Promise<SettlementResult | undefined> {
  try {
    const result = await settleEvent(run.ledger, event, priceCredits);
    run.counter.requests += result.requests;
    for (const anomaly of result.anomalies) run.anomalies[anomaly.kind].add(anomaly.detail);
    return result;
  } catch (error) {
    if (!(error instanceof OverdraftFloorError)) throw error;
    run.held.add({ jobId: event.jobId, userId: event.userId, credits: priceCredits });
    run.log?.warn(
      { outcome: 'held', jobId: event.jobId, userId: event.userId, credits: priceCredits, reason: error.message },
      'straggler debit held: beyond the overdraft floor',
    );
    return undefined;
  }
}
