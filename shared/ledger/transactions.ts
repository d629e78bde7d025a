/**
 * Builds the one conditional write behind each decision of the state machine. Pure: no clients.
 * Every write lands in the reconciler's own tables (Settlements, Ledger, Credits), never in the
 * producers' Jobs table, and each re-checks in its condition the state its decision assumed:
 * - debit / no_charge require `attribute_not_exists(settlement)` on the job's settlement, and the
 *   hold the decision saw: none, or the same state, amount and user (and, for an ACTIVE hold, its
 *   expiry on the right side of now);
 * - refund requires `settlement = DEBITED AND charged = :credits AND settledUserId = :user`, and
 *   checks the ledger's debit entry of the job (same user, same amount) inside the same transaction,
 *   so not even a bug or a forged settlement can pay back more than was charged;
 * - every ledger put requires its deterministic ledgerId to be new;
 * - a debit requires `available` to cover what it takes beyond the job's own hold (`covered`) or,
 *   once that failed, to stay above the workspace's overdraft floor (`floor`): an overdraft is
 *   recorded and flagged, a debit beyond the floor is not written at all.
 * A price or refund of 0 moves no money: no ledger entry (which must be positive). Ending an
 * ACTIVE hold gives its credits back to `available` in the same write (balance.ts).
 * A failed settlement condition returns the old item (ReturnValuesOnConditionCheckFailure), so the
 * executor can decide again without another read.
 */
import type {
  AttributeValue,
  TransactWriteItem,
  TransactWriteItemsCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../tables';
import { balanceUpdate, type BalanceGuard } from './balance';
import { ledgerIds } from './ids';
import { ledgerItem } from './ledger-entry';
import type { HoldChange } from './state-machine';
import type { SettlementEvent } from './types';

/** What each item of a settlement transaction is for; cancellation reasons come back in item order. */
export type TxRole = 'settlement' | 'ledger' | 'balance' | 'debit_check';

/** One request: a single conditional update, or a transaction whose items have the given roles. */
export type SettlementWrite =
  | { kind: 'update'; input: UpdateItemCommandInput }
  | { kind: 'transaction'; input: TransactWriteItemsCommandInput; roles: TxRole[] };

/** How strictly a debit's balance is guarded: all it takes must be available, or all but the floor. */
export type DebitGuard = { kind: 'covered' } | { kind: 'floor'; floorCredits: number };

type Update = NonNullable<TransactWriteItem['Update']>;

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

function describe(event: SettlementEvent, verb: string): string {
  return `${verb} ${event.model} ${event.seconds}s job ${event.jobId}`;
}

/** The condition and changes on the hold's attributes that a first settlement carries. */
function holdParts(
  hold: HoldChange | undefined,
  values: Record<string, AttributeValue>,
): { condition: string; sets: string[]; removes: string[] } {
  if (hold === undefined) return { condition: 'attribute_not_exists(holdState)', sets: [], removes: [] };
  values[':holdFrom'] = s(hold.from);
  values[':holdCredits'] = n(hold.credits);
  const expiry =
    hold.expiry === 'not_expired'
      ? ' AND holdExpiresAt > :now'
      : hold.expiry === 'expired'
        ? ' AND holdExpiresAt <= :now'
        : '';
  const condition = `holdState = :holdFrom AND holdCredits = :holdCredits AND holdUserId = :user${expiry}`;
  if (hold.to === hold.from) return { condition, sets: [], removes: [] };
  values[':holdTo'] = s(hold.to);
  // Off the holds indexes: only ACTIVE holds carry their keys.
  return { condition, sets: ['holdState = :holdTo', 'holdEndedAt = :now'], removes: ['holdShard', 'activeHoldUser'] };
}

/** The first settlement of a job (debit or no-charge), ending its hold when it has one. */
function firstSettlement(
  tables: TableNames,
  event: SettlementEvent,
  settlement: 'DEBITED' | 'NO_CHARGE',
  charged: number,
  nowIso: string,
  hold: HoldChange | undefined,
  overdraft = false,
): Update {
  const eventIdField = settlement === 'DEBITED' ? 'renderedEventId' : 'failedEventId';
  const values: Record<string, AttributeValue> = {
    ':settlement': s(settlement),
    ':charged': n(charged),
    ':zero': n(0),
    ':now': s(nowIso),
    ':user': s(event.userId),
    ':event': s(event.eventId),
  };
  const sets = [
    'settlement = :settlement',
    'charged = :charged',
    'refunded = :zero',
    'settledAt = :now',
    'settledUserId = :user',
    `${eventIdField} = :event`,
  ];
  if (overdraft) {
    // Kept with the settlement, so that a retry which finds its own lost write still reports it.
    sets.push('overdraft = :overdraft');
    values[':overdraft'] = { BOOL: true };
  }
  if (event.quotedCredits !== undefined) {
    sets.push('quotedCredits = :quote');
    values[':quote'] = n(event.quotedCredits);
  }
  const parts = holdParts(hold, values);
  return {
    TableName: tables.settlements,
    Key: { jobId: s(event.jobId) },
    UpdateExpression: `SET ${[...sets, ...parts.sets].join(', ')}${parts.removes.length > 0 ? ` REMOVE ${parts.removes.join(', ')}` : ''}`,
    ConditionExpression: `attribute_not_exists(settlement) AND ${parts.condition}`,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Credits an ACTIVE hold gives back when this settlement ends it (0 otherwise). */
const releasedBy = (hold: HoldChange | undefined) => (hold?.from === 'ACTIVE' ? hold.credits : 0);

export function debitWrite(
  tables: TableNames,
  event: SettlementEvent,
  credits: number,
  nowIso: string,
  guard: DebitGuard,
  hold?: HoldChange,
): SettlementWrite {
  const settlement = firstSettlement(tables, event, 'DEBITED', credits, nowIso, hold, guard.kind === 'floor');
  const released = releasedBy(hold);
  if (credits === 0 && released === 0) return { kind: 'update', input: settlement };
  const need = credits - released;
  const balanceGuard: BalanceGuard =
    guard.kind === 'covered' ? { kind: 'covered', need } : { kind: 'floor', need, floorCredits: guard.floorCredits };
  const balance = balanceUpdate(
    tables.credits,
    event.userId,
    { remaining: -credits, held: -released },
    balanceGuard,
    nowIso,
    // A refused guard returns the balance: its `held` says whether a due hold could be in the way.
    true,
  );
  const items: TransactWriteItem[] = [{ Update: settlement }];
  const roles: TxRole[] = ['settlement'];
  if (credits > 0) {
    const entry = ledgerItem({
      ledgerId: ledgerIds.debit(event.jobId),
      userId: event.userId,
      timestamp: nowIso,
      type: 'debit',
      kind: 'render',
      amount: credits,
      reference: event.jobId,
      eventId: event.eventId,
      description: describe(event, 'rendered'),
    });
    items.push({
      Put: { TableName: tables.ledger, Item: entry, ConditionExpression: 'attribute_not_exists(ledgerId)' },
    });
    roles.push('ledger');
  }
  items.push({ Update: balance });
  roles.push('balance');
  return { kind: 'transaction', roles, input: { TransactItems: items } };
}

/** A failed job that was never charged settles at zero: no ledger entry; an ACTIVE hold's credits come back. */
export function noChargeWrite(
  tables: TableNames,
  event: SettlementEvent,
  nowIso: string,
  hold?: HoldChange,
): SettlementWrite {
  const settlement = firstSettlement(tables, event, 'NO_CHARGE', 0, nowIso, hold);
  const released = releasedBy(hold);
  if (released === 0) return { kind: 'update', input: settlement };
  return {
    kind: 'transaction',
    roles: ['settlement', 'balance'],
    input: {
      TransactItems: [
        { Update: settlement },
        {
          Update: balanceUpdate(
            tables.credits,
            event.userId,
            { remaining: 0, held: -released },
            { kind: 'none' },
            nowIso,
          ),
        },
      ],
    },
  };
}

/**
 * Gives back exactly what the job was charged. `credits` is the settlement's `charged`; the debit
 * check proves the ledger holds a debit of that amount for this job and user.
 */
export function refundWrite(
  tables: TableNames,
  event: SettlementEvent,
  credits: number,
  nowIso: string,
): SettlementWrite {
  const settlement: Update = {
    TableName: tables.settlements,
    Key: { jobId: s(event.jobId) },
    UpdateExpression: 'SET settlement = :refunded, refunded = :credits, settledAt = :now, failedEventId = :event',
    ConditionExpression: 'settlement = :debited AND charged = :credits AND settledUserId = :user',
    ExpressionAttributeValues: {
      ':refunded': s('REFUNDED'),
      ':debited': s('DEBITED'),
      ':credits': n(credits),
      ':now': s(nowIso),
      ':event': s(event.eventId),
      ':user': s(event.userId),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
  if (credits === 0) return { kind: 'update', input: settlement };
  const entry = ledgerItem({
    ledgerId: ledgerIds.refund(event.jobId),
    userId: event.userId,
    timestamp: nowIso,
    type: 'credit',
    kind: 'refund',
    amount: credits,
    reference: event.jobId,
    eventId: event.eventId,
    description: `${describe(event, 'refund for failed')}${event.reason ? `: ${event.reason.slice(0, 200)}` : ''}`,
  });
  return {
    kind: 'transaction',
    roles: ['settlement', 'ledger', 'balance', 'debit_check'],
    input: {
      TransactItems: [
        { Update: settlement },
        { Put: { TableName: tables.ledger, Item: entry, ConditionExpression: 'attribute_not_exists(ledgerId)' } },
        {
          Update: balanceUpdate(
            tables.credits,
            event.userId,
            { remaining: credits, held: 0 },
            { kind: 'none' },
            nowIso,
          ),
        },
        {
          ConditionCheck: {
            TableName: tables.ledger,
            Key: { ledgerId: s(ledgerIds.debit(event.jobId)) },
            ConditionExpression:
              'attribute_exists(ledgerId) AND #type = :debit AND kind = :render AND amount = :credits AND userId = :user',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: {
              ':debit': s('debit'),
              ':render': s('render'),
              ':credits': n(credits),
              ':user': s(event.userId),
            },
          },
        },
      ],
    },
  };
}
