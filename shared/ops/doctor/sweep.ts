/** The sweep ran within its interval (its saved state in the reconciler's Settlements table records each run). */
import { loadSweepState } from '../../sweep/state';
import { fail, formatDuration, guarded, pass, type CheckResult, type DoctorDeps } from './types';

/** A run may start late and take up to its timeout (5 min): allow this much beyond the interval. */
export const SWEEP_SLACK_MS = 30 * 60_000;

export async function sweepChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const name = 'sweep freshness';
  return guarded(name, async () => {
    const now = (deps.now ?? (() => new Date()))();
    const state = await loadSweepState(deps.dynamodb, deps.names.tables.settlements);
    const limit = `interval ${formatDuration(deps.sweepIntervalMs)} + ${formatDuration(SWEEP_SLACK_MS)}`;
    const fix = `check rule ${deps.names.rules.sweep_schedule.name} and the sweep's logs; npx reconciler sweep --workspace ${deps.names.workspace} runs it by hand`;
    if (!state.lastRunAt) return fail(name, `the sweep has never completed a run in ${deps.names.tables.settlements}: ${fix}`);
    const lastRun = Date.parse(state.lastRunAt);
    if (Number.isNaN(lastRun)) return fail(name, `saved lastRunAt "${state.lastRunAt}" is not a time`);
    const ageMs = now.getTime() - lastRun;
    const detail = `last run ${formatDuration(ageMs)} ago (${state.lastRunAt}${state.lastRunId ? `, run ${state.lastRunId}` : ''})`;
    if (ageMs > deps.sweepIntervalMs + SWEEP_SLACK_MS) return fail(name, `${detail}, more than ${limit}: ${fix}`);
    return pass(name, `${detail}, within ${limit}${state.position ? '; a pass over the unsettled jobs is still in progress' : ''}`);
  });
}
