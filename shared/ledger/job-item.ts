/** Reads the reconciler's attributes off a Jobs item (as DynamoDB returns it, unmarshalled). */
import { InvariantViolation } from '../errors';
import type { Settlement, SettledJob } from './types';

const SETTLEMENTS: ReadonlySet<string> = new Set<Settlement>(['DEBITED', 'REFUNDED', 'NO_CHARGE']);

export function settledJobFrom(item: Record<string, unknown> | undefined): SettledJob | undefined {
  if (item === undefined || item.settlement === undefined) return undefined;
  const { settlement } = item;
  if (typeof settlement !== 'string' || !SETTLEMENTS.has(settlement)) {
    throw new InvariantViolation(`job ${String(item.jobId)} has unknown settlement ${String(settlement)}`);
  }
  const charged = Number(item.charged ?? 0);
  const refunded = Number(item.refunded ?? 0);
  if (!Number.isSafeInteger(charged) || !Number.isSafeInteger(refunded)) {
    throw new InvariantViolation(`job ${String(item.jobId)} has non-integer charged/refunded`);
  }
  return {
    settlement: settlement as Settlement,
    settledUserId: String(item.settledUserId ?? ''),
    charged,
    refunded,
    quotedCredits: item.quotedCredits === undefined ? undefined : Number(item.quotedCredits),
    renderedEventId: typeof item.renderedEventId === 'string' ? item.renderedEventId : undefined,
    failedEventId: typeof item.failedEventId === 'string' ? item.failedEventId : undefined,
  };
}
