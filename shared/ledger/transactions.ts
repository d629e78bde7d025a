/**
 * Builds the one conditional write behind each decision of the state machine. Pure: no clients.
 * Every write lands in the reconciler's own tables (Settlements, Ledger, Credits), never in the
 * producers' Jobs table, and each re-checks in its condition the state its decision assumed:
 * - debit / no_charge require `attribute_not_exists(settlement)` on the job's settlement;
 * - refund requires `settlement = DEBITED AND charged = :credits AND settledUserId = :user`, and
 *   checks the ledger's debit entry of the job (same user, same amount) inside the same transaction,
 *   so not even a bug or a forged settlement can pay back more than was charged;
 * - every ledger put requires its deterministic ledgerId to be new;
 * - a debit requires the balance to cover the price (`covered`) or, once that failed, to stay above
 *   the workspace's overdraft floor (`floor`): an overdraft is recorded and flagged, a debit beyond
 *   the floor is not written at all.
 * A price or refund of 0 moves no money: only the settlement is written (no ledger entry, which
 * must be positive, and no balance change).
 * A failed settlement condition returns the old settlement (ReturnValuesOnConditionCheckFailure),
 * so the executor can decide again without another read.
 */
import type { AttributeValue, TransactWriteItem, TransactWriteItemsCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../tables';
import { ledgerIds } from './ids';
import { ledgerItem } from './ledger-entry';
import type { SettlementEvent } from './types';

/** What each item of a settlement transaction is for; cancellation reasons come back in item order. */
export type TxRole = 'settlement' | 'ledger' | 'balance' | 'debit_check';

/** An update that can stand alone (UpdateItem) or be an item of a transaction. */
type Update = NonNullable<TransactWriteItem['Update']>;

/** One request: a single conditional update, or a transaction whose items have the given roles. */
export type SettlementWrite =
  | { kind: 'update'; input: UpdateItemCommandInput }
  | { kind: 'transaction'; input: TransactWriteItemsCommandInput; roles: TxRole[] };

/**
 * How much of a debit the balance must cover: all of it, or all but the overdraft floor
 * (`remaining - price >= -floorCredits`).
 */
export type BalanceGuard = { kind: 'covered' } | { kind: 'floor'; floorCredits: number };

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

function describe(event: SettlementEvent, verb: string): string {
  return `${verb} ${event.model} ${event.seconds}s job ${event.jobId}`;
}

/** The first settlement of a job (debit or no-charge): the same attributes either way. */
function firstSettlement(
  tables: TableNames, event: SettlementEvent, settlement: 'DEBITED' | 'NO_CHARGE', charged: number, nowIso: string,
): Update {
  const eventIdField = settlement === 'DEBITED' ? 'renderedEventId' : 'failedEventId';
  const values: Record<string, AttributeValue> = {
    ':settlement': s(settlement), ':charged': n(charged), ':zero': n(0), ':now': s(nowIso), ':user': s(event.userId), ':event': s(event.eventId),
  };
  if (event.quotedCredits !== undefined) values[':quote'] = n(event.quotedCredits);
  return {
    TableName: tables.settlements,
    Key: { jobId: s(event.jobId) },
    UpdateExpression: `SET settlement = :settlement, charged = :charged, refunded = :zero, settledAt = :now, settledUserId = :user, ${eventIdField} = :event${event.quotedCredits === undefined ? '' : ', quotedCredits = :quote'}`,
    ConditionExpression: 'attribute_not_exists(settlement)',
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

function debitBalanceUpdate(tables: TableNames, event: SettlementEvent, credits: number, nowIso: string, guard: BalanceGuard): Update {
  const values: Record<string, AttributeValue> = { ':minus': n(-credits), ':now': s(nowIso) };
  let condition: string;
  if (guard.kind === 'covered') {
    values[':need'] = n(credits);
    condition = 'remaining >= :need';
  } else {
    const lowest = credits - guard.floorCredits;
    values[':lowest'] = n(lowest);
    // No Credits item yet means a balance of 0, which is within the floor when the price is.
    condition = lowest <= 0 ? 'attribute_not_exists(remaining) OR remaining >= :lowest' : 'remaining >= :lowest';
  }
  return {
    TableName: tables.credits,
    Key: { userId: s(event.userId) },
    UpdateExpression: 'ADD remaining :minus SET updatedAt = :now',
    ConditionExpression: condition,
    ExpressionAttributeValues: values,
  };
}

export function debitWrite(tables: TableNames, event: SettlementEvent, credits: number, nowIso: string, guard: BalanceGuard): SettlementWrite {
  const settlement = firstSettlement(tables, event, 'DEBITED', credits, nowIso);
  if (credits === 0) return { kind: 'update', input: settlement };
  const entry = ledgerItem({
    ledgerId: ledgerIds.debit(event.jobId), userId: event.userId, timestamp: nowIso, type: 'debit', kind: 'render',
    amount: credits, reference: event.jobId, eventId: event.eventId, description: describe(event, 'rendered'),
  });
  return {
    kind: 'transaction',
    roles: ['settlement', 'ledger', 'balance'],
    input: {
      TransactItems: [
        { Update: settlement },
        { Put: { TableName: tables.ledger, Item: entry, ConditionExpression: 'attribute_not_exists(ledgerId)' } },
        { Update: debitBalanceUpdate(tables, event, credits, nowIso, guard) },
      ],
    },
  };
}

/** A failed job that was never charged settles at zero: one item, no ledger entry, no balance change. */
export function noChargeWrite(tables: TableNames, event: SettlementEvent, nowIso: string): SettlementWrite {
  return { kind: 'update', input: firstSettlement(tables, event, 'NO_CHARGE', 0, nowIso) };
}

/**
 * Gives back exactly what the job was charged. `credits` is the settlement's `charged`; the debit
 * check proves the ledger holds a debit of that amount for this job and user.
 */
export function refundWrite(tables: TableNames, event: SettlementEvent, credits: number, nowIso: string): SettlementWrite {
  const settlement: Update = {
    TableName: tables.settlements,
    Key: { jobId: s(event.jobId) },
    UpdateExpression: 'SET settlement = :refunded, refunded = :credits, settledAt = :now, failedEventId = :event',
    ConditionExpression: 'settlement = :debited AND charged = :credits AND settledUserId = :user',
    ExpressionAttributeValues: {
      ':refunded': s('REFUNDED'), ':debited': s('DEBITED'), ':credits': n(credits), ':now': s(nowIso), ':event': s(event.eventId), ':user': s(event.userId),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
  if (credits === 0) return { kind: 'update', input: settlement };
  const entry = ledgerItem({
    ledgerId: ledgerIds.refund(event.jobId), userId: event.userId, timestamp: nowIso, type: 'credit', kind: 'refund',
    amount: credits, reference: event.jobId, eventId: event.eventId,
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
          Update: {
            TableName: tables.credits,
            Key: { userId: s(event.userId) },
            UpdateExpression: 'ADD remaining :credits SET updatedAt = :now',
            ExpressionAttributeValues: { ':credits': n(credits), ':now': s(nowIso) },
          },
        },
        {
          ConditionCheck: {
            TableName: tables.ledger,
            Key: { ledgerId: s(ledgerIds.debit(event.jobId)) },
            ConditionExpression: 'attribute_exists(ledgerId) AND #type = :debit AND kind = :render AND amount = :credits AND userId = :user',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':debit': s('debit'), ':render': s('render'), ':credits': n(credits), ':user': s(event.userId) },
          },
        },
      ],
    },
  };
}
