/**
 * Pass 2, the refund backstop: a debited job whose producer status later became `failed` is refunded
 * even when its `video.failed` event never arrives (dropped, expired in the DLQ, dropped by hand).
 * The sparse `debited` Jobs index holds debited jobs by the producer's `updatedAt`, which moves when
 * the status changes; each run reads only the window of updates since the last one (from the saved
 * watermark, less an overlap for producers' clock skew, to now − grace), filtered to `failed`. Its
 * cost is the jobs updated in that window, never the history. A window the budget cut short is saved
 * and finished by the next run; a job that could not be refunded holds the watermark back to it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { forEachBounded } from '../pool';
import { JOBS_DEBITED_INDEX } from '../tables';
import { judgeJob, str } from './job-record';
import { settlementsOf, takeOffDebited } from './jobs-index';
import type { SweepRun } from './run-state';
import { walkShards } from './shard-walk';
import { refundLostFailure } from './straggler-pass';
import type { BackstopWindow, SweepState } from './state';
import { HOUR_MS, MINUTE_MS } from '../time';

type Item = Record<string, AttributeValue>;

/** Each window starts this much before the last one ended: a producer clock a little behind is still read. */
export const BACKSTOP_OVERLAP_MINUTES = 15;

export interface BackstopOutcome {
  /** The unfinished window to save, when the budget ran out. */
  window?: BackstopWindow;
  /** The new watermark (unchanged when nothing new was completed). */
  refundsCheckedThrough?: string;
  complete: boolean;
}

/** The window this run reads: the saved unfinished one, or the updates since the watermark. */
export function backstopWindow(run: SweepRun, state: SweepState): BackstopWindow | undefined {
  if (state.backstop && !run.dryRun) return state.backstop;
  const through = new Date(run.startedAt.getTime() - run.limits.graceMinutes * MINUTE_MS).toISOString();
  const since =
    state.refundsCheckedThrough !== undefined && state.refundsCheckedThrough <= through
      ? Date.parse(state.refundsCheckedThrough) - BACKSTOP_OVERLAP_MINUTES * MINUTE_MS
      : run.startedAt.getTime() - run.limits.firstRunLookbackHours * HOUR_MS;
  const from = new Date(since).toISOString();
  return from < through ? { from, through, position: { shard: 0 } } : undefined;
}

export async function backstopPass(run: SweepRun, state: SweepState): Promise<BackstopOutcome> {
  const window = backstopWindow(run, state);
  if (window === undefined)
    return {
      complete: true,
      ...(state.refundsCheckedThrough ? { refundsCheckedThrough: state.refundsCheckedThrough } : {}),
    };
  run.backstop.from = window.from;
  run.backstop.through = window.through;
  /** The oldest update of a job this run could not refund: the watermark may not pass it. */
  let holdBackTo: string | undefined;
  const position = await walkShards(run, window.position, {
    label: 'refund backstop',
    shardAttribute: 'debitedShard',
    query: (shard) => ({
      TableName: run.ledger.tables.jobs,
      IndexName: JOBS_DEBITED_INDEX,
      KeyConditionExpression: 'debitedShard = :shard AND updatedAt BETWEEN :from AND :through',
      FilterExpression: '#status = :failed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':shard': { S: String(shard) },
        ':from': { S: window.from },
        ':through': { S: window.through },
        ':failed': { S: 'failed' },
      },
      Limit: run.limits.pageSize,
    }),
    handlePage: async (items) => {
      const failedBefore = await refundPage(run, items);
      if (failedBefore !== undefined && (holdBackTo === undefined || failedBefore < holdBackTo))
        holdBackTo = failedBefore;
      return items.length;
    },
    onPage: (n) => {
      run.backstop.pages++;
      run.backstop.itemsRead += n;
    },
    pageLimit: run.limits.maxPagesPerRun,
  });
  if (position !== undefined)
    return {
      complete: false,
      window: { ...window, position },
      ...(state.refundsCheckedThrough ? { refundsCheckedThrough: state.refundsCheckedThrough } : {}),
    };
  const through = holdBackTo !== undefined && holdBackTo < window.through ? holdBackTo : window.through;
  return { complete: true, refundsCheckedThrough: through };
}

/** Refunds each failed job of a page; returns the oldest updatedAt among jobs it could not refund. */
async function refundPage(run: SweepRun, items: Item[]): Promise<string | undefined> {
  if (items.length === 0) return undefined;
  const settled = await settlementsOf(
    run,
    items.map((item) => str(item.jobId) ?? ''),
  );
  let oldestFailure: string | undefined;
  await forEachBounded(items, run.limits.concurrency, async (item) => {
    const verdict = judgeJob(item, '');
    const updatedAt = str(item.updatedAt) ?? '';
    try {
      if (verdict.kind === 'bad') {
        run.badRecords.add({ jobId: verdict.jobId, problems: verdict.problems });
        return;
      }
      if (verdict.kind !== 'settle' || verdict.event.kind !== 'failed') return;
      const settlement = settled.get(verdict.jobId);
      // Only our own DEBITED settlement is refundable; anything else was settled otherwise, or not by us.
      if (settlement?.settlement !== 'DEBITED') {
        if (!run.dryRun && settlement !== undefined) await takeOffDebited(run, verdict.jobId);
        return;
      }
      const result = await refundLostFailure(run, verdict.event, settlement.charged);
      if (result && !run.dryRun) await takeOffDebited(run, verdict.jobId);
    } catch (error) {
      run.error(`job ${verdict.jobId}`, error);
      if (oldestFailure === undefined || updatedAt < oldestFailure) oldestFailure = updatedAt;
    }
  });
  return oldestFailure;
}
