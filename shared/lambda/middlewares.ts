/** Small middy middlewares with one job each, composed by the handlers. */
import type middy from '@middy/core';
import { RefusedEventError, type RefusedEventKind } from '../errors';
import { sendInvalidEventToDlq } from '../dlq/invalid-event';
import { emfFields } from '../observability/metrics';
import type { SettlementHandlerDeps } from './settlement-deps';
import { currentTime } from '../time';

/** What the handler answers for an event it refused: `invalid` (never valid) or `held` (for a person). */
export interface InvalidResponse {
  status: 'invalid' | 'held';
  reason: string;
  details: string[];
  dlqMessageId?: string;
}

const STATUS_OF_KIND: Record<RefusedEventKind, InvalidResponse['status']> = {
  invalid_event: 'invalid',
  held_event: 'held',
};
/** Invalid events count as `Invalid`; held debits (beyond the overdraft floor) as `OverdraftRefused`, which is alarmed. */
const METRIC_OF_KIND = { invalid_event: 'Invalid', held_event: 'OverdraftRefused' } as const;

/**
 * A refused event is permanent (docs/design.md#5-bad-input-and-failures): a malformed one, or a debit beyond the overdraft floor.
 * Log it with the reason, count it, send it to the DLQ with the reason attached, and succeed so
 * that the platform does not retry it. Nothing else changes. If the DLQ cannot be reached the
 * error propagates (transient), so the event is retried, not lost.
 */
export function invalidEventsToDlq(getDeps: () => SettlementHandlerDeps): middy.MiddlewareObj<unknown, unknown> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (!(error instanceof RefusedEventError)) return;
      const deps = getDeps();
      const dlqMessageId = await sendInvalidEventToDlq(deps.sqs, deps.dlqUrl, {
        rawEvent: request.event,
        kind: error.dlqKind,
        reason: error.reason,
        details: error.details,
        handler: deps.handlerName,
        rejectedAt: currentTime(deps),
      });
      const status = STATUS_OF_KIND[error.dlqKind];
      const eventId =
        typeof request.event === 'object' && request.event !== null
          ? (request.event as { id?: unknown }).id
          : undefined;
      deps.logger.warn(
        {
          outcome: status,
          eventId: typeof eventId === 'string' ? eventId.slice(0, 128) : undefined,
          reason: error.reason,
          details: error.details,
          dlqMessageId,
          ...emfFields(deps.workspace, { [METRIC_OF_KIND[error.dlqKind]]: 1 }),
        },
        status === 'held' ? 'debit held in the DLQ for a person' : 'invalid event sent to the DLQ',
      );
      const response: InvalidResponse = { status, reason: error.reason, details: error.details, dlqMessageId };
      request.response = response;
    },
  };
}

/** Logs anything else that escapes (transient or invariant) once, with context, then lets it throw. */
export function logUnhandledErrors(getDeps: () => SettlementHandlerDeps): middy.MiddlewareObj<unknown, unknown> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof RefusedEventError || error === null || error === undefined) return;
      const detail = (request.event as { detail?: { jobId?: unknown; userId?: unknown } } | undefined)?.detail;
      getDeps().logger.error(
        {
          outcome: 'error',
          errorName: error.name,
          error: error.message,
          jobId: detail?.jobId,
          userId: detail?.userId,
          eventId: (request.event as { id?: unknown } | undefined)?.id,
        },
        'event not settled; the platform will retry it',
      );
    },
  };
}
