/**
 * Incremental audit: which users did the ledger touch in a time window (the byDay index, one
 * partition per UTC day), and does each one's balance still equal the sum of their ledger
 * (docs/design.md#2-money-rules: remaining == Σ credits − Σ debits)? Cost: the window's ledger entries plus the
 * touched users' histories; never the whole table.
 */
import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ENTRY_NAMES, ENTRY_PROJECTION, entryFactsFrom } from '../ledger/audit';
import { unjustifiedInUserLedger, type EntryFacts, type Unjustified } from '../ledger/justification';
import { signedAmount } from '../ledger/ledger-entry';
import type { LedgerDeps } from '../ledger/types';
import { LEDGER_BY_DAY_INDEX, LEDGER_BY_USER_INDEX, SETTLEMENTS_ACTIVE_HOLDS_INDEX } from '../tables';
import { assertInvariant } from '../errors';
import { DAY_MS } from '../time';

/** Entries per byDay page: the projection is tiny (keys + userId). */
export const TOUCHED_PAGE_SIZE = 1_000;

export interface DriftFinding {
  userId: string;
  remaining: number;
  ledgerSum: number;
  /** remaining − ledgerSum: positive means the balance holds more than the ledger granted. */
  difference: number;
  /** Set when the balance's hold figures disagree: `held` vs Σ of the user's ACTIVE holds, `available` vs remaining − held. */
  holds?: { held: number; activeHolds: number; available: number };
}

/** A balance's hold figures are right when held = Σ active holds and available = remaining − held. */
export function holdFiguresDisagree(remaining: number, held: number, available: number, activeHolds: number): boolean {
  return held !== activeHolds || available !== remaining - held;
}

export type UserAudit =
  | { status: 'ok'; userId: string; unjustified: Unjustified[] }
  | { status: 'drift'; finding: DriftFinding; unjustified: Unjustified[] }
  /** The user's history is longer than the per-user page limit: not audited, reported. */
  | { status: 'too_long'; userId: string };

/** Counts the DynamoDB requests a run sends (the run reports it; the bench checks it). */
export interface RequestCounter {
  requests: number;
}

export function counted<T>(counter: RequestCounter, request: () => Promise<T>): Promise<T> {
  counter.requests++;
  return request();
}

export interface TouchedPage {
  userIds: string[];
  /** Timestamp of the page's last entry: everything up to it has been read. */
  lastTimestamp?: string;
}

/** UTC days (YYYY-MM-DD) from `fromIso` to `untilIso`, inclusive, oldest first. */
export function utcDays(fromIso: string, untilIso: string): string[] {
  const days: string[] = [];
  const until = untilIso.slice(0, 10);
  for (let t = Date.parse(`${fromIso.slice(0, 10)}T00:00:00.000Z`); ; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day > until) return days;
    days.push(day);
    assertInvariant(days.length <= 400, `audit window ${fromIso} … ${untilIso} spans too many days`);
  }
}

/**
 * Pages of user ids from ledger entries with fromIso <= timestamp < untilIso, oldest first.
 * Within a page ids are unique; across pages they repeat (the caller remembers whom it audited).
 */
export async function* touchedUsers(
  deps: LedgerDeps,
  counter: RequestCounter,
  fromIso: string,
  untilIso: string,
): AsyncGenerator<TouchedPage> {
  const lastIncluded = new Date(Date.parse(untilIso) - 1).toISOString();
  if (lastIncluded < fromIso) return;
  for (const day of utcDays(fromIso, lastIncluded)) {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await counted(counter, () =>
        deps.dynamodb.send(
          new QueryCommand({
            TableName: deps.tables.ledger,
            IndexName: LEDGER_BY_DAY_INDEX,
            KeyConditionExpression: '#day = :day AND #ts BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#day': 'day', '#ts': 'timestamp' },
            ExpressionAttributeValues: { ':day': { S: day }, ':from': { S: fromIso }, ':to': { S: lastIncluded } },
            ProjectionExpression: 'userId, #ts',
            Limit: TOUCHED_PAGE_SIZE,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const items = page.Items ?? [];
      const userIds = [
        ...new Set(items.map((i) => i.userId?.S).filter((u): u is string => typeof u === 'string' && u.length > 0)),
      ];
      yield { userIds, lastTimestamp: items.at(-1)?.timestamp?.S };
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

interface UserBooks {
  finding: DriftFinding;
  entries: EntryFacts[];
}

async function readOnce(
  deps: LedgerDeps,
  counter: RequestCounter,
  userId: string,
  maxLedgerPages: number,
): Promise<UserBooks | 'too_long'> {
  const entries: EntryFacts[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    if (pages++ >= maxLedgerPages) return 'too_long';
    const page = await counted(counter, () =>
      deps.dynamodb.send(
        new QueryCommand({
          TableName: deps.tables.ledger,
          IndexName: LEDGER_BY_USER_INDEX,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeNames: { ...ENTRY_NAMES },
          ExpressionAttributeValues: { ':u': { S: userId } },
          ProjectionExpression: ENTRY_PROJECTION,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of page.Items ?? []) entries.push(entryFactsFrom(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const ledgerSum = entries.reduce((sum, entry) => sum + signedAmount(entry), 0);
  const activeHolds = await activeHoldsSum(deps, counter, userId);
  // Balance read after the ledger: a settlement landing in between shows as drift, which the re-check clears.
  const { Item } = await counted(counter, () =>
    deps.dynamodb.send(
      new GetItemCommand({
        TableName: deps.tables.credits,
        Key: { userId: { S: userId } },
        ConsistentRead: true,
        ProjectionExpression: 'remaining, held, available',
      }),
    ),
  );
  const remaining = Number(Item?.remaining?.N ?? 0);
  const held = Number(Item?.held?.N ?? 0);
  // An item from before holds has no `available`: it is remaining − 0, by definition.
  const available = Item?.available?.N === undefined ? remaining - held : Number(Item.available.N);
  const finding: DriftFinding = { userId, remaining, ledgerSum, difference: remaining - ledgerSum };
  if (holdFiguresDisagree(remaining, held, available, activeHolds)) finding.holds = { held, activeHolds, available };
  return { finding, entries };
}

/** Pages of one user's ACTIVE holds read at most (a page holds hundreds). */
const MAX_HOLD_PAGES = 100;

/** Σ credits of the user's ACTIVE holds (expired-but-not-yet-swept ones included: they are still held). */
async function activeHoldsSum(deps: LedgerDeps, counter: RequestCounter, userId: string): Promise<number> {
  let sum = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < MAX_HOLD_PAGES; page++) {
    const result = await counted(counter, () =>
      deps.dynamodb.send(
        new QueryCommand({
          TableName: deps.tables.settlements,
          IndexName: SETTLEMENTS_ACTIVE_HOLDS_INDEX,
          KeyConditionExpression: 'activeHoldUser = :u',
          ExpressionAttributeValues: { ':u': { S: userId } },
          ProjectionExpression: 'holdCredits',
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for (const item of result.Items ?? []) sum += Number(item.holdCredits?.N ?? 0);
    startKey = result.LastEvaluatedKey;
    if (!startKey) return sum;
  }
  throw new Error(`user ${userId} has more active holds than ${MAX_HOLD_PAGES} pages`);
}

const isDrift = (finding: DriftFinding) => finding.difference !== 0 || finding.holds !== undefined;

/**
 * Compares one user's balance with their ledger, and checks that every entry of it is justified. The
 * byUser index is eventually consistent in AWS, and settlements may land between the two reads, so a
 * mismatch is read again after `recheckDelayMs`; only a mismatch that persists is drift. An entry is
 * unjustified only when the second read (if any) still shows it so.
 */
export async function auditUser(
  deps: LedgerDeps,
  counter: RequestCounter,
  userId: string,
  limits: { maxLedgerPagesPerUser: number; driftRecheckDelayMs: number },
  sleep: (ms: number) => Promise<void>,
): Promise<UserAudit> {
  let books = await readOnce(deps, counter, userId, limits.maxLedgerPagesPerUser);
  if (books === 'too_long') return { status: 'too_long', userId };
  if (isDrift(books.finding) || unjustifiedInUserLedger(books.entries).length > 0) {
    await sleep(limits.driftRecheckDelayMs);
    books = await readOnce(deps, counter, userId, limits.maxLedgerPagesPerUser);
    if (books === 'too_long') return { status: 'too_long', userId };
  }
  const unjustified = unjustifiedInUserLedger(books.entries);
  return isDrift(books.finding)
    ? { status: 'drift', finding: books.finding, unjustified }
    : { status: 'ok', userId, unjustified };
}
