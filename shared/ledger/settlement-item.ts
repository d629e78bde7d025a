/**
 * Reads a job's settlement off its Settlements item (as DynamoDB returns it, unmarshalled). Only
 * the reconciler writes that table, so anything unexpected in it is a contradiction in the books,
 * never an input to work around: it stops the work loudly (InvariantViolation).
 */
import { InvariantViolation } from '../errors';
import type { Settlement, SettledJob } from './types';

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
  };
}
