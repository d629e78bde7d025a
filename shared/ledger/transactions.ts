/**
 * Builds the one conditional write behind each decision of the state machine. Pure: no clients.
 * Each write re-checks, in its condition, the state the decision assumed:
 * - debit / no_charge require `attribute_not_exists(settlement)` on the job;
 * - refund requires `settlement = DEBITED AND charged = :credits`;
 * - every ledger put requires its deterministic ledgerId to be new;
 * - a debit requires `remaining >= price` unless the caller has seen that fail (overdraft is still
 *   recorded: the work was done; it is flagged, never dropped).
 * A failed job condition returns the old job item (ReturnValuesOnConditionCheckFailure), so the
 * executor can decide again without another read.
 */
import type { TransactWriteItemsCommandInput, UpdateItemCommandInput, AttributeValue } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../tables';
import { ledgerIds } from './ids';
import { ledgerItem } from './ledger-entry';
import type { SettlementEvent } from './types';

/** Index of each item inside a settlement transaction; cancellation reasons come back in this order. */
export const TX_JOB = 0;
export const TX_LEDGER = 1;
export const TX_CREDITS = 2;

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

function describe(event: SettlementEvent, verb: string): string {
  return `${verb} ${event.model} ${event.seconds}s job ${event.jobId}`;
}

export function debitTransaction(
  tables: TableNames, event: SettlementEvent, credits: number, nowIso: string, allowOverdraft: boolean,
): TransactWriteItemsCommandInput {
  const quoteSet = event.quotedCredits === undefined ? '' : ', quotedCredits = :quote';
  const jobValues: Record<string, AttributeValue> = {
    ':debited': s('DEBITED'), ':credits': n(credits), ':zero': n(0), ':now': s(nowIso),
    ':user': s(event.userId), ':event': s(event.eventId),
  };
  if (event.quotedCredits !== undefined) jobValues[':quote'] = n(event.quotedCredits);
  const creditsUpdate: NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number]['Update'] = {
    TableName: tables.credits,
    Key: { userId: s(event.userId) },
    UpdateExpression: 'ADD remaining :minus SET updatedAt = :now',
    ExpressionAttributeValues: { ':minus': n(-credits), ':now': s(nowIso), ...(allowOverdraft ? {} : { ':credits': n(credits) }) },
    ...(allowOverdraft ? {} : { ConditionExpression: 'remaining >= :credits' }),
  };
  return {
    TransactItems: [
      {
        Update: {
          TableName: tables.jobs,
          Key: { jobId: s(event.jobId) },
          UpdateExpression: `SET settlement = :debited, charged = :credits, refunded = :zero, settledAt = :now, settledUserId = :user, renderedEventId = :event${quoteSet} REMOVE sweepShard`,
          ConditionExpression: 'attribute_not_exists(settlement)',
          ExpressionAttributeValues: jobValues,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: tables.ledger,
          Item: ledgerItem({
            ledgerId: ledgerIds.debit(event.jobId), userId: event.userId, timestamp: nowIso, type: 'debit', kind: 'render',
            amount: credits, reference: event.jobId, eventId: event.eventId, description: describe(event, 'rendered'),
          }),
          ConditionExpression: 'attribute_not_exists(ledgerId)',
        },
      },
      { Update: creditsUpdate },
    ],
  };
}

export function refundTransaction(
  tables: TableNames, event: SettlementEvent, credits: number, nowIso: string,
): TransactWriteItemsCommandInput {
  return {
    TransactItems: [
      {
        Update: {
          TableName: tables.jobs,
          Key: { jobId: s(event.jobId) },
          UpdateExpression: 'SET settlement = :refunded, refunded = :credits, settledAt = :now, failedEventId = :event',
          ConditionExpression: 'settlement = :debited AND charged = :credits',
          ExpressionAttributeValues: {
            ':refunded': s('REFUNDED'), ':debited': s('DEBITED'), ':credits': n(credits), ':now': s(nowIso), ':event': s(event.eventId),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Put: {
          TableName: tables.ledger,
          Item: ledgerItem({
            ledgerId: ledgerIds.refund(event.jobId), userId: event.userId, timestamp: nowIso, type: 'credit', kind: 'refund',
            amount: credits, reference: event.jobId, eventId: event.eventId,
            description: `${describe(event, 'refund for failed')}${event.reason ? `: ${event.reason.slice(0, 200)}` : ''}`,
          }),
          ConditionExpression: 'attribute_not_exists(ledgerId)',
        },
      },
      {
        Update: {
          TableName: tables.credits,
          Key: { userId: s(event.userId) },
          UpdateExpression: 'ADD remaining :credits SET updatedAt = :now',
          ExpressionAttributeValues: { ':credits': n(credits), ':now': s(nowIso) },
        },
      },
    ],
  };
}

/** A failed job that was never charged settles at zero: one item, no ledger entry, no balance change. */
export function noChargeUpdate(tables: TableNames, event: SettlementEvent, nowIso: string): UpdateItemCommandInput {
  const quoteSet = event.quotedCredits === undefined ? '' : ', quotedCredits = :quote';
  const values: Record<string, AttributeValue> = {
    ':none': s('NO_CHARGE'), ':zero': n(0), ':now': s(nowIso), ':user': s(event.userId), ':event': s(event.eventId),
  };
  if (event.quotedCredits !== undefined) values[':quote'] = n(event.quotedCredits);
  return {
    TableName: tables.jobs,
    Key: { jobId: s(event.jobId) },
    UpdateExpression: `SET settlement = :none, charged = :zero, refunded = :zero, settledAt = :now, settledUserId = :user, failedEventId = :event${quoteSet} REMOVE sweepShard`,
    ConditionExpression: 'attribute_not_exists(settlement)',
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}
