/**
 * The settlement state machine of docs/design.md#2-money-rules, as one pure function. It decides; it never writes.
 * The executor (settle.ts) turns a decision into one conditional DynamoDB write whose condition
 * re-checks the state this decision assumed, so a stale view can never move money.
 *
 * Settled jobs (whatever their hold was):
 * | job now                 | event     | decision                                                     |
 * | ----------------------- | --------- | ------------------------------------------------------------ |
 * | DEBITED                 | failed    | refund `charged` → REFUNDED (charged 0: no entry, no change) |
 * | DEBITED                 | rendered  | nothing (duplicate)                                          |
 * | REFUNDED | NO_CHARGE    | failed    | nothing (duplicate)                                          |
 * | REFUNDED | NO_CHARGE    | rendered  | nothing; anomaly rendered_after_failed                       |
 * | any settled             | other userId or other quote | nothing; anomaly conflicting_duplicate         |
 *
 * Unsettled jobs, by their hold (holds.ts reserves them):
 * | hold now                    | event    | decision                                                      |
 * | --------------------------- | -------- | ------------------------------------------------------------- |
 * | none                        | rendered | debit price → DEBITED (price 0: DEBITED, no entry, no change) |
 * | none                        | failed   | NO_CHARGE, no ledger entry                                    |
 * | ACTIVE, not expired         | rendered | capture: debit price, release the hold → DEBITED + CAPTURED; price > hold: anomaly capture_over_hold |
 * | ACTIVE, not expired         | failed   | release the hold → NO_CHARGE + RELEASED; no ledger entry      |
 * | ACTIVE, expired             | rendered | expire the hold and debit price as a plain debit → DEBITED + EXPIRED; anomaly capture_after_expiry |
 * | ACTIVE, expired             | failed   | expire the hold → NO_CHARGE + EXPIRED                          |
 * | EXPIRED or RELEASED         | rendered | plain debit → DEBITED; anomaly capture_after_expiry (never against the ended hold) |
 * | EXPIRED or RELEASED         | failed   | NO_CHARGE                                                     |
 * | any hold of another user    | any      | nothing; anomaly conflicting_duplicate                        |
 *
 * The job's state is the reconciler's own Settlements item, never anything a producer wrote.
 * Balance guards (covered, then the overdraft floor) are the executor's, not rows of this table:
 * they decide whether a debit's write may land, not what the job's state becomes.
 */
import { assertInvariant } from '../errors';
import type { Anomaly, HoldRecord, HoldState, JobRecord, Outcome, SettledJob, SettlementEvent } from './types';

/** What a decision does to the job's hold: the state it must be in (checked), the state it leaves it in. */
export interface HoldChange {
  from: HoldState;
  to: HoldState;
  /** The hold's credits: released from `held` when it leaves ACTIVE. */
  credits: number;
  /** An ACTIVE hold must not have expired (capture, release), or must have (expiry). */
  expiry: 'not_expired' | 'expired' | 'any';
}

export type Decision =
  | { action: 'debit'; credits: number; hold?: HoldChange; anomaly?: Anomaly }
  | { action: 'no_charge'; hold?: HoldChange }
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

const conflicting = (detail: string): Decision => ({
  action: 'none',
  outcome: 'conflicting_duplicate',
  anomaly: { kind: 'conflicting_duplicate', detail },
  sameEvent: false,
});

function decideSettled(event: SettlementEvent, job: SettledJob): Decision {
  assertInvariant(Number.isSafeInteger(job.charged) && job.charged >= 0, `job ${event.jobId} has a bad charged amount`);
  // The conflict check comes first: the event id can be chosen by whoever publishes
  // (detail.replay.originalEventId), so "the same id" proves nothing about the same content.
  const conflict = conflictWith(event, job);
  if (conflict !== undefined) return conflicting(conflict);
  const sameEvent =
    event.kind === 'rendered' ? job.renderedEventId === event.eventId : job.failedEventId === event.eventId;
  // The very event that settled this transition, delivered again (its user and quote agree).
  if (sameEvent) return { action: 'none', outcome: 'duplicate', sameEvent: true };
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
        anomaly: {
          kind: 'rendered_after_failed',
          detail: `job ${event.jobId} is ${job.settlement}; rendered event ${event.eventId} not charged`,
        },
        sameEvent: false,
      };
  }
}

/** An ACTIVE hold that has not expired: captured by a render, released by a failure. */
function decideActiveHold(event: SettlementEvent, hold: HoldRecord, priceCredits: number): Decision {
  if (event.kind === 'failed')
    return {
      action: 'no_charge',
      hold: { from: 'ACTIVE', to: 'RELEASED', credits: hold.credits, expiry: 'not_expired' },
    };
  const over =
    priceCredits > hold.credits
      ? {
          anomaly: {
            kind: 'capture_over_hold' as const,
            detail: `job ${event.jobId}: price ${priceCredits} is above its hold of ${hold.credits}; charged in full`,
          },
        }
      : {};
  return {
    action: 'debit',
    credits: priceCredits,
    hold: { from: 'ACTIVE', to: 'CAPTURED', credits: hold.credits, expiry: 'not_expired' },
    ...over,
  };
}

/** A hold that expired, or was expired or released before its render: never captured, charged plainly. */
function decideEndedHold(event: SettlementEvent, hold: HoldRecord, priceCredits: number, nowIso: string): Decision {
  // An ACTIVE hold past its expiry ends in the same write (the sweep would have expired it).
  const ends: HoldChange =
    hold.state === 'ACTIVE'
      ? { from: 'ACTIVE', to: 'EXPIRED', credits: hold.credits, expiry: 'expired' }
      : { from: hold.state, to: hold.state, credits: hold.credits, expiry: 'any' };
  if (event.kind === 'failed') return { action: 'no_charge', hold: ends };
  const when = hold.state === 'RELEASED' ? 'released' : `expired at ${hold.expiresAt}`;
  return {
    action: 'debit',
    credits: priceCredits,
    hold: ends,
    anomaly: {
      kind: 'capture_after_expiry',
      detail: `job ${event.jobId}: rendered at ${nowIso} after its hold was ${when}; charged as a plain debit`,
    },
  };
}

/**
 * @param record  the job's record as last seen, or undefined when nothing is known (the optimistic
 *                assumption on the first attempt; the write's condition verifies it)
 * @param priceCredits  the price of a rendered event (already validated), ignored for failures
 * @param nowIso  the business clock: an ACTIVE hold whose expiresAt is not after it has expired
 */
export function decide(
  event: SettlementEvent,
  record: JobRecord | undefined,
  priceCredits: number,
  nowIso: string,
): Decision {
  assertInvariant(
    Number.isSafeInteger(priceCredits) && priceCredits >= 0,
    `price must be a non-negative integer, got ${priceCredits}`,
  );
  if (record?.settled) return decideSettled(event, record.settled);
  const hold = record?.hold;
  if (hold === undefined)
    return event.kind === 'rendered' ? { action: 'debit', credits: priceCredits } : { action: 'no_charge' };
  assertInvariant(hold.state !== 'CAPTURED', `job ${event.jobId}: a captured hold without a settlement`);
  if (hold.userId !== event.userId)
    return conflicting(
      `job ${event.jobId} is held for user ${hold.userId}, event ${event.eventId} names user ${event.userId}`,
    );
  if (hold.state === 'ACTIVE' && hold.expiresAt > nowIso) return decideActiveHold(event, hold, priceCredits);
  return decideEndedHold(event, hold, priceCredits, nowIso);
}
