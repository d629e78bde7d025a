/**
 * One chaos run: a seeded day with every fault the design names (duplicates, shuffling, concurrent
 * copies, same-id redeliveries, throttling, TransactionConflict, replies lost after a commit,
 * handlers crashing after they committed, lost events, refund events lost after the debit, poison
 * beyond the retry policy, bad events incl. deep and oversized ones, free jobs, producers writing
 * reconciler-looking attributes, and a bug's unbacked settlements),
 * through the real handlers, the DLQ replay and the sweep, then every invariant checked.
 * On failure, `minimise` shrinks the delivery history while the same kind of violation persists.
 */
import { generateDay, type Day, type DayOptions } from '../sim/simulation';
import { runDay, type DayResult, type RunOptions } from '../sim/run-day';
import { MAX_OVERDRAFT_FLOOR_CREDITS } from '../shared/ledger/settle';
import { checkInvariants, type Violation } from './check';

export interface ChaosOptions {
  seed: number;
  jobs: number;
  users: number;
  stack?: RunOptions['stack'];
  breakCore?: boolean;
  weakenRefundCheck?: boolean;
  weakenReserveCheck?: boolean;
  onProgress?: (line: string) => void;
}

export const CHAOS_FAULTS = { conflictRate: 0.05, throttleRate: 0.05, lostReplyRate: 0.03 };

export function chaosDay(
  options: Pick<ChaosOptions, 'seed' | 'jobs' | 'users'>,
  overrides: Partial<DayOptions> = {},
): Day {
  return generateDay({
    seed: options.seed,
    jobs: options.jobs,
    users: options.users,
    duplicateRate: 0.25,
    concurrentDuplicateRate: 0.08,
    lostRate: 0.05,
    poisonRate: 0.02,
    reorderWindow: 100,
    stuckRate: 0.03,
    zeroQuoteRate: 0.3,
    refundLostRate: 0.6,
    forgedRate: 0.05,
    corruptRate: 0.1,
    holdRate: 0.4,
    poorUserRate: 0.1,
    ...overrides,
  });
}

export interface ChaosOutcome {
  day: Day;
  violations: Violation[];
  deliveries: number;
  faults: DayResult['faults'];
  /** The reserves' answers, and how many holds the last sweep expired. */
  holds: DayResult['reserves']['counts'] & { expiredBySweep: number };
  seconds: number;
}

export async function runChaosDay(
  day: Day,
  options: Omit<ChaosOptions, 'seed' | 'jobs' | 'users'>,
): Promise<ChaosOutcome> {
  const started = performance.now();
  const result = await runDay(day, {
    stack: options.stack,
    faults: CHAOS_FAULTS,
    redeliveryRate: 0.1,
    crashAfterCommitRate: 0.02,
    badEvents: 3,
    breakCore: options.breakCore,
    weakenRefundCheck: options.weakenRefundCheck,
    weakenReserveCheck: options.weakenReserveCheck,
    onProgress: options.onProgress,
    // Every rendered job is expected charged; users of a big day overdraw far beyond the default floor.
    overdraftFloorCredits: MAX_OVERDRAFT_FLOOR_CREDITS,
  });
  try {
    return {
      day,
      violations: checkInvariants(day, result),
      deliveries: result.deliveries,
      faults: result.faults,
      holds: { ...result.reserves.counts, expiredBySweep: result.expiry.result.holds.expired.count },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await result.stack.stop();
  }
}

/**
 * Delta debugging over the delivery batches: drop chunks while a violation of one of the same kinds
 * still appears. Bounded by `maxRuns` re-runs. Returns the smallest failing history found.
 */
export async function minimise(
  day: Day,
  kinds: Set<string>,
  options: Omit<ChaosOptions, 'seed' | 'jobs' | 'users'>,
  maxRuns = 24,
): Promise<Day> {
  let current = day;
  let chunks = 2;
  let runs = 0;
  const stillFails = async (candidate: Day) => {
    runs++;
    const { violations } = await runChaosDay(candidate, { ...options, onProgress: undefined });
    return violations.some((v) => kinds.has(v.kind));
  };
  while (runs < maxRuns && current.batches.length > 1) {
    const size = Math.ceil(current.batches.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.batches.length && runs < maxRuns; start += size) {
      const complement = [...current.batches.slice(0, start), ...current.batches.slice(start + size)];
      if (complement.length === 0) continue;
      const candidate = { ...current, batches: complement };
      if (await stillFails(candidate)) {
        current = candidate;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size <= 1) break;
      chunks = Math.min(chunks * 2, current.batches.length);
    }
  }
  // Keep only the jobs the remaining deliveries mention, so the printed history is small too.
  const mentioned = new Set(current.batches.flat().map((e) => String(e.detail.jobId)));
  return { ...current, jobs: current.jobs.filter((j) => mentioned.has(j.jobId)) };
}

export function describeHistory(day: Day): string {
  return day.batches
    .map(
      (batch, i) =>
        `  ${String(i).padStart(3)}. ${batch.map((e) => `${e['detail-type']} ${e.detail.jobId} (${e.id})`).join(' ∥ ')}`,
    )
    .join('\n');
}
