/**
 * Reads a job's settlement off its Settlements item (as DynamoDB returns it, unmarshalled). Only
 * the reconciler writes that table, so anything unexpected in it is a contradiction in the books,
 * never an input to work around: it stops the work loudly (InvariantViolation).
 */
import { InvariantViolation } from '../errors';
import type { HoldRecord, HoldState, JobRecord, Settlement, SettledJob } from './types';

const SETTLEMENTS: ReadonlySet<string> = new Set<Settlement>(['DEBITED', 'REFUNDED', 'NO_CHARGE']);

function credits(item: Record<string, unknown>, field: 'charged' | 'refunded'): number {
  const value = Number(item[field] ?? 0);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvariantViolation(`settlement of job ${String(item.jobId)} has a bad ${field} (${String(item[field])})`);
  }
  return value;
}

export function settledJobFrom(item: Record<string, unknown> | undefined): SettledJob | undefined {
  if (item === undefined || item.settlement === undefined) return undefined;
  const { settlement } = item;
  if (typeof settlement !== 'string' || !SETTLEMENTS.has(settlement)) {
    throw new InvariantViolation(`job ${String(item.jobId)} has unknown settlement ${String(settlement)}`);
  }
  if (typeof item.settledUserId !== 'string' || item.settledUserId.length === 0) {
    throw new InvariantViolation(`settlement of job ${String(item.jobId)} names no user`);
  }
  return {
    settlement: settlement as Settlement,
    settledUserId: item.settledUserId,
    charged: credits(item, 'charged'),
    refunded: credits(item, 'refunded'),
    quotedCredits: item.quotedCredits === undefined ? undefined : Number(item.quotedCredits),
    renderedEventId: typeof item.renderedEventId === 'string' ? item.renderedEventId : undefined,
    failedEventId: typeof item.failedEventId === 'string' ? item.failedEventId : undefined,
    ...(item.overdraft === true ? { overdraft: true } : {}),
  };
}

const HOLD_STATES: ReadonlySet<string> = new Set<HoldState>(['ACTIVE', 'CAPTURED', 'RELEASED', 'EXPIRED']);

/** The job's hold as the Settlements item records it, or undefined when it never had one. */
export function holdFrom(item: Record<string, unknown> | undefined): HoldRecord | undefined {
  if (item === undefined || item.holdState === undefined) return undefined;
  const { holdState, holdCredits, holdUserId, holdExpiresAt, heldAt } = item;
  const credits = Number(holdCredits);
  if (
    typeof holdState !== 'string' ||
    !HOLD_STATES.has(holdState) ||
    !Number.isSafeInteger(credits) ||
    credits < 1 ||
    typeof holdUserId !== 'string' ||
    holdUserId.length === 0 ||
    typeof holdExpiresAt !== 'string' ||
    typeof heldAt !== 'string'
  ) {
    throw new InvariantViolation(
      `job ${String(item.jobId)} has a malformed hold (${String(holdState)}, ${String(holdCredits)} credits)`,
    );
  }
  return { state: holdState as HoldState, credits, userId: holdUserId, expiresAt: holdExpiresAt, heldAt };
}

/** Everything the reconciler records of a job (hold and settlement), or undefined when nothing yet. */
export function jobRecordFrom(item: Record<string, unknown> | undefined): JobRecord | undefined {
  const settled = settledJobFrom(item);
  const hold = holdFrom(item);
  if (!settled && !hold) return undefined;
  return { ...(settled ? { settled } : {}), ...(hold ? { hold } : {}) };
}
