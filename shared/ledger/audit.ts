/**
 * The proof: recompute every balance from the ledger and compare with Credits, and check that every
 * entry is justified (justification.ts): its shape is one the reconciler writes, and every refund
 * has its debit (same job, user and amount), looked up 100 at a time.
 * Invariant (docs/design.md#2-money-rules): remaining == Σ credit entries − Σ debit entries, for every user.
 * Both tables are read with strongly consistent, paginated scans; run it on a quiet system or
 * expect in-flight writes to show as drift that a second run clears.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BATCH_GET_KEYS, batchGetItems } from './batch-get';
import { ledgerIds } from './ids';
import { refundProblem, shapeProblem, type EntryFacts, type Unjustified } from './justification';
import { signedAmount } from './ledger-entry';
import type { LedgerDeps } from './types';

export interface Drift {
  userId: string;
  remaining: number;
  ledgerSum: number;
  difference: number;
  /** Set when the hold figures disagree: held vs Σ ACTIVE holds, available vs remaining − held. */
  holds?: { held: number; activeHolds: number; available: number };
}

export interface AuditReport {
  usersChecked: number;
  ledgerEntries: number;
  drift: Drift[];
  /** Entries the reconciler could not have written; at most MAX_REPORTED_UNJUSTIFIED listed. */
  unjustified: Unjustified[];
  unjustifiedCount: number;
  totals: { credited: number; debited: number; remaining: number };
}

const SCAN_PAGE_SIZE = 1_000;
/** A hard stop so a mistaken table name can never scan forever. */
const MAX_SCAN_PAGES = 1_000_000;
export const MAX_REPORTED_UNJUSTIFIED = 1_000;

/** What the checks read of an entry (`type` and `reference` are reserved words). */
export const ENTRY_PROJECTION = 'ledgerId, userId, #t, kind, amount, #r';
export const ENTRY_NAMES: Readonly<Record<string, string>> = { '#t': 'type', '#r': 'reference' };

export function entryFactsFrom(item: Record<string, AttributeValue>): EntryFacts {
  return {
    ledgerId: item.ledgerId?.S ?? '',
    userId: item.userId?.S ?? '',
    type: item.type?.S ?? '',
    kind: item.kind?.S ?? '',
    amount: Number(item.amount?.N ?? NaN),
    reference: item.reference?.S ?? '',
  };
}

interface ScanSpec {
  expression: string;
  names?: Record<string, string>;
  filter?: { expression: string; values: Record<string, AttributeValue> };
}

async function scanAll(
  deps: LedgerDeps,
  table: string,
  projection: ScanSpec,
  pageSize: number,
  onItem: (item: Record<string, AttributeValue>) => void,
  onPage?: (items: number) => Promise<void> | void,
): Promise<void> {
  let startKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < MAX_SCAN_PAGES; page++) {
    const result = await deps.dynamodb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: projection.expression,
        ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
        ...(projection.filter
          ? { FilterExpression: projection.filter.expression, ExpressionAttributeValues: projection.filter.values }
          : {}),
        ConsistentRead: true,
        Limit: pageSize,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) onItem(item);
    await onPage?.(result.Items?.length ?? 0);
    startKey = result.LastEvaluatedKey;
    if (!startKey) return;
  }
  throw new Error(`scan of ${table} exceeded ${MAX_SCAN_PAGES} pages`);
}

/** The debit entries of these refunds' jobs, by job reference. */
export async function debitsOf(deps: LedgerDeps, refunds: readonly EntryFacts[]): Promise<Map<string, EntryFacts>> {
  const keys = [...new Set(refunds.map((r) => r.reference))].map((jobId) => ({
    ledgerId: { S: ledgerIds.debit(jobId) },
  }));
  const items = await batchGetItems(deps.dynamodb, deps.tables.ledger, keys, {
    projection: ENTRY_PROJECTION,
    names: { ...ENTRY_NAMES },
  });
  return new Map(items.map(entryFactsFrom).map((debit) => [debit.reference, debit]));
}

/** Collects findings: every one is counted, the first MAX_REPORTED_UNJUSTIFIED kept. */
function unjustifiedCollector() {
  const kept: Unjustified[] = [];
  let count = 0;
  return {
    add(entry: EntryFacts, problem: string) {
      count++;
      if (kept.length < MAX_REPORTED_UNJUSTIFIED)
        kept.push({ ledgerId: entry.ledgerId, userId: entry.userId, problem });
    },
    result: () => ({ unjustified: kept, unjustifiedCount: count }),
  };
}

/** Σ credits of every user's ACTIVE holds (one paginated scan of Settlements, filtered). */
async function activeHoldsByUser(deps: LedgerDeps, pageSize: number): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  await scanAll(
    deps,
    deps.tables.settlements,
    {
      expression: 'holdUserId, holdCredits',
      filter: { expression: 'holdState = :active', values: { ':active': { S: 'ACTIVE' } } },
    },
    pageSize,
    (item) => {
      const userId = item.holdUserId?.S ?? '';
      sums.set(userId, (sums.get(userId) ?? 0) + Number(item.holdCredits?.N ?? 0));
    },
  );
  return sums;
}

/** The ledger pass: each user's sum, the totals, and every entry checked for its justification. */
async function scanLedger(deps: LedgerDeps, pageSize: number, onProgress?: (scanned: number) => void) {
  const ledgerSums = new Map<string, number>();
  const totals = { entries: 0, credited: 0, debited: 0 };
  const unjustified = unjustifiedCollector();
  let refunds: EntryFacts[] = [];
  /** Looks up the debits of waiting refunds, 100 at a time, while at least `atLeast` wait. */
  const checkRefunds = async (atLeast: number) => {
    while (refunds.length > 0 && refunds.length >= atLeast) {
      const batch = refunds.slice(0, BATCH_GET_KEYS);
      refunds = refunds.slice(BATCH_GET_KEYS);
      const debits = await debitsOf(deps, batch);
      for (const refund of batch) {
        const problem = refundProblem(refund, debits.get(refund.reference));
        if (problem) unjustified.add(refund, problem);
      }
    }
  };
  const onEntry = (item: Record<string, AttributeValue>) => {
    const entry = entryFactsFrom(item);
    if (entry.type === 'credit') totals.credited += entry.amount;
    else totals.debited += entry.amount;
    ledgerSums.set(entry.userId, (ledgerSums.get(entry.userId) ?? 0) + signedAmount(entry));
    totals.entries++;
    const problem = shapeProblem(entry);
    if (problem) unjustified.add(entry, problem);
    else if (entry.kind === 'refund') refunds.push(entry);
  };
  await scanAll(
    deps,
    deps.tables.ledger,
    { expression: ENTRY_PROJECTION, names: { ...ENTRY_NAMES } },
    pageSize,
    onEntry,
    async (n) => {
      // Refunds are looked up as soon as a batch fills, so memory stays bounded by one page.
      await checkRefunds(BATCH_GET_KEYS);
      onProgress?.(n);
    },
  );
  await checkRefunds(1);
  return { ledgerSums, totals, unjustified };
}

/** The balance pass: each user's stored remaining, held and available figures. */
async function scanBalances(deps: LedgerDeps, pageSize: number) {
  const balances = new Map<string, { remaining: number; held: number; available: number }>();
  let remainingTotal = 0;
  await scanAll(deps, deps.tables.credits, { expression: 'userId, remaining, held, available' }, pageSize, (item) => {
    const remaining = Number(item.remaining?.N ?? 0);
    const held = Number(item.held?.N ?? 0);
    balances.set(item.userId?.S ?? '', {
      remaining,
      held,
      available: item.available?.N === undefined ? remaining - held : Number(item.available.N),
    });
    remainingTotal += remaining;
  });
  return { balances, remainingTotal };
}

export async function auditAllBalances(
  deps: LedgerDeps,
  onProgress?: (scanned: number) => void,
  pageSize = SCAN_PAGE_SIZE,
): Promise<AuditReport> {
  const { ledgerSums, totals, unjustified } = await scanLedger(deps, pageSize, onProgress);
  const { balances, remainingTotal } = await scanBalances(deps, pageSize);
  const activeHolds = await activeHoldsByUser(deps, pageSize);

  const users = new Set([...ledgerSums.keys(), ...balances.keys(), ...activeHolds.keys()]);
  const drift: Drift[] = [];
  for (const userId of users) {
    const { remaining, held, available } = balances.get(userId) ?? { remaining: 0, held: 0, available: 0 };
    const ledgerSum = ledgerSums.get(userId) ?? 0;
    const holdsSum = activeHolds.get(userId) ?? 0;
    const holdsWrong = held !== holdsSum || available !== remaining - held;
    if (remaining !== ledgerSum || holdsWrong) {
      drift.push({
        userId,
        remaining,
        ledgerSum,
        difference: remaining - ledgerSum,
        ...(holdsWrong ? { holds: { held, activeHolds: holdsSum, available } } : {}),
      });
    }
  }
  drift.sort((a, b) => a.userId.localeCompare(b.userId));
  return {
    usersChecked: users.size,
    ledgerEntries: totals.entries,
    drift,
    ...unjustified.result(),
    totals: { credited: totals.credited, debited: totals.debited, remaining: remainingTotal },
  };
}
