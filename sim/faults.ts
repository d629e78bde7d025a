/**
 * Faults the demo and the chaos suite inject into the handlers' DynamoDB client: seeded random
 * transient faults (conflict, throttling, a reply lost after the commit) that the core's retries
 * absorb, and "poisoned" jobs whose writes keep failing until the cause is fixed, so their events
 * exhaust every retry and land in the DLQ.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { conflictError, lostReplyError, throttlingError } from './fault-errors';
import type { Random } from './random';

export interface FaultSettings {
  random: Random;
  /** Probability per write of each transient fault. */
  conflictRate: number;
  throttleRate: number;
  lostReplyRate: number;
  /** Jobs whose every write fails (until removed from the set). */
  poisonedJobs: Set<string>;
}

export interface FaultCounts {
  conflict: number;
  throttle: number;
  lost_reply: number;
  poisoned: number;
}

function jobIdOf(input: Record<string, any>): string | undefined {
  return input?.TransactItems?.[0]?.Update?.Key?.jobId?.S ?? input?.Key?.jobId?.S;
}

export function injectDemoFaults(client: DynamoDBClient, settings: FaultSettings): FaultCounts {
  const counts: FaultCounts = { conflict: 0, throttle: 0, lost_reply: 0, poisoned: 0 };
  const writes = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand']);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!writes.has(context.commandName ?? '')) return next(args);
      const jobId = jobIdOf(args.input as Record<string, any>);
      if (jobId && settings.poisonedJobs.has(jobId)) {
        counts.poisoned++;
        throw throttlingError();
      }
      const roll = settings.random.next();
      if (roll < settings.conflictRate) {
        counts.conflict++;
        throw conflictError();
      }
      if (roll < settings.conflictRate + settings.throttleRate) {
        counts.throttle++;
        throw throttlingError();
      }
      const result = await next(args);
      if (roll < settings.conflictRate + settings.throttleRate + settings.lostReplyRate) {
        counts.lost_reply++;
        throw lostReplyError();
      }
      return result;
    },
    { step: 'initialize', name: 'demoFaults', override: true },
  );
  return counts;
}

/**
 * A deliberately broken core, for proving the chaos checker: strips the idempotency conditions
 * (job not yet settled, ledger id new) from every settlement write, as a careless refactor might.
 */
export function removeIdempotencyConditions(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      if (context.commandName === 'TransactWriteItemsCommand') {
        for (const item of input.TransactItems ?? []) {
          const write = item.Update ?? item.Put;
          if (write?.ConditionExpression?.includes('attribute_not_exists')) dropCondition(write);
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'brokenCore', override: true, priority: 'low' },
  );
}

/** Deletes a write's condition, and the placeholders only it used (DynamoDB refuses unused ones). */
function dropCondition(write: Record<string, any>): void {
  delete write.ConditionExpression;
  const used = `${write.UpdateExpression ?? ''}`;
  for (const key of ['ExpressionAttributeValues', 'ExpressionAttributeNames'] as const) {
    const map = write[key] as Record<string, unknown> | undefined;
    if (!map) continue;
    for (const placeholder of Object.keys(map))
      if (!new RegExp(`${placeholder}(?![A-Za-z0-9_])`).test(used)) delete map[placeholder];
    if (Object.keys(map).length === 0) delete write[key];
  }
}

/**
 * A weakened core, for proving the chaos checker: drops the refund's check of the job's debit entry
 * (the ConditionCheck on the Ledger), so a refund trusts the settlement's `charged` alone.
 */
export function removeRefundDebitCheck(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      if (context.commandName === 'TransactWriteItemsCommand') {
        input.TransactItems = (input.TransactItems ?? []).filter(
          (item: Record<string, unknown>) => item.ConditionCheck === undefined,
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'weakenedCore', override: true, priority: 'low' },
  );
}

/**
 * A weakened reserve, for proving the chaos checker: drops the condition that `available` covers the
 * hold from the reserve's balance update, so holds can take more than the user has.
 */
export function removeReserveBalanceCheck(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      const [hold, balance] = input.TransactItems ?? [];
      if (
        context.commandName === 'TransactWriteItemsCommand' &&
        hold?.Update?.UpdateExpression?.includes('holdState = :active') &&
        balance?.Update
      ) {
        dropCondition(balance.Update);
      }
      return next(args);
    },
    { step: 'initialize', name: 'weakenedReserve', override: true, priority: 'low' },
  );
}
