/**
 * Bounded concurrency, the one implementation: at most `limit` tasks in flight; stops starting new
 * ones once `shouldStop()` says so. Used by the sweep, the demo's producer and publisher, the bench.
 */
import { assertInvariant } from './errors';

export interface PoolReport {
  /** Items started (always a prefix of the input, in order). */
  started: number;
}

export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<unknown>,
  shouldStop: () => boolean = () => false,
): Promise<PoolReport> {
  assertInvariant(Number.isSafeInteger(limit) && limit >= 1, `concurrency must be a positive integer, got ${limit}`);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return { started: next };
}
