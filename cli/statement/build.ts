/**
 * A user's statement, from the ledger's own readers (shared/ledger) and the sweep's per-user audit
 * (shared/sweep/balance-audit): opening balance, every entry in the range, active holds, closing
 * balance, and whether the books agree. Reads only.
 */
import { getBalance, getHistory, MAX_PAGE_SIZE, type Balance } from '../../shared/ledger/queries';
import { activeHoldsOf, type ActiveHold } from '../../shared/ledger/holds';
import { signedAmount, type LedgerEntry } from '../../shared/ledger/ledger-entry';
import { auditUser } from '../../shared/sweep/balance-audit';
import type { LedgerDeps } from '../../shared/ledger/types';

export interface StatementRange {
  from?: string;
  to?: string;
}

export interface Statement {
  userId: string;
  range: StatementRange;
  /** Σ signed entries before `from` (0 without one). */
  opening: number;
  /** Entries with from ≤ timestamp ≤ to, oldest first, each with its balance after it. */
  entries: (LedgerEntry & { signed: number; balanceAfter: number })[];
  closing: number;
  balance: Balance;
  holds: ActiveHold[];
  holdsTruncated: boolean;
  /** The sweep's audit of this user: balance vs ledger sum, and every entry justified. */
  audit: { matches: boolean; status: 'ok' | 'drift' | 'too_long'; difference?: number; unjustified: number };
}

/** Ledger pages one statement may read (500 entries each): a statement is a support tool, not an export. */
const MAX_PAGES = 200;

async function allEntries(deps: LedgerDeps, userId: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await getHistory(deps, userId, { limit: MAX_PAGE_SIZE, cursor, oldestFirst: true });
    entries.push(...result.entries);
    if (!result.next) return entries;
    cursor = result.next;
  }
  throw new Error(
    `user ${userId} has more than ${MAX_PAGES * MAX_PAGE_SIZE} ledger entries; use \`reconciler ledger\` pages`,
  );
}

async function auditOf(deps: LedgerDeps, userId: string): Promise<Statement['audit']> {
  const audit = await auditUser(
    deps,
    { requests: 0 },
    userId,
    { maxLedgerPagesPerUser: MAX_PAGES, driftRecheckDelayMs: 0 },
    async () => undefined,
  );
  if (audit.status === 'too_long') return { matches: false, status: 'too_long', unjustified: 0 };
  const unjustified = audit.unjustified.length;
  if (audit.status === 'drift')
    return { matches: false, status: 'drift', difference: audit.finding.difference, unjustified };
  return { matches: unjustified === 0, status: 'ok', unjustified };
}

export async function buildStatement(deps: LedgerDeps, userId: string, range: StatementRange = {}): Promise<Statement> {
  const [all, balance, { holds, truncated }, audit] = await Promise.all([
    allEntries(deps, userId),
    getBalance(deps, userId),
    activeHoldsOf(deps, userId),
    auditOf(deps, userId),
  ]);
  const before = (e: LedgerEntry) => range.from !== undefined && e.timestamp < range.from;
  const after = (e: LedgerEntry) => range.to !== undefined && e.timestamp > range.to;
  const opening = all.filter(before).reduce((sum, e) => sum + signedAmount(e), 0);
  let running = opening;
  const entries = all
    .filter((e) => !before(e) && !after(e))
    .map((e) => {
      running += signedAmount(e);
      return { ...e, signed: signedAmount(e), balanceAfter: running };
    });
  return { userId, range, opening, entries, closing: running, balance, holds, holdsTruncated: truncated, audit };
}
