/**
 * One matched event's way to its function, as production does it: EventBridge delivers to the
 * rule's target (retry_policy: retries, then the target DLQ), then Lambda invokes the function
 * asynchronously (maximum_retry_attempts, then the on-failure destination or the function's DLQ),
 * within the function's reserved concurrency.
 */
import { randomUUID } from 'node:crypto';
import { sleep } from '../../shared/time';
import type { BusWorld } from './bus-world';
import type { DeadLetters } from './dead-letters';
import type { FaultSwitches } from './fault-switches';
import type { RuleDefinition } from './rules';
import type { DeliveredEvent, LocalEventBridgeStats, LocalLambdaContext, TargetHandler } from './types';

export interface DeliveryParts {
  world: BusWorld;
  targets: Map<string, TargetHandler>;
  faults: FaultSwitches;
  stats: LocalEventBridgeStats;
  letters: DeadLetters;
  withSlot: <T>(work: () => Promise<T>) => Promise<T>;
}

/** At most `max` pieces of work at once; the rest wait their turn in order. */
export function concurrencyLimit(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/** EventBridge's delivery attempts; false when it gave up and dead-lettered the event. */
async function reachTarget(parts: DeliveryParts, rule: RuleDefinition, event: DeliveredEvent): Promise<boolean> {
  const { world, targets, faults, stats, letters } = parts;
  const target = rule.target;
  for (let attempt = 0; ; attempt++) {
    stats.deliveries += 1;
    const fault = faults.takeDelivery(target);
    const missing = !targets.has(target);
    if (!fault && !missing) return true;
    if (attempt >= world.deliveryMaxRetries || missing) {
      // Retries exhausted (or no such function: EventBridge does not retry that): its target DLQ.
      await letters.targetFailed(
        rule,
        event,
        missing
          ? { code: 'RESOURCE_NOT_FOUND', message: `Function not found: ${world.functionArn(target)}`, attempts: 0 }
          : { code: fault!.code, message: fault!.message, attempts: attempt },
      );
      return false;
    }
    await sleep(world.retryDelayMs);
  }
}

function lambdaContext(world: BusWorld, target: string, requestId: string): LocalLambdaContext {
  // Lambda's clock starts when the function starts, not while the invocation waits for
  // concurrency: a deadline taken before the wait made middy time out queued invocations.
  const deadline = Date.now() + world.functionTimeoutMs;
  const functionName = world.functionName(target);
  return {
    functionName,
    functionVersion: '1',
    invokedFunctionArn: world.functionArn(target),
    awsRequestId: requestId,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Lambda's asynchronous invocation with its retries; the last error when every attempt failed. */
async function invokeWithRetries(
  parts: DeliveryParts,
  target: string,
  event: DeliveredEvent,
  requestId: string,
  attempts: number,
): Promise<{ failed: boolean; error?: Error }> {
  const { world, targets, faults, stats, withSlot } = parts;
  let lastError: Error | undefined;
  for (let invoke = 1; invoke <= attempts; invoke++) {
    const handler = targets.get(target)!;
    stats.invocations += 1;
    try {
      const injected = faults.takeInvocation(target);
      await withSlot(async () => {
        const context = lambdaContext(world, target, requestId);
        if (injected) throw injected.error();
        // Lambda hands the function its own copy of the event.
        await handler(structuredClone(event), context);
      });
      return { failed: false };
    } catch (error) {
      stats.invocationErrors += 1;
      lastError = error instanceof Error ? error : new Error(String(error));
      if (invoke < attempts) await sleep(world.retryDelayMs);
    }
  }
  return { failed: true, ...(lastError ? { error: lastError } : {}) };
}

export function deliverer(parts: DeliveryParts): (rule: RuleDefinition, event: DeliveredEvent) => Promise<void> {
  return async (rule, event) => {
    if (!(await reachTarget(parts, rule, event))) return;
    const requestId = randomUUID();
    const attempts = 1 + parts.world.lambdaMaxRetries;
    const outcome = await invokeWithRetries(parts, rule.target, event, requestId, attempts);
    if (outcome.failed)
      await parts.letters.invocationFailed(rule.target, event, { requestId, attempts, error: outcome.error });
  };
}
