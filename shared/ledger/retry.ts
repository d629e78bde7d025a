/**
 * Bounded retries with full-jitter exponential backoff for transient DynamoDB failures.
 * After the last attempt the error is rethrown as TransientError so the platform's own retry
 * policy (and finally the DLQ) takes over. Every limit is explicit.
 */
import { TransientError } from '../errors';
import { networkCode } from '../aws/network-errors';
import { sleep } from '../time';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for reproducible tests; Math.random by default. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 25, maxDelayMs: 1_000 };

/** Cancellation reason codes that say "nothing was written, try again". */
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/** Errors after which the request certainly did not take effect. */
const TRANSIENT_NOT_APPLIED = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
]);

/** Errors after which the request may or may not have been applied (the reply was lost). */
const TRANSIENT_MAYBE_APPLIED = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'AbortError',
]);

export interface CancellationReason {
  Code?: string;
  Message?: string;
  Item?: Record<string, unknown>;
}

export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: string }).name === 'TransactionCanceledException'
  ) {
    return (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  }
  return undefined;
}

export type TransientKind = 'not_applied' | 'maybe_applied';

/** Classifies an error as transient (and whether the write may have landed), or undefined if permanent. */
export function transientKind(error: unknown): TransientKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const reasons = cancellationReasons(error);
  if (reasons !== undefined) {
    const codes = reasons.map((r) => r.Code ?? 'None');
    // A condition failure is an answer, not a fault; let the caller decide on it.
    if (codes.includes('ConditionalCheckFailed')) return undefined;
    return codes.some((c) => TRANSIENT_CANCELLATION_CODES.has(c)) ? 'not_applied' : undefined;
  }
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name !== undefined && TRANSIENT_NOT_APPLIED.has(e.name)) return 'not_applied';
  if (e.name !== undefined && TRANSIENT_MAYBE_APPLIED.has(e.name)) return 'maybe_applied';
  if (networkCode(error) !== undefined) return 'maybe_applied';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'maybe_applied';
  return undefined;
}

export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

export interface RetryReport<T> {
  value: T;
  attempts: number;
  /** A previous attempt failed in a way that may have applied the write. */
  maybeAppliedBefore: boolean;
}

/** Runs `operation` until it succeeds, fails permanently, or runs out of attempts. */
export async function withRetries<T>(
  policy: RetryPolicy,
  what: string,
  operation: () => Promise<T>,
): Promise<RetryReport<T>> {
  let maybeAppliedBefore = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return { value: await operation(), attempts: attempt + 1, maybeAppliedBefore };
    } catch (error) {
      const kind = transientKind(error);
      if (kind === undefined) throw error;
      if (kind === 'maybe_applied') maybeAppliedBefore = true;
      if (attempt + 1 >= policy.maxAttempts) {
        throw new TransientError(
          `${what} failed after ${attempt + 1} attempts: ${(error as Error).name}: ${(error as Error).message}`,
          error,
        );
      }
      await (policy.sleep ?? sleep)(backoffDelayMs(policy, attempt));
    }
  }
}
