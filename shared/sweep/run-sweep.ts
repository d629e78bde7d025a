/**
 * The sweep (docs/design.md#1-what-it-is-for, docs/sweep.md): one bounded run of four passes over an explicit run
 * state (run-state.ts), under a lease, resuming where the last run stopped:
 *
 * 1. Stragglers (straggler-pass.ts): terminal jobs whose event never came are settled through the
 *    same core as the handlers; settled jobs leave the `unsettled` index.
 * 2. Refund backstop (backstop-pass.ts): debited jobs whose producer status became `failed` since
 *    the last run are refunded once, if their refund never came.
 * 3. Hold expiry (holds-pass.ts): ACTIVE holds past their expiry are ended, their credits available
 *    again; a capture or release that gets there first wins.
 * 4. Audit (audit-pass.ts): every user the ledger touched since the last run (and every user whose
 *    hold this run expired) is checked: balance == Σ ledger, hold figures == Σ active holds, and
 *    every entry justified.
 * Then the position, windows and watermarks are saved in the reconciler's own Settlements table;
 * one alert goes out if anything was found (sweep/index.ts).
 *
 * Every loop is bounded: page size, pages per run, users per run, concurrency, and a time budget
 * that stops the run cleanly (in-flight work finishes, nothing new starts) with a resumable position.
 * Cost: unsettled, recently settled and recently updated work; never the settled history.
 */
import { auditPass } from './audit-pass';
import { counted } from './balance-audit';
import { backstopPass } from './backstop-pass';
import { holdExpiryPass } from './holds-pass';
import { SweepRun } from './run-state';
import { acquireSweepLease, loadSweepState, saveSweepState, type SweepState } from './state';
import { stragglerPass } from './straggler-pass';
import type { SweepDeps, SweepOptions, SweepResult, SweepStatus } from './types';

/** The lease outlives the budget by this much: enough to save state after the last page. */
const LEASE_EXTRA_MS = 60_000;
/** The longest any run may hold the lease (a person's `reconciler sweep` included), so a stuck run never blocks the schedule for long. */
export const MAX_LEASE_MS = 15 * 60_000 + LEASE_EXTRA_MS;

export async function runSweep(deps: SweepDeps, options: SweepOptions): Promise<SweepResult> {
  const run = new SweepRun(deps, options);
  const { dynamodb, tables } = run.ledger;
  if (!run.dryRun) {
    const leaseMs = Math.min(options.timeBudgetMs + LEASE_EXTRA_MS, MAX_LEASE_MS);
    const leased = await counted(run.counter, () =>
      acquireSweepLease(dynamodb, tables.settlements, run.runId, run.startedAt, leaseMs),
    );
    if (!leased) {
      run.log?.warn({ outcome: 'skipped_locked' }, 'another sweep holds the lease; nothing done');
      return run.finish('skipped_locked', undefined, { mode: 'skipped', usersAudited: 0 });
    }
  }
  const state = await counted(run.counter, () => loadSweepState(dynamodb, tables.settlements));

  const position = await stragglerPass(run, state.position);
  const backstop = run.outOfTime()
    ? { complete: false, window: state.backstop, refundsCheckedThrough: state.refundsCheckedThrough }
    : await backstopPass(run, state);
  if (!backstop.complete) run.stop('time_budget');
  const holdsDone = run.outOfTime() ? false : await holdExpiryPass(run);
  if (!holdsDone) run.stop('time_budget');
  const audit = await auditPass(run, state);

  const status: SweepStatus =
    position === undefined && backstop.complete && holdsDone && audit.complete ? 'completed' : 'partial';
  if (!run.dryRun) {
    const next: SweepState = {
      ...(position ? { position } : {}),
      ...(backstop.window ? { backstop: backstop.window } : {}),
      ...(backstop.refundsCheckedThrough ? { refundsCheckedThrough: backstop.refundsCheckedThrough } : {}),
      ...((audit.auditedThrough ?? state.auditedThrough)
        ? { auditedThrough: audit.auditedThrough ?? state.auditedThrough }
        : {}),
    };
    const saved = await counted(run.counter, () =>
      saveSweepState(dynamodb, tables.settlements, run.runId, next, run.now()),
    );
    if (!saved)
      run.log?.warn(
        { outcome: 'lease_lost' },
        'the lease expired before the state was saved; the next run re-reads from the previous position',
      );
  }
  return run.finish(status, position, audit.report);
}
