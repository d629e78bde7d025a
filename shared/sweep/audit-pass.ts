/**
 * Pass 3, the audit. Incremental (the scheduled run): every user the ledger touched since the saved
 * watermark (the byDay index, one partition per UTC day) has their balance compared with the sum of
 * their ledger and every entry of it checked for justification (justification.ts). Cost: the window's
 * ledger entries plus the touched users' histories, never the whole table. Full (`--full`): two
 * paginated scans (shared/ledger/audit.ts), then each drifting user re-checked on their own.
 * A watermark in the future is corruption (nothing the reconciler writes can put it there): it is
 * reset, the window re-read, and the run says so.
 */
import { auditAllBalances } from '../ledger/audit';
import { forEachBounded } from '../pool';
import { auditUser, touchedUsers, type UserAudit } from './balance-audit';
import { MAX_AUDIT_DAYS } from './config';
import type { SweepRun } from './run-state';
import type { SweepState } from './state';
import type { SweepResult } from './types';
import { HOUR_MS } from '../time';

export interface AuditOutcome {
  report: Omit<SweepResult['audit'], 'unaudited'>;
  /** The watermark to save (absent: leave the saved one). */
  auditedThrough?: string;
  complete: boolean;
}

export async function auditPass(run: SweepRun, state: SweepState): Promise<AuditOutcome> {
  if (run.options.fullAudit) return fullAudit(run);
  if (run.outOfTime()) {
    run.stop('time_budget');
    return { report: { mode: 'skipped', usersAudited: 0 }, complete: false };
  }
  return incrementalAudit(run, state);
}

function record(run: SweepRun, audit: UserAudit): void {
  if (audit.status === 'too_long') {
    run.unaudited.add(audit.userId);
    return;
  }
  for (const entry of audit.unjustified) {
    run.unjustified.add(entry);
    run.log?.error({ outcome: 'unjustified', ...entry }, 'ledger entry the reconciler could not have written');
  }
  if (audit.status === 'drift') {
    run.drift.add(audit.finding);
    run.log?.error({ outcome: 'drift', ...audit.finding }, 'balance differs from ledger');
  }
}

async function auditOne(run: SweepRun, userId: string): Promise<void> {
  try {
    record(run, await auditUser(run.ledger, run.counter, userId, run.limits, run.sleep));
  } catch (error) {
    run.error(`user ${userId}`, error);
  }
}

/** Where the incremental window starts, and whether the saved watermark had to be thrown away. */
function windowStart(run: SweepRun, state: SweepState, auditStart: Date): { from: string; watermarkReset?: string } {
  if (run.options.auditSince) return { from: run.options.auditSince.toISOString() };
  const lookback = new Date(auditStart.getTime() - run.limits.firstRunLookbackHours * HOUR_MS).toISOString();
  if (state.auditedThrough !== undefined && state.auditedThrough > auditStart.toISOString()) {
    run.log?.error(
      { outcome: 'watermark_reset', auditedThrough: state.auditedThrough },
      'the audit watermark is in the future: reset',
    );
    return { from: lookback, watermarkReset: state.auditedThrough };
  }
  return { from: state.auditedThrough ?? lookback };
}

async function incrementalAudit(run: SweepRun, state: SweepState): Promise<AuditOutcome> {
  const auditStart = run.now();
  const through = new Date(auditStart.getTime() - run.limits.indexLagSeconds * 1000).toISOString();
  const start = windowStart(run, state, auditStart);
  let from = start.from;
  const oldestAllowed = new Date(Date.parse(through) - MAX_AUDIT_DAYS * 24 * HOUR_MS).toISOString();
  let gapBefore: string | undefined;
  if (from < oldestAllowed) {
    gapBefore = from;
    from = oldestAllowed;
  }
  const seen = new Set<string>();
  let watermark = from;
  let complete = true;
  for await (const touched of touchedUsers(run.ledger, run.counter, from, through)) {
    const fresh = touched.userIds.filter((u) => !seen.has(u));
    if (seen.size + fresh.length > run.limits.maxUsersAuditedPerRun) {
      run.stop('user_limit');
      complete = false;
      break;
    }
    const { started } = await forEachBounded(
      fresh,
      run.limits.concurrency,
      async (userId) => {
        seen.add(userId);
        await auditOne(run, userId);
      },
      () => run.outOfTime(),
    );
    if (started < fresh.length || (run.outOfTime() && touched.lastTimestamp !== undefined)) {
      // Users of this page not all audited: the watermark stays before it (re-auditing is harmless).
      if (started === fresh.length && touched.lastTimestamp) watermark = touched.lastTimestamp;
      run.stop('time_budget');
      complete = false;
      break;
    }
    if (touched.lastTimestamp) watermark = touched.lastTimestamp;
    run.progress(`audit: ${seen.size} users checked, drift ${run.drift.count}`);
  }
  if (complete) complete = await auditHoldUsers(run, seen);
  // Never move the watermark backwards (a --since in the future of the window reads nothing).
  if (complete && through > watermark) watermark = through;
  return {
    report: {
      mode: 'incremental',
      from,
      through: watermark,
      ...(gapBefore ? { gapBefore } : {}),
      ...(start.watermarkReset ? { watermarkReset: start.watermarkReset } : {}),
      usersAudited: seen.size,
    },
    auditedThrough: watermark,
    complete,
  };
}

/** Users whose holds this run expired and the ledger window did not name: their figures moved too. */
async function auditHoldUsers(run: SweepRun, seen: Set<string>): Promise<boolean> {
  const fresh = [...run.holdUsers].filter((u) => !seen.has(u));
  if (seen.size + fresh.length > run.limits.maxUsersAuditedPerRun) {
    run.stop('user_limit');
    return false;
  }
  const { started } = await forEachBounded(
    fresh,
    run.limits.concurrency,
    async (userId) => {
      seen.add(userId);
      await auditOne(run, userId);
    },
    () => run.outOfTime(),
  );
  if (started < fresh.length) {
    run.stop('time_budget');
    return false;
  }
  return true;
}

async function fullAudit(run: SweepRun): Promise<AuditOutcome> {
  let scanned = 0;
  const report = await auditAllBalances(run.ledger, (n) => {
    scanned += n;
    run.progress(`full audit: ledger entries scanned ${scanned}`);
  });
  for (const entry of report.unjustified) run.unjustified.add(entry);
  run.unjustified.addUnlisted(report.unjustifiedCount - report.unjustified.length);
  await forEachBounded(report.drift, run.limits.concurrency, async (candidate) => {
    try {
      const audit = await auditUser(run.ledger, run.counter, candidate.userId, run.limits, run.sleep);
      // Unjustified entries were found by the scan already; only drift is re-checked here.
      if (audit.status === 'drift') run.drift.add(audit.finding);
      else if (audit.status === 'too_long') run.unaudited.add(candidate.userId);
    } catch (error) {
      run.error(`user ${candidate.userId}`, error);
    }
  });
  return { report: { mode: 'full', usersAudited: report.usersChecked }, complete: true };
}
