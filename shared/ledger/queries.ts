/** Read-side helpers: a user's balance and a page of their ledger history. */
import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LEDGER_BY_USER_INDEX, SETTLEMENTS_ACTIVE_HOLDS_INDEX } from '../tables';
import type { LedgerEntry } from './ledger-entry';
import type { LedgerDeps } from './types';
import { currentTime } from '../time';

export interface Balance {
  userId: string;
  /** Credits the ledger says the user has (Σ credits − Σ debits). */
  remaining: number;
  /** Credits held by ACTIVE holds that have not expired (a hold past its expiry is not held, swept or not). */
  held: number;
  /** remaining − held: what a reserve could take now. */
  available: number;
  /** Holds past their expiry the sweep has not ended yet: counted as available above. */
  expiredUnswept: { count: number; credits: number };
  updatedAt?: string;
  exists: boolean;
}

export async function getBalance(deps: LedgerDeps, userId: string): Promise<Balance> {
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({ TableName: deps.tables.credits, Key: { userId: { S: userId } }, ConsistentRead: true }),
  );
  if (!Item)
    return { userId, remaining: 0, held: 0, available: 0, expiredUnswept: { count: 0, credits: 0 }, exists: false };
  const item = unmarshall(Item);
  const remaining = Number(item.remaining ?? 0);
  const storedHeld = Number(item.held ?? 0);
  const expiredUnswept = storedHeld > 0 ? await expiredHoldsOf(deps, userId) : { count: 0, credits: 0 };
  const held = storedHeld - expiredUnswept.credits;
  return {
    userId,
    remaining,
    held,
    available: remaining - held,
    expiredUnswept,
    updatedAt: item.updatedAt as string | undefined,
    exists: true,
  };
}

/** The user's ACTIVE holds already past their expiry (the activeHolds index, by expiry). */
async function expiredHoldsOf(deps: LedgerDeps, userId: string): Promise<{ count: number; credits: number }> {
  const nowIso = currentTime(deps).toISOString();
  const found = { count: 0, credits: 0 };
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await deps.dynamodb.send(
      new QueryCommand({
        TableName: deps.tables.settlements,
        IndexName: SETTLEMENTS_ACTIVE_HOLDS_INDEX,
        KeyConditionExpression: 'activeHoldUser = :u AND holdExpiresAt <= :now',
        ExpressionAttributeValues: { ':u': { S: userId }, ':now': { S: nowIso } },
        ProjectionExpression: 'holdCredits',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const hold of page.Items ?? []) {
      found.count++;
      found.credits += Number(hold.holdCredits?.N ?? 0);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

export const MAX_PAGE_SIZE = 500;

export interface HistoryPage {
  entries: LedgerEntry[];
  /** Opaque cursor for the next page, absent on the last one. */
  next?: string;
}

export function encodeCursor(key: Record<string, AttributeValue> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Record<string, AttributeValue> | undefined {
  if (!cursor) return undefined;
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, AttributeValue>;
}

export function entryFrom(item: Record<string, AttributeValue>): LedgerEntry {
  const raw = unmarshall(item);
  return {
    ledgerId: raw.ledgerId,
    userId: raw.userId,
    timestamp: raw.timestamp,
    type: raw.type,
    kind: raw.kind,
    amount: Number(raw.amount),
    reference: raw.reference,
    eventId: raw.eventId,
    description: raw.description,
  };
}

/** Newest first by default; the byUser index is eventually consistent (a just-written entry may lag). */
export async function getHistory(
  deps: LedgerDeps,
  userId: string,
  options: { limit?: number; cursor?: string; oldestFirst?: boolean } = {},
): Promise<HistoryPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE_SIZE);
  const result = await deps.dynamodb.send(
    new QueryCommand({
      TableName: deps.tables.ledger,
      IndexName: LEDGER_BY_USER_INDEX,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': { S: userId } },
      ScanIndexForward: options.oldestFirst ?? false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(options.cursor),
    }),
  );
  return { entries: (result.Items ?? []).map(entryFrom), next: encodeCursor(result.LastEvaluatedKey) };
}
