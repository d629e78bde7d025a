/**
 * The sweep Lambda (EventBridge schedule → one sweep run): the time budget from the Lambda context,
 * everything else in shared/sweep; the response is a short summary (the full result is logged).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sweepAndReport, type SweepResult } from '../sweep';
import { timeBudgetMs } from '../sweep/budget';
import type { SweepHandlerDeps } from './sweep-deps';
import { invocationContextForLogs } from './invocation-logs';

export type SweepHandlerResponse = Pick<SweepResult, 'runId' | 'status' | 'stoppedBecause' | 'durationMs'> & {
  stragglers: number;
  stuckJobs: number;
  drift: number;
  badRecords: number;
  errors: number;
  holdsExpired: number;
  alertMessageId?: string;
};

export function createSweepHandler(getDeps: () => SweepHandlerDeps) {
  return middy<unknown, SweepHandlerResponse, Error, Context>()
    .use(invocationContextForLogs())
    .handler(async (_event, context) => {
      const deps = getDeps();
      const report = await sweepAndReport(deps, {
        timeBudgetMs: timeBudgetMs(context.getRemainingTimeInMillis()),
        limits: deps.limits,
      });
      const { result } = report;
      return {
        runId: result.runId,
        status: result.status,
        durationMs: result.durationMs,
        ...(result.stoppedBecause ? { stoppedBecause: result.stoppedBecause } : {}),
        stragglers: result.stragglers.count,
        stuckJobs: result.stuck.count,
        drift: result.drift.count,
        badRecords: result.badRecords.count,
        errors: result.errors.count,
        holdsExpired: result.holds.expired.count,
        ...(report.alertMessageId ? { alertMessageId: report.alertMessageId } : {}),
      };
    });
}
