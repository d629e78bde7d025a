/**
 * Applies one video event to the books: decide (state-machine.ts), write once (transactions.ts),
 * and when the write's condition fails, decide again from the state DynamoDB returned.
 * Common path: exactly one DynamoDB request. At most MAX_DECISIONS decisions per event: every
 * re-decision follows a state change or a stricter balance guard, and both are few.
 */
import { GetItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvariantViolation, OverdraftFloorError } from '../errors';
import { decide, type Decision } from './state-machine';
import { jobRecordFrom } from './settlement-item';
import { DEFAULT_RETRY_POLICY, cancellationReasons, transientKind, withRetries } from './retry';
import { debitWrite, noChargeWrite, refundWrite, type DebitGuard, type SettlementWrite } from './transactions';
import type { Anomaly, JobRecord, LedgerDeps, Outcome, Settlement, SettlementEvent, SettlementResult } from './types';
import { currentTime } from '../time';

/** How far below zero a debit may take a balance unless the workspace says otherwise (credits). */
export const DEFAULT_OVERDRAFT_FLOOR_CREDITS = 1_000;
/** Upper bound of a configured floor: a floor is a safety net, not a credit line. */
export const MAX_OVERDRAFT_FLOOR_CREDITS = 1_000_000;

const MAX_DECISIONS = 5;

/** What a write came back with, when it did not commit. */
type Rejection = { reason: 'job_state'; record: JobRecord | undefined } | { reason: 'insufficient_balance' };

interface WriteReport {
  committed: boolean;
  rejection?: Rejection;
  requests: number;
  maybeAppliedBefore: boolean;
}

const OUTCOME_OF_SETTLEMENT: Record<Settlement, Outcome> = {
  DEBITED: 'debited',
  REFUNDED: 'refunded',
  NO_CHARGE: 'no_charge',
};
const OUTCOME_OF_ACTION = { debit: 'debited', refund: 'refunded', no_charge: 'no_charge' } as const;

/** What settling has learnt so far: the job's record as last seen, and how strictly to guard the balance. */
interface Attempt {
  record: JobRecord | undefined;
  /** The record is the event's hold hint, not something DynamoDB returned. */
  guessed: boolean;
  guard: DebitGuard;
  requests: number;
  maybeApplied: boolean;
  anomalies: Anomaly[];
}

export async function settleEvent(
  deps: LedgerDeps,
  event: SettlementEvent,
  priceCredits: number,
): Promise<SettlementResult> {
  const now = () => currentTime(deps).toISOString();
  // Optimistic: assume unsettled, held as the event says (or not at all), and covered; each write's
  // condition checks all three.
  const attempt: Attempt = {
    record: hintedRecord(event),
    guessed: true,
    guard: { kind: 'covered' },
    requests: 0,
    maybeApplied: false,
    anomalies: [],
  };

  for (let step = 0; step < MAX_DECISIONS; step++) {
    const decision = decide(event, attempt.record, priceCredits, now());
    if (decision.action === 'none') return settledWithoutWrite(decision, attempt);

    const report = await sendWrite(deps, writeFor(deps, event, decision, attempt.guard, now()), event);
    attempt.requests += report.requests;
    attempt.maybeApplied ||= report.maybeAppliedBefore;
    if (report.committed) return committed(event, decision, attempt);
    learnFromRejection(deps, event, decision, attempt, report.rejection);
  }
  throw new InvariantViolation(
    `job ${event.jobId}: settlement of event ${event.eventId} did not converge in ${MAX_DECISIONS} decisions`,
  );
}

/** What the event says of its hold, as a first guess: an ACTIVE hold of its user, not yet expired. */
function hintedRecord(event: SettlementEvent): JobRecord | undefined {
  if (event.heldCredits === undefined || event.heldCredits < 1) return undefined;
  // The real expiry is unknown here; the write's condition compares it with now.
  return {
    hold: {
      state: 'ACTIVE',
      credits: event.heldCredits,
      userId: event.userId,
      expiresAt: '9999-12-31T23:59:59.999Z',
      heldAt: '',
    },
  };
}

function writeFor(
  deps: LedgerDeps,
  event: SettlementEvent,
  decision: Exclude<Decision, { action: 'none' }>,
  guard: DebitGuard,
  nowIso: string,
): SettlementWrite {
  switch (decision.action) {
    case 'debit':
      return debitWrite(deps.tables, event, decision.credits, nowIso, guard, decision.hold);
    case 'refund':
      return refundWrite(deps.tables, event, decision.credits, nowIso);
    case 'no_charge':
      return noChargeWrite(deps.tables, event, nowIso, decision.hold);
  }
}

function settledWithoutWrite(decision: Extract<Decision, { action: 'none' }>, attempt: Attempt): SettlementResult {
  const { requests, anomalies } = attempt;
  const job = attempt.record?.settled;
  if (decision.anomaly) anomalies.push(decision.anomaly);
  if (decision.sameEvent && attempt.maybeApplied && job) {
    // Our own earlier attempt committed but its reply was lost: report what it did.
    const credits = job.settlement === 'DEBITED' ? job.charged : job.settlement === 'REFUNDED' ? job.refunded : 0;
    return { outcome: OUTCOME_OF_SETTLEMENT[job.settlement], credits, anomalies, alreadyApplied: true, requests };
  }
  return { outcome: decision.outcome, credits: 0, anomalies, alreadyApplied: decision.sameEvent, requests };
}

function committed(
  event: SettlementEvent,
  decision: Exclude<Decision, { action: 'none' }>,
  attempt: Attempt,
): SettlementResult {
  const credits = decision.action === 'no_charge' ? 0 : decision.credits;
  if (decision.action === 'debit' && attempt.guard.kind === 'floor') {
    attempt.anomalies.push({
      kind: 'overdraft',
      detail: `user ${event.userId} went below zero: debit of ${credits} for job ${event.jobId}`,
    });
  }
  if (decision.action === 'debit' && decision.anomaly) attempt.anomalies.push(decision.anomaly);
  const hold = decision.action === 'refund' ? undefined : decision.hold;
  const ended =
    hold && hold.from === 'ACTIVE' && hold.to !== 'ACTIVE'
      ? { hold: { state: hold.to as 'CAPTURED' | 'RELEASED' | 'EXPIRED', credits: hold.credits } }
      : {};
  return {
    outcome: OUTCOME_OF_ACTION[decision.action],
    credits,
    anomalies: attempt.anomalies,
    alreadyApplied: false,
    requests: attempt.requests,
    ...ended,
  };
}

/** A condition failed: take the job's state it returned, or guard the balance more loosely once. */
function learnFromRejection(
  deps: LedgerDeps,
  event: SettlementEvent,
  decision: Decision,
  attempt: Attempt,
  rejection: Rejection | undefined,
): void {
  if (rejection === undefined)
    throw new InvariantViolation(`job ${event.jobId}: a write neither committed nor said why`);
  if (rejection.reason === 'job_state') {
    if (rejection.record === undefined && !attempt.guessed) {
      throw new InvariantViolation(
        `job ${event.jobId}: the ${decision.action} condition failed but the job has no record`,
      );
    }
    // A hold the event claimed but the table does not have: there is nothing, decide on that.
    attempt.record = rejection.record ?? {};
    attempt.guessed = false;
    return;
  }
  if (decision.action !== 'debit') throw new InvariantViolation(`balance condition failed on a ${decision.action}`);
  if (attempt.guard.kind === 'covered') {
    attempt.guard = { kind: 'floor', floorCredits: deps.overdraftFloorCredits ?? DEFAULT_OVERDRAFT_FLOOR_CREDITS };
    return;
  }
  throw new OverdraftFloorError('debit beyond the overdraft floor', [
    `job ${event.jobId}: a debit of ${decision.credits} would take user ${event.userId} more than ${attempt.guard.floorCredits} credits below zero`,
  ]);
}

/** Sends one write with retries, counting requests and remembering whether an attempt may have landed. */
function attemptTracker(deps: LedgerDeps) {
  const tracker = {
    requests: 0,
    maybeAppliedBefore: false,
    send<T>(what: string, makeRequest: () => Promise<T>): Promise<T> {
      return withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, what, async () => {
        tracker.requests++;
        try {
          return await makeRequest();
        } catch (error) {
          if (transientKind(error) === 'maybe_applied') tracker.maybeAppliedBefore = true;
          throw error;
        }
      }).then((report) => report.value);
    },
  };
  return tracker;
}
type AttemptTracker = ReturnType<typeof attemptTracker>;

async function sendWrite(deps: LedgerDeps, write: SettlementWrite, event: SettlementEvent): Promise<WriteReport> {
  const tracker = attemptTracker(deps);
  const what = `settle job ${event.jobId}`;
  try {
    if (write.kind === 'update') await tracker.send(what, () => deps.dynamodb.send(new UpdateItemCommand(write.input)));
    else await tracker.send(what, () => deps.dynamodb.send(new TransactWriteItemsCommand(write.input)));
    return { committed: true, requests: tracker.requests, maybeAppliedBefore: tracker.maybeAppliedBefore };
  } catch (error) {
    if (write.kind === 'update') {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      return jobStateRejection(deps, event.jobId, (error as { Item?: Record<string, unknown> }).Item, tracker);
    }
    return transactionRejection(deps, event, write.roles, error, tracker);
  }
}

/** Maps a cancelled transaction to what it says about the books, by the role of each failed item. */
async function transactionRejection(
  deps: LedgerDeps,
  event: SettlementEvent,
  roles: readonly string[],
  error: unknown,
  tracker: AttemptTracker,
): Promise<WriteReport> {
  const reasons = cancellationReasons(error);
  if (reasons === undefined) throw error;
  const failed = (role: string) => {
    const reason = reasons[roles.indexOf(role)];
    return reason?.Code === 'ConditionalCheckFailed' ? reason : undefined;
  };
  const settlement = failed('settlement');
  if (settlement) return jobStateRejection(deps, event.jobId, settlement.Item, tracker);
  if (failed('debit_check')) {
    // The settlement says DEBITED for this amount and user, but the ledger holds no such debit.
    throw new InvariantViolation(
      `job ${event.jobId}: refund to user ${event.userId} has no matching debit in the ledger; nothing was refunded`,
    );
  }
  if (failed('ledger')) {
    // A ledger entry exists for a job whose settlement says it should not: the books disagree.
    throw new InvariantViolation(`job ${event.jobId}: ledger entry exists but the job's settlement does not match it`);
  }
  if (failed('balance'))
    return {
      committed: false,
      rejection: { reason: 'insufficient_balance' },
      requests: tracker.requests,
      maybeAppliedBefore: tracker.maybeAppliedBefore,
    };
  throw error;
}

/** The record as the failed condition returned it, or read (one more request) when DynamoDB did not return it. */
async function jobStateRejection(
  deps: LedgerDeps,
  jobId: string,
  returned: Record<string, unknown> | undefined,
  tracker: AttemptTracker,
): Promise<WriteReport> {
  const record = returned ? jobRecordFrom(unmarshall(returned as never)) : await readJobRecord(deps, jobId);
  return {
    committed: false,
    rejection: { reason: 'job_state', record },
    requests: tracker.requests + (returned ? 0 : 1),
    maybeAppliedBefore: tracker.maybeAppliedBefore,
  };
}

/** The job's record (hold and settlement), strongly consistent: the fallback when a failed condition returned nothing. */
export async function readJobRecord(deps: LedgerDeps, jobId: string): Promise<JobRecord | undefined> {
  const { Item } = await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `read settlement of job ${jobId}`, () =>
    deps.dynamodb.send(
      new GetItemCommand({ TableName: deps.tables.settlements, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
    ),
  ).then((r) => r.value);
  return jobRecordFrom(Item ? unmarshall(Item) : undefined);
}

/** The job's settlement alone (the sweep's bookkeeping needs no more). */
export async function readSettledJob(deps: LedgerDeps, jobId: string) {
  return (await readJobRecord(deps, jobId))?.settled;
}
