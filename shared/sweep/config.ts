/**
 * The sweep's limits, each with a unit in its name and an upper bound (everything has a limit).
 * Read once from the environment by the handler; the CLI and tests build one with overrides.
 */
import { positiveInt, type Env } from '../config';

export interface SweepLimits {
  /** A terminal job younger than this is left to its event (normal delivery wins the race). */
  graceMinutes: number;
  /** A queued/rendering job whose updatedAt is older than this is reported as `stuck_job`. */
  stuckAfterHours: number;
  /** Items per Query page on the unsettled index. */
  pageSize: number;
  /** Hard stop on index pages per run, whatever the time budget says. */
  maxPagesPerRun: number;
  /** Settlements / audits in flight at once. */
  concurrency: number;
  /** Users audited per run at most; the rest wait for the next run (the watermark says where). */
  maxUsersAuditedPerRun: number;
  /** How far back the first run (no saved state) looks for touched users. */
  firstRunLookbackHours: number;
  /** The byDay index is read up to `now − this`, so entries still propagating to the GSI are left for the next run. */
  indexLagSeconds: number;
  /** A balance that differs from its ledger is read again after this delay; only persisting drift is reported. */
  driftRecheckDelayMs: number;
  /** Pages of one user's ledger read by the per-user audit at most (pages of up to 1 MB). */
  maxLedgerPagesPerUser: number;
  /** Ids listed per finding in the alert and summary. */
  maxListedIds: number;
}

export const DEFAULT_SWEEP_LIMITS: Readonly<SweepLimits> = Object.freeze({
  graceMinutes: 30,
  stuckAfterHours: 6,
  pageSize: 100,
  maxPagesPerRun: 1_000,
  concurrency: 8,
  maxUsersAuditedPerRun: 20_000,
  firstRunLookbackHours: 24,
  indexLagSeconds: 60,
  driftRecheckDelayMs: 2_000,
  maxLedgerPagesPerUser: 200,
  maxListedIds: 10,
});

/** Upper bounds for every limit (a mistyped value fails loudly at start-up). */
export const SWEEP_LIMIT_MAX: Readonly<Record<keyof SweepLimits, number>> = Object.freeze({
  graceMinutes: 7 * 24 * 60,
  stuckAfterHours: 30 * 24,
  pageSize: 1_000,
  maxPagesPerRun: 100_000,
  concurrency: 64,
  maxUsersAuditedPerRun: 1_000_000,
  firstRunLookbackHours: 31 * 24,
  indexLagSeconds: 3_600,
  driftRecheckDelayMs: 60_000,
  maxLedgerPagesPerUser: 10_000,
  maxListedIds: 100,
});

/** How many UTC days of the byDay index one run reads at most; older gaps need `reconciler sweep --full`. */
export const MAX_AUDIT_DAYS = 31;

export function sweepLimits(overrides: Partial<SweepLimits> = {}): SweepLimits {
  const limits = { ...DEFAULT_SWEEP_LIMITS, ...overrides };
  for (const key of Object.keys(SWEEP_LIMIT_MAX) as (keyof SweepLimits)[]) {
    const value = limits[key];
    // 0 is allowed where it means "no wait" (tests, the demo); the environment still demands >= 1 for the grace period.
    const min = key === 'indexLagSeconds' || key === 'driftRecheckDelayMs' || key === 'graceMinutes' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min || value > SWEEP_LIMIT_MAX[key]) {
      throw new RangeError(
        `sweep limit ${key} must be an integer between ${min} and ${SWEEP_LIMIT_MAX[key]}, got ${value}`,
      );
    }
  }
  return limits;
}

/** The limits an operator sets through the environment (HANDLER_ENV.sweep); the rest keep their defaults. */
export function sweepLimitsFromEnv(env: Env): SweepLimits {
  return sweepLimits({
    graceMinutes: positiveInt(
      'SWEEP_GRACE_MINUTES',
      env.SWEEP_GRACE_MINUTES,
      DEFAULT_SWEEP_LIMITS.graceMinutes,
      SWEEP_LIMIT_MAX.graceMinutes,
    ),
    stuckAfterHours: positiveInt(
      'SWEEP_STUCK_AFTER_HOURS',
      env.SWEEP_STUCK_AFTER_HOURS,
      DEFAULT_SWEEP_LIMITS.stuckAfterHours,
      SWEEP_LIMIT_MAX.stuckAfterHours,
    ),
  });
}
