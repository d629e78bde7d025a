/**
 * EventBridge schedule → one sweep run (DESIGN §1). Wiring only: config and clients from the
 * environment, the time budget from the Lambda context, everything else in shared/sweep.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { once } from '../../shared/lambda/settlement-deps';
import { sweepAndReport, type SweepResult } from '../../shared/sweep';
import { sweepDepsFromEnvironment, type SweepHandlerDeps } from './deps';

/** Kept back from the Lambda timeout: in-flight settlements finish, the position is saved, the alert goes out. */
export const MIN_SAFETY_MARGIN_MS = 15_000;

export function timeBudgetMs(remainingMs: number): number {
  const margin = Math.max(MIN_SAFETY_MARGIN_MS, Math.round(remainingMs * 0.1));
  return Math.max(0, remainingMs - margin);
}

export type SweepHandlerResponse = Pick<SweepResult, 'runId' | 'status' | 'stoppedBecause' | 'durationMs'> & {
  stragglers: number; stuckJobs: number; drift: number; badRecords: number; errors: number; alertMessageId?: string;
};

export function createSweepHandler(getDeps: () => SweepHandlerDeps) {
  return middy<unknown, SweepHandlerResponse, Error, Context>().handler(async (_event, context) => {
    const deps = getDeps();
    const report = await sweepAndReport(deps, { timeBudgetMs: timeBudgetMs(context.getRemainingTimeInMillis()), limits: deps.limits });
    const { result } = report;
    return {
      runId: result.runId, status: result.status, durationMs: result.durationMs,
      ...(result.stoppedBecause ? { stoppedBecause: result.stoppedBecause } : {}),
      stragglers: result.stragglers.count, stuckJobs: result.stuck.count, drift: result.drift.count,
      badRecords: result.badRecords.count, errors: result.errors.count,
      ...(report.alertMessageId ? { alertMessageId: report.alertMessageId } : {}),
    };
  });
}

export const handler = createSweepHandler(once(() => sweepDepsFromEnvironment()));
