/**
 * Fault injection through SDK client middleware (DynamoDB Local never produces TransactionConflict
 * or throttling). Faults are decided per request by a plan; `lost_reply` lets the request reach
 * DynamoDB (it commits) and then throws a network error, as when a reply is lost.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { conflictError, lostReplyError, throttlingError } from '../../sim/fault-errors';

export type Fault = 'none' | 'conflict' | 'throttle' | 'lost_reply';

export interface FaultPlan {
  next(commandName: string): Fault;
}

export { conflictError, lostReplyError, throttlingError };

/** Adds the fault middleware; returns counters of what was injected. */
export function injectFaults(client: DynamoDBClient, plan: FaultPlan) {
  const injected: Record<Fault, number> = { none: 0, conflict: 0, throttle: 0, lost_reply: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const fault = plan.next(context.commandName ?? '');
      injected[fault]++;
      if (fault === 'conflict') throw conflictError();
      if (fault === 'throttle') throw throttlingError();
      const result = await next(args);
      if (fault === 'lost_reply') throw lostReplyError();
      return result;
    },
    { step: 'initialize', name: 'testFaultInjection', override: true },
  );
  return injected;
}

/** A plan that applies a fixed list of faults to write commands, in order, then none. */
export function scriptedFaults(
  faults: Fault[],
  commands = ['TransactWriteItemsCommand', 'UpdateItemCommand'],
): FaultPlan {
  const queue = [...faults];
  return { next: (name) => (commands.includes(name) ? (queue.shift() ?? 'none') : 'none') };
}
