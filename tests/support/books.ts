/** Reads the whole books of a test's tables, for assertions (small tables only). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { scanTable } from '../../sim/books';
import type { TableNames } from '../../shared/tables';

export interface Books {
  balances: Record<string, number>;
  ledger: Record<string, any>[];
  jobs: Record<string, any>;
  /** The reconciler's own state per job (Settlements), by jobId. */
  settlements: Record<string, any>;
}

export async function readBooks(client: DynamoDBClient, tables: TableNames): Promise<Books> {
  const [credits, ledger, jobs, settlements] = await Promise.all([
    scanTable(client, tables.credits),
    scanTable(client, tables.ledger),
    scanTable(client, tables.jobs),
    scanTable(client, tables.settlements),
  ]);
  return {
    balances: Object.fromEntries(credits.map((c) => [c.userId, Number(c.remaining)])),
    ledger: ledger.sort((a, b) => String(a.ledgerId).localeCompare(String(b.ledgerId))),
    jobs: Object.fromEntries(jobs.map((j) => [j.jobId, j])),
    settlements: Object.fromEntries(settlements.map((s) => [s.jobId, s])),
  };
}

/** Σ credits − Σ debits per user, from the ledger. */
export function ledgerSums(ledger: Record<string, any>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const e of ledger)
    sums[e.userId] = (sums[e.userId] ?? 0) + (e.type === 'credit' ? Number(e.amount) : -Number(e.amount));
  return sums;
}
