/** Time, once: units in milliseconds, sleeping, and the default business clock. */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The business clock of deps that may carry one (tests and the demo move it; production never
 * does): `deps.now()` when given, else the system clock.
 */
export function currentTime(deps: { now?: () => Date }): Date {
  return deps.now ? deps.now() : new Date();
}
