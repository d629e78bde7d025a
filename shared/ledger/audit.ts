/**
 * The proof: recompute every balance from the ledger and compare with Credits.
 * Invariant (DESIGN §2): remaining == Σ credit entries − Σ debit entries, for every user.
 * Both tables are read with strongly consistent, paginated scans; run it on a quiet system or
 * expect in-flight writes to show as drift that a second run clears.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { signedAmount } from './ledger-entry';
import type { LedgerDeps } from './settle';

export interface Drift {
  userId: string;
  remaining: number;
  ledgerSum: number;
  difference: number;
}

export interface AuditReport {
  usersChecked: number;
  ledgerEntries: number;
  drift: Drift[];
  totals: { credited: number; debited: number; remaining: number };
}

const SCAN_PAGE_SIZE = 1_000;
/** A hard stop so a mistaken table name can never scan forever. */
const MAX_SCAN_PAGES = 1_000_000;

async function scanAll(deps: LedgerDeps, table: string, projection: string, pageSize: number, onItem: (item: Record<string, AttributeValue>) => void, onPage?: (items: number) => void): Promise<void> {
  let startKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < MAX_SCAN_PAGES; page++) {
    const result = await deps.dynamodb.send(new ScanCommand({
      TableName: table, ProjectionExpression: projection, ExpressionAttributeNames: { '#t': 'type' },
      ConsistentRead: true, Limit: pageSize, ExclusiveStartKey: startKey,
    }));
    for (const item of result.Items ?? []) onItem(item);
    onPage?.(result.Items?.length ?? 0);
    startKey = result.LastEvaluatedKey;
    if (!startKey) return;
  }
  throw new Error(`scan of ${table} exceeded ${MAX_SCAN_PAGES} pages`);
}

export async function auditAllBalances(deps: LedgerDeps, onProgress?: (scanned: number) => void, pageSize = SCAN_PAGE_SIZE): Promise<AuditReport> {
  const ledgerSums = new Map<string, number>();
  let entries = 0;
  let credited = 0;
  let debited = 0;
  await scanAll(deps, deps.tables.ledger, 'userId, #t, amount', pageSize, (item) => {
    const userId = item.userId?.S ?? '';
    const entry = { type: item.type?.S ?? '', amount: Number(item.amount?.N ?? 0) };
    if (entry.type === 'credit') credited += entry.amount; else debited += entry.amount;
    ledgerSums.set(userId, (ledgerSums.get(userId) ?? 0) + signedAmount(entry));
    entries++;
  }, (n) => onProgress?.(n));

  const balances = new Map<string, number>();
  let remainingTotal = 0;
  // `#t` is unused here but harmless; one projection helper keeps the scan code single.
  await scanAll(deps, deps.tables.credits, 'userId, remaining, #t', pageSize, (item) => {
    const remaining = Number(item.remaining?.N ?? 0);
    balances.set(item.userId?.S ?? '', remaining);
    remainingTotal += remaining;
  });

  const drift: Drift[] = [];
  for (const userId of new Set([...ledgerSums.keys(), ...balances.keys()])) {
    const remaining = balances.get(userId) ?? 0;
    const ledgerSum = ledgerSums.get(userId) ?? 0;
    if (remaining !== ledgerSum) drift.push({ userId, remaining, ledgerSum, difference: remaining - ledgerSum });
  }
  drift.sort((a, b) => a.userId.localeCompare(b.userId));
  return { usersChecked: new Set([...ledgerSums.keys(), ...balances.keys()]).size, ledgerEntries: entries, drift, totals: { credited, debited, remaining: remainingTotal } };
}
