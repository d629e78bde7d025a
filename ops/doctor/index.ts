/**
 * The doctor: a read-only readiness check of one deployed workspace, like /readyz for a serverless
 * stack. One module per group of checks; each check is { name, ok, detail }. No console I/O here:
 * the CLI (cli/commands/doctor.ts) prints.
 */
import { alarmChecks } from './alarms';
import { dlqChecks } from './dlq';
import { functionChecks } from './functions';
import { ruleChecks } from './rules';
import { sweepChecks } from './sweep';
import { tableChecks } from './tables';
import { topicChecks } from './topic';
import type { CheckResult, DoctorDeps, DoctorReport } from './types';
import { currentTime } from '../../shared/time';

export * from './types';

/** In report order: storage, code, wiring, failure path, alerting, background work. */
export const CHECK_GROUPS: Record<string, (deps: DoctorDeps) => Promise<CheckResult[]>> = {
  tables: tableChecks,
  functions: functionChecks,
  rules: ruleChecks,
  dlq: dlqChecks,
  alarms: alarmChecks,
  topic: topicChecks,
  sweep: sweepChecks,
};

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const now = currentTime(deps);
  const groups = await Promise.all(Object.values(CHECK_GROUPS).map((group) => group(deps)));
  const checks = groups.flat();
  return { workspace: deps.names.workspace, ok: checks.every((c) => c.ok), checkedAt: now.toISOString(), checks };
}
