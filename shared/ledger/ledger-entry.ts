/** The Ledger item (docs/design.md#3-tables), built in one place so every writer produces the same shape. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { assertInvariant } from '../errors';

export type EntryType = 'debit' | 'credit';
export type EntryKind = 'render' | 'refund' | 'grant' | 'adjustment';

export interface LedgerEntry {
  ledgerId: string;
  userId: string;
  timestamp: string;
  type: EntryType;
  kind: EntryKind;
  amount: number;
  reference: string;
  eventId: string;
  description: string;
}

/** Upper bound on one ledger amount; guards against unit mistakes (dollars vs credits × 1e6). */
export const MAX_ENTRY_CREDITS = 1_000_000_000;

export function ledgerItem(entry: LedgerEntry): Record<string, AttributeValue> {
  assertInvariant(
    Number.isSafeInteger(entry.amount) && entry.amount > 0 && entry.amount <= MAX_ENTRY_CREDITS,
    `ledger amount must be a positive integer, got ${entry.amount}`,
  );
  return {
    ledgerId: { S: entry.ledgerId },
    userId: { S: entry.userId },
    timestamp: { S: entry.timestamp },
    // Partition key of the byDay index: lets the sweep find users touched since its last run.
    day: { S: entry.timestamp.slice(0, 10) },
    type: { S: entry.type },
    kind: { S: entry.kind },
    amount: { N: String(entry.amount) },
    reference: { S: entry.reference },
    eventId: { S: entry.eventId },
    description: { S: entry.description },
  };
}

/** Signed effect of an entry on the balance: credits add, debits subtract. */
export function signedAmount(entry: { type: string; amount: number }): number {
  return entry.type === 'credit' ? entry.amount : -entry.amount;
}
