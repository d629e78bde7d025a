/**
 * The reserve Lambda: a producer invokes it directly (RequestResponse) before it starts a render,
 * with `{ jobId, userId, credits, expiresInSeconds? }`, and acts on the answer at once: held (hold id,
 * credits, available after, expiry), refused (insufficient_credits with what is available, or the
 * job's outcome), conflict, or invalid (what is wrong). All hold logic lives in shared/ledger/holds.ts;
 * this file is wiring: parse, reserve, one log line (which is also the EMF metrics).
 */
import middy from '@middy/core';
import { InvalidRequestError } from '../errors';
import { reserveHold, type HoldDeps, type HoldLimits, type ReserveAnswer, type ReserveRequest } from '../ledger/holds';
import type { Logger } from '../observability/logger';
import { emfFields } from '../observability/metrics';
import { invocationContextForLogs } from './invocation-logs';

export interface ReserveHandlerDeps {
  holds: HoldDeps;
  limits: HoldLimits;
  logger: Logger;
  workspace: string;
}

export type ReserveResponse = ReserveAnswer | { status: 'invalid'; reason: string };

/** The request as JSON text or an object, reduced to the fields a reserve reads. */
function requestFrom(raw: unknown): ReserveRequest {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new InvalidRequestError('invalid reserve request: the payload is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidRequestError(
      'invalid reserve request: the payload must be an object { jobId, userId, credits, expiresInSeconds? }',
    );
  const { jobId, userId, credits, expiresInSeconds } = value as Record<string, unknown>;
  return {
    jobId: jobId as string,
    userId: userId as string,
    credits: credits as number,
    ...(expiresInSeconds === undefined ? {} : { expiresInSeconds: expiresInSeconds as number }),
  };
}

export function createReserveHandler(getDeps: () => ReserveHandlerDeps) {
  return middy<unknown, ReserveResponse>()
    .use(invocationContextForLogs())
    .handler(async (raw) => {
      const deps = getDeps();
      const startedAt = Date.now();
      let answer: ReserveResponse;
      try {
        answer = await reserveHold(deps.holds, requestFrom(raw), deps.limits);
      } catch (error) {
        if (!(error instanceof InvalidRequestError)) throw error;
        answer = { status: 'invalid', reason: error.message };
      }
      const held = answer.status === 'held' && !answer.alreadyHeld ? 1 : 0;
      const refused = answer.status === 'refused' && answer.reason === 'insufficient_credits' ? 1 : 0;
      deps.logger[answer.status === 'held' ? 'info' : 'warn'](
        {
          outcome: answer.status,
          ...('reason' in answer ? { reason: answer.reason } : {}),
          ...('jobId' in answer ? { jobId: answer.jobId } : {}),
          durationMs: Date.now() - startedAt,
          ...emfFields(deps.workspace, { Reserves: held, ReserveRefusals: refused }),
        },
        `reserve: ${answer.status}`,
      );
      return answer;
    });
}
