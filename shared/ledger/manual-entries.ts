/**
 * Grants (top-ups, opening balances) and manual adjustments: one ledger entry and the balance
 * change in one transaction, idempotent by the operator's reference. Replaces the old manual runbook's
 * "update-item then put-item" by hand, which could leave a balance without its ledger entry.
 */
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictingReferenceError, InvariantViolation, UsageError } from '../errors';
import { ID_PATTERN } from '../events/ids';
import { balanceUpdate } from './balance';
import { ledgerIds } from './ids';
import { MAX_ENTRY_CREDITS, ledgerItem, type EntryKind } from './ledger-entry';
import { DEFAULT_RETRY_POLICY, cancellationReasons, withRetries } from './retry';
import type { LedgerDeps } from './types';
import { currentTime } from '../time';

export interface ManualEntryRequest {
  userId: string;
  /** Signed credits: grants must be positive; adjustments may be either sign, never zero. */
  credits: number;
  reference: string;
  description: string;
  /** Allow an adjustment to take the balance below zero. */
  allowNegative?: boolean;
}

export interface ManualEntryResult {
  status: 'applied' | 'already_applied';
  ledgerId: string;
}

const SAFE_TEXT = new RegExp(ID_PATTERN);

function validate(kind: EntryKind, request: ManualEntryRequest): void {
  if (!SAFE_TEXT.test(request.userId))
    throw new UsageError(`user id "${request.userId}" must be 1-128 of A-Z a-z 0-9 _ . : @ / -`);
  if (!SAFE_TEXT.test(request.reference))
    throw new UsageError(`reference "${request.reference}" must be 1-128 of A-Z a-z 0-9 _ . : @ / -`);
  if (
    !Number.isSafeInteger(request.credits) ||
    request.credits === 0 ||
    Math.abs(request.credits) > MAX_ENTRY_CREDITS
  ) {
    throw new UsageError(`credits must be a non-zero integer of at most ${MAX_ENTRY_CREDITS}, got ${request.credits}`);
  }
  if (kind === 'grant' && request.credits < 0)
    throw new UsageError('a grant must be positive; use adjust to take credits away');
  if (request.description.length > 512) throw new UsageError('description is limited to 512 characters');
}

export const grantCredits = (deps: LedgerDeps, request: ManualEntryRequest) => writeManualEntry(deps, 'grant', request);
export const adjustCredits = (deps: LedgerDeps, request: ManualEntryRequest) =>
  writeManualEntry(deps, 'adjustment', request);

async function writeManualEntry(
  deps: LedgerDeps,
  kind: 'grant' | 'adjustment',
  request: ManualEntryRequest,
): Promise<ManualEntryResult> {
  validate(kind, request);
  const ledgerId = kind === 'grant' ? ledgerIds.grant(request.reference) : ledgerIds.adjustment(request.reference);
  const nowIso = currentTime(deps).toISOString();
  const amount = Math.abs(request.credits);
  const type = request.credits > 0 ? 'credit' : 'debit';
  const guardBalance = request.credits < 0 && !request.allowNegative;
  const input = {
    TransactItems: [
      {
        Put: {
          TableName: deps.tables.ledger,
          Item: ledgerItem({
            ledgerId,
            userId: request.userId,
            timestamp: nowIso,
            type,
            kind,
            amount,
            reference: request.reference,
            eventId: `cli:${request.reference}`,
            description: request.description,
          }),
          ConditionExpression: 'attribute_not_exists(ledgerId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
      {
        // A negative adjustment may not take credits that active holds reserve, unless told.
        Update: balanceUpdate(
          deps.tables.credits,
          request.userId,
          { remaining: request.credits, held: 0 },
          guardBalance ? { kind: 'covered', need: amount } : { kind: 'none' },
          nowIso,
        ),
      },
    ],
  };
  try {
    await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `${kind} ${request.reference}`, () =>
      deps.dynamodb.send(new TransactWriteItemsCommand(input)),
    );
    return { status: 'applied', ledgerId };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons === undefined) throw error;
    const existing = reasons[0]?.Code === 'ConditionalCheckFailed' ? reasons[0].Item : undefined;
    if (existing) {
      const entry = unmarshall(existing as never);
      if (entry.userId === request.userId && Number(entry.amount) === amount && entry.type === type)
        return { status: 'already_applied', ledgerId };
      throw new ConflictingReferenceError(
        `reference ${request.reference} already used for ${entry.type} of ${entry.amount} to user ${entry.userId}; choose a new reference`,
      );
    }
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      throw new InvariantViolation(`ledger entry ${ledgerId} exists but DynamoDB did not return it`);
    }
    if (reasons[1]?.Code === 'ConditionalCheckFailed') {
      throw new UsageError(
        `user ${request.userId} has fewer than ${amount} credits available (credits in active holds excluded); pass --allow-negative to take the balance below zero`,
      );
    }
    throw error;
  }
}
