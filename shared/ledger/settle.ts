/**
 * Applies one video event to the books: decide (state-machine.ts), write once (transactions.ts),
 * and when the write's condition fails, decide again from the state DynamoDB returned.
 * Common path: exactly one DynamoDB request. At most MAX_DECISIONS decisions per event: every
 * re-decision follows a state change, the user's due holds ended, or a looser balance guard, and
 * each is few.
 */
import { GetItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvariantViolation, OverdraftFloorError } from '../errors';
import { decide, type Decision } from './state-machine';
import { jobRecordFrom } from './settlement-item';
import { DEFAULT_RETRY_POLICY, cancellationReasons, transientKind, withRetries } from './retry';
import { expireDueHoldsOf } from './holds';
import { debitWrite, noChargeWrite, refundWrite, type DebitGuard, type SettlementWrite } from './transactions';
import type { Anomaly, JobRecord, LedgerDeps, Outcome, Settlement, SettlementEvent, SettlementResult } from './types';
import { currentTime } from '../time';

/** How far below zero a debit may take a balance unless the workspace says otherwise (credits). */
export const DEFAULT_OVERDRAFT_FLOOR_CREDITS = 1_000;
/** Upper bound of a configured floor: a floor is a safety net, not a credit line. */
export const MAX_OVERDRAFT_FLOOR_CREDITS = 1_000_000;

// One more than the worst case: a wrong hold hint, a concurrent settlement, a hold of the user's
// ended for being due (which may be this job's own), the floor, and the floor refused.
const MAX_DECISIONS = 6;

/** What a write came back with, when it did not commit. */
type Rejection =
  | { reason: 'job_state'; record: JobRecord | undefined }
  /** `held`: the user's held credits as the refused guard saw them (0 without a balance item). */
  | { reason: 'insufficient_balance'; held: number };

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
  /** The user's holds past their expiry were ended once before reaching for the floor. */
  dueHoldsEnded: boolean;
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
    dueHoldsEnded: false,
    requests: 0,
    maybeApplied: false,
    anomalies: [],
  };

  for (let step = 0; step < MAX_DECISIONS; step++) {
    const decision = decide(event, attempt.record, priceCredits, now());
    if (decision.action === 'none') return settledWithoutWrite(event, decision, attempt);

    const report = await sendWrite(deps, () => writeFor(deps, event, decision, attempt.guard, now()), event);
    attempt.requests += report.requests;
    attempt.maybeApplied ||= report.maybeAppliedBefore;
    if (report.committed) return committed(event, decision, attempt);
    await learnFromRejection(deps, event, decision, attempt, report.rejection);
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

const overdraftAnomaly = (event: SettlementEvent, credits: number): Anomaly => ({
  kind: 'overdraft',
  detail: `user ${event.userId} went below zero: debit of ${credits} for job ${event.jobId}`,
});

function settledWithoutWrite(
  event: SettlementEvent,
  decision: Extract<Decision, { action: 'none' }>,
  attempt: Attempt,
): SettlementResult {
  const { requests, anomalies } = attempt;
  const job = attempt.record?.settled;
  if (decision.anomaly) anomalies.push(decision.anomaly);
  if (decision.sameEvent && attempt.maybeApplied && job) {
    // Our own earlier attempt committed but its reply was lost: report what it did.
    const credits = job.settlement === 'DEBITED' ? job.charged : job.settlement === 'REFUNDED' ? job.refunded : 0;
    if (job.overdraft && job.settlement === 'DEBITED') anomalies.push(overdraftAnomaly(event, credits));
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
  if (decision.action === 'debit' && attempt.guard.kind === 'floor')
    attempt.anomalies.push(overdraftAnomaly(event, credits));
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

/**
 * A condition failed: take the job's state it returned; or, for want of balance, end the user's
 * holds that are past their expiry and try again, then guard the balance more loosely once.
 */
async function learnFromRejection(
  deps: LedgerDeps,
  event: SettlementEvent,
  decision: Decision,
  attempt: Attempt,
  rejection: Rejection | undefined,
): Promise<void> {
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
  if (!attempt.dueHoldsEnded && rejection.held > 0) {
    // `available` still counts a hold past its expiry until the sweep ends it; such a hold must
    // neither refuse this debit nor make it an overdraft. Looked for only here, and only when the
    // user holds credits at all: the common path and a plain overdraft pay nothing for it.
    attempt.dueHoldsEnded = true;
    if ((await endDueHoldsOf(deps, event.userId, attempt)) > 0) return;
  }
  if (attempt.guard.kind === 'covered') {
    attempt.guard = { kind: 'floor', floorCredits: deps.overdraftFloorCredits ?? DEFAULT_OVERDRAFT_FLOOR_CREDITS };
    return;
  }
  throw new OverdraftFloorError('debit beyond the overdraft floor', [
    `job ${event.jobId}: a debit of ${decision.credits} would take user ${event.userId} more than ${attempt.guard.floorCredits} credits below zero`,
  ]);
}

/** expireDueHoldsOf, with its DynamoDB requests counted in the attempt's. */
async function endDueHoldsOf(deps: LedgerDeps, userId: string, attempt: Attempt): Promise<number> {
  const counting = {
    send: (...args: Parameters<DynamoDBClient['send']>) => {
      attempt.requests++;
      return deps.dynamodb.send(...args);
    },
  } as DynamoDBClient;
  return expireDueHoldsOf({ ...deps, dynamodb: counting }, userId);
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

/**
 * Sends one write with retries. It is built again for every attempt, so that a retry's conditions
 * compare the hold's expiry with the time it is sent, not with the time of the first attempt.
 */
async function sendWrite(
  deps: LedgerDeps,
  writeAt: () => SettlementWrite,
  event: SettlementEvent,
): Promise<WriteReport> {
  const tracker = attemptTracker(deps);
  const what = `settle job ${event.jobId}`;
  let write = writeAt();
  let attempts = 0;
  const sendOnce = () => {
    if (attempts++ > 0) write = writeAt();
    return write.kind === 'update'
      ? deps.dynamodb.send(new UpdateItemCommand(write.input))
      : deps.dynamodb.send(new TransactWriteItemsCommand(write.input));
  };
  try {
    await tracker.send<unknown>(what, sendOnce);
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
  const balance = failed('balance');
  if (balance)
    return {
      committed: false,
      rejection: {
        reason: 'insufficient_balance',
        held: Number(balance.Item ? (unmarshall(balance.Item as never).held ?? 0) : 0),
      },
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
