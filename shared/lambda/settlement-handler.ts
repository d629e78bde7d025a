/**
 * The debit and refund Lambdas: parse → settle → one log line (which is also the EMF metrics).
 * All money logic lives in shared/ledger; this file is wiring.
 */
import middy from '@middy/core';
import { parseVideoEvent } from '../events/parse-video-event';
import { settleEvent } from '../ledger/settle';
import type { EventKind, Outcome, SettlementResult } from '../ledger/types';
import { emfFields, type MetricValues } from '../observability/metrics';
import { invocationContextForLogs } from './invocation-logs';
import { invalidEventsToDlq, logUnhandledErrors, type InvalidResponse } from './middlewares';
import type { SettlementHandlerDeps } from './settlement-deps';

export interface SettledResponse {
  status: 'settled';
  jobId: string;
  userId: string;
  eventId: string;
  outcome: Outcome;
  credits: number;
  anomalies: SettlementResult['anomalies'];
  alreadyApplied: boolean;
  /** The hold this event ended (captured or released), when it had one. */
  hold?: SettlementResult['hold'];
}
export type SettlementResponse = SettledResponse | InvalidResponse;

export function metricsFor(result: SettlementResult): MetricValues {
  return {
    Debits: result.outcome === 'debited' ? 1 : 0,
    Refunds: result.outcome === 'refunded' ? 1 : 0,
    NoCharge: result.outcome === 'no_charge' ? 1 : 0,
    Duplicates: result.outcome === 'duplicate' ? 1 : 0,
    Anomalies: result.anomalies.length,
    Invalid: 0,
    Captures: result.hold?.state === 'CAPTURED' ? 1 : 0,
    Releases: result.hold?.state === 'RELEASED' ? 1 : 0,
  };
}

export function createSettlementHandler(expects: EventKind, getDeps: () => SettlementHandlerDeps) {
  return middy<unknown, SettlementResponse>()
    .use(invocationContextForLogs())
    .use(logUnhandledErrors(getDeps))
    .use(invalidEventsToDlq(getDeps))
    .handler(async (rawEvent) => {
      const deps = getDeps();
      const startedAt = Date.now();
      const { event, priceCredits } = parseVideoEvent(rawEvent, deps.priceBook, expects);
      const result = await settleEvent(deps.ledger, event, priceCredits);
      const line = {
        jobId: event.jobId,
        userId: event.userId,
        eventId: event.eventId,
        outcome: result.outcome,
        credits: result.credits,
        alreadyApplied: result.alreadyApplied,
        requests: result.requests,
        ...(result.hold ? { hold: result.hold } : {}),
        durationMs: Date.now() - startedAt,
        ...(result.anomalies.length > 0 ? { anomalies: result.anomalies } : {}),
        ...emfFields(deps.workspace, metricsFor(result)),
      };
      if (result.anomalies.length > 0) deps.logger.warn(line, 'event settled with anomalies');
      else deps.logger.info(line, 'event settled');
      return {
        status: 'settled',
        jobId: event.jobId,
        userId: event.userId,
        eventId: event.eventId,
        outcome: result.outcome,
        credits: result.credits,
        anomalies: result.anomalies,
        alreadyApplied: result.alreadyApplied,
        ...(result.hold ? { hold: result.hold } : {}),
      };
    });
}
