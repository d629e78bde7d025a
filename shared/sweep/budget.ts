/**
 * How long one sweep run may work: the Lambda's remaining time less a safety margin, in which
 * in-flight settlements finish, the position is saved and the alert goes out.
 */

/** Kept back from the Lambda timeout at least (10 % of it when that is more). */
export const MIN_SAFETY_MARGIN_MS = 15_000;

export function timeBudgetMs(remainingMs: number): number {
  const margin = Math.max(MIN_SAFETY_MARGIN_MS, Math.round(remainingMs * 0.1));
  return Math.max(0, remainingMs - margin);
}
