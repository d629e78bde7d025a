/**
 * The settlement state machine of DESIGN §2, as one pure function. It decides; it never writes.
 * The executor (settle.ts) turns a decision into one conditional DynamoDB write whose condition
 * re-checks the state this decision assumed, so a stale view can never move money.
 *
 * | job now                 | event     | decision                                                     |
 * | ----------------------- | --------- | ------------------------------------------------------------ |
 * | none                    | rendered  | debit price → DEBITED (price 0: DEBITED, no entry, no change) |
 * | none                    | failed    | NO_CHARGE, no ledger entry                                   |
 * | DEBITED                 | failed    | refund `charged` → REFUNDED (charged 0: no entry, no change) |
 * | DEBITED                 | rendered  | nothing (duplicate)                                          |
 * | REFUNDED | NO_CHARGE    | failed    | nothing (duplicate)                                          |
 * | REFUNDED | NO_CHARGE    | rendered  | nothing; anomaly rendered_after_failed                       |
 * | any settled             | other userId or other quote | nothing; anomaly conflicting_duplicate         |
 *
 * The job's state is the reconciler's own Settlements item, never anything a producer wrote.
 * Balance guards (covered, then the overdraft floor) are the executor's, not rows of this table:
 * they decide whether a debit's write may land, not what the job's state becomes.
 */
import { assertInvariant } from '../errors';
import type { Anomaly, Outcome, SettledJob, SettlementEvent } from './types';

export type Decision =
  | { action: 'debit'; credits: number }
  | { action: 'no_charge' }
  | { action: 'refund'; credits: number }
  | { action: 'none'; outcome: Outcome; anomaly?: Anomaly; sameEvent: boolean };

/** The price a settled job was settled at, as far as a quote can be compared with it. */
function settledPrice(job: SettledJob): number | undefined {
  if (job.quotedCredits !== undefined) return job.quotedCredits;
  return job.settlement === 'NO_CHARGE' ? undefined : job.charged;
}

function conflictWith(event: SettlementEvent, job: SettledJob): string | undefined {
  if (event.userId !== job.settledUserId) {
    return `job ${event.jobId} was settled for user ${job.settledUserId}, event ${event.eventId} names user ${event.userId}`;
  }
  const price = settledPrice(job);
  if (event.quotedCredits !== undefined && price !== undefined && event.quotedCredits !== price) {
    return `job ${event.jobId} was settled at ${price} credits, event ${event.eventId} quotes ${event.quotedCredits}`;
  }
  return undefined;
}

/**
 * @param job  the job's settlement as last seen, or undefined when none is known (the optimistic
 *             assumption on the first attempt; the write's condition verifies it)
 * @param priceCredits  the price of a rendered event (already validated), ignored for failures
 */
export function decide(event: SettlementEvent, job: SettledJob | undefined, priceCredits: number): Decision {
  assertInvariant(Number.isSafeInteger(priceCredits) && priceCredits >= 0, `price must be a non-negative integer, got ${priceCredits}`);
  if (job === undefined) {
    return event.kind === 'rendered' ? { action: 'debit', credits: priceCredits } : { action: 'no_charge' };
  }
  assertInvariant(Number.isSafeInteger(job.charged) && job.charged >= 0, `job ${event.jobId} has a bad charged amount`);

  const sameEvent = event.kind === 'rendered' ? job.renderedEventId === event.eventId : job.failedEventId === event.eventId;
  // The very event that settled this transition, delivered again: identical by construction.
  if (sameEvent) return { action: 'none', outcome: 'duplicate', sameEvent: true };

  const conflict = conflictWith(event, job);
  if (conflict !== undefined) {
    return { action: 'none', outcome: 'conflicting_duplicate', anomaly: { kind: 'conflicting_duplicate', detail: conflict }, sameEvent: false };
  }

  switch (job.settlement) {
    case 'DEBITED':
      if (event.kind === 'failed') return { action: 'refund', credits: job.charged };
      return { action: 'none', outcome: 'duplicate', sameEvent: false };
    case 'REFUNDED':
    case 'NO_CHARGE':
      if (event.kind === 'failed') return { action: 'none', outcome: 'duplicate', sameEvent: false };
      return {
        action: 'none',
        outcome: 'rendered_after_failed',
        anomaly: { kind: 'rendered_after_failed', detail: `job ${event.jobId} is ${job.settlement}; rendered event ${event.eventId} not charged` },
        sameEvent: false,
      };
  }
}
