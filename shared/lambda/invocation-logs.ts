/** The middleware that puts the invocation's request id and cold-start flag on every log line. */
import type middy from '@middy/core';
import { randomUUID } from 'node:crypto';
import { enterInvocation } from '../observability/invocation-context';

/**
 * First middleware of every handler: the invocation's request id and cold-start flag go on every log
 * line written while it runs (shared/observability/invocation-context.ts). A caller without a Lambda
 * context (a test, the local bus) gets a generated id, so lines still group by invocation.
 * `enterWith`, not `run`: middy has no hook that wraps the rest of the invocation. The store then also
 * stays with the caller's synchronous remainder, which in Lambda is the runtime itself.
 */
export function invocationContextForLogs(): middy.MiddlewareObj<unknown, unknown> {
  return {
    before: (request) => {
      const requestId = (request.context as { awsRequestId?: unknown } | undefined)?.awsRequestId;
      enterInvocation(typeof requestId === 'string' && requestId !== '' ? requestId : `local-${randomUUID()}`);
    },
  };
}
