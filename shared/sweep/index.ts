/**
 * The sweep's public face: run it, log one summary line (which carries the EMF metrics), and send
 * one alert when the run found anything. The Lambda handler, the CLI and the demo all call this.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { emfFields } from '../observability/metrics';
import { buildSweepAlert, publishSweepAlert, sweepMetrics, type SweepAlert } from './alert';
import { runSweep } from './run-sweep';
import type { SweepDeps, SweepOptions, SweepResult } from './types';

export { runSweep } from './run-sweep';
export { hasFindings, needsAttention } from './findings';
export type {
  SweepDeps,
  SweepOptions,
  SweepResult,
  SweepStatus,
  StragglerSettled,
  StuckJob,
  BadJobRecord,
  HeldDebit,
  ExpiredHold,
  SweepError,
} from './types';
export { buildSweepAlert, publishSweepAlert, sweepMetrics, type SweepAlert } from './alert';
export { DEFAULT_SWEEP_LIMITS, sweepLimits, sweepLimitsFromEnv, type SweepLimits } from './config';
export { SWEEP_STATE_JOB_ID, loadSweepState, type SweepState, type SweepPosition } from './state';

export interface ReportingDeps extends SweepDeps {
  workspace: string;
  /** Where alerts go; without it the alert is only logged (the CLI, a demo without SNS). */
  alerts?: { sns: SNSClient; topicArn: string };
}

export interface SweepReport {
  result: SweepResult;
  /** The message built for this run (absent when all was well). */
  alert?: SweepAlert;
  /** SNS message id when the alert was published (never in a dry run). */
  alertMessageId?: string;
}

export async function sweepAndReport(deps: ReportingDeps, options: SweepOptions): Promise<SweepReport> {
  const result = await runSweep(deps, options);
  const alert = buildSweepAlert(result, deps.workspace);
  const summary = {
    outcome: result.status,
    runId: result.runId,
    dryRun: result.dryRun,
    durationMs: result.durationMs,
    requests: result.requests,
    pages: result.index.pages,
    itemsRead: result.index.itemsRead,
    resumeAt: result.index.resumeAt,
    stoppedBecause: result.stoppedBecause,
    stragglers: result.stragglers.count,
    alreadySettled: result.alreadySettled,
    inFlight: result.inFlight,
    stuckJobs: result.stuck.count,
    badRecords: result.badRecords.count,
    held: result.held.count,
    usersAudited: result.audit.usersAudited,
    refundsRecovered: result.backstop.refunds.count,
    backstopItemsRead: result.backstop.itemsRead,
    holdsExpired: result.holds.expired.count,
    holdsItemsRead: result.holds.itemsRead,
    drift: result.drift.count,
    unjustified: result.unjustified.count,
    errors: result.errors.count,
    ...(result.audit.watermarkReset ? { watermarkReset: result.audit.watermarkReset } : {}),
    overdrafts: result.anomalies.overdraft.count,
    renderedAfterFailed: result.anomalies.rendered_after_failed.count,
    conflictingDuplicates: result.anomalies.conflicting_duplicate.count,
    capturesOverHold: result.anomalies.capture_over_hold.count,
    capturesAfterHoldEnded: result.anomalies.capture_after_expiry.count,
    ...(result.dryRun ? {} : emfFields(deps.workspace, sweepMetrics(result))),
  };
  if (alert) deps.logger?.warn({ ...summary, alertSubject: alert.subject }, 'sweep found something');
  else deps.logger?.info(summary, 'sweep: all well');

  if (!alert || result.dryRun || !deps.alerts) return { result, ...(alert ? { alert } : {}) };
  // After the state is saved: a failed publish throws (the invocation errors and alarms) but loses no work.
  const alertMessageId = await publishSweepAlert(deps.alerts.sns, deps.alerts.topicArn, alert);
  return { result, alert, alertMessageId };
}
