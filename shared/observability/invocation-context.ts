/**
 * Which invocation a log line belongs to: the platform's request id and whether this invocation paid
 * the cold start. The logger adds these to every line (logger.ts, a pino mixin), so an on-call
 * engineer can filter one invocation's lines, or the cold ones, without every caller passing them.
 *
 * Kept in AsyncLocalStorage, not a module variable: the local EventBridge and the tests run many
 * invocations concurrently in one process, and each must keep its own id. Nothing here knows Lambda;
 * shared/lambda/middlewares.ts fills it from the Lambda context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface InvocationContext {
  awsRequestId: string;
  coldStart: boolean;
}

const storage = new AsyncLocalStorage<InvocationContext>();
let invocationsInThisProcess = 0;

/** Marks the rest of the current async chain as this invocation; the first one in a process is cold. */
export function enterInvocation(awsRequestId: string): InvocationContext {
  const context = { awsRequestId, coldStart: invocationsInThisProcess === 0 };
  invocationsInThisProcess += 1;
  storage.enterWith(context);
  return context;
}

/** The fields every log line gets; none outside an invocation (the CLI, the demo's own lines). */
export function invocationLogFields(): Partial<InvocationContext> {
  const context = storage.getStore();
  return context ? { awsRequestId: context.awsRequestId, coldStart: context.coldStart } : {};
}
