/**
 * Applies one video event to the books: decide (state-machine.ts), write once (transactions.ts),
 * and when the write's condition fails, decide again from the state DynamoDB returned.
 * Common path: exactly one DynamoDB request. At most MAX_DECISIONS decisions per event: every
 * re-decision follows a state change, and there are only three settled states.
 */
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvariantViolation } from '../errors';
import type { TableNames } from '../tables';
import { decide } from './state-machine';
import { settledJobFrom } from './job-item';
import { DEFAULT_RETRY_POLICY, cancellationReasons, transientKind, withRetries, type RetryPolicy } from './retry';
import { TX_CREDITS, TX_JOB, TX_LEDGER, debitTransaction, noChargeUpdate, refundTransaction } from './transactions';
import type { Anomaly, Outcome, SettledJob, Settlement, SettlementEvent, SettlementResult } from './types';

export interface LedgerDeps {
  dynamodb: DynamoDBClient;
  tables: TableNames;
  retry?: RetryPolicy;
  now?: () => Date;
}

const MAX_DECISIONS = 5;

/** What a write came back with, when it did not commit. */
type Rejection =
  | { reason: 'job_state'; job: SettledJob | undefined }
  | { reason: 'insufficient_balance' };

interface WriteReport {
  committed: boolean;
  rejection?: Rejection;
  requests: number;
  maybeAppliedBefore: boolean;
}

const OUTCOME_OF_SETTLEMENT: Record<Settlement, Outcome> = { DEBITED: 'debited', REFUNDED: 'refunded', NO_CHARGE: 'no_charge' };

export async function settleEvent(deps: LedgerDeps, event: SettlementEvent, priceCredits: number): Promise<SettlementResult> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  let job: SettledJob | undefined; // optimistic: assume unsettled; the write's condition checks it
  let allowOverdraft = false;
  let requests = 0;
  let maybeApplied = false;
  const anomalies: Anomaly[] = [];

  for (let step = 0; step < MAX_DECISIONS; step++) {
    const decision = decide(event, job, priceCredits);

    if (decision.action === 'none') {
      if (decision.anomaly) anomalies.push(decision.anomaly);
      if (decision.sameEvent && maybeApplied && job) {
        // Our own earlier attempt committed but its reply was lost: report what it did.
        const credits = job.settlement === 'DEBITED' ? job.charged : job.settlement === 'REFUNDED' ? job.refunded : 0;
        return { outcome: OUTCOME_OF_SETTLEMENT[job.settlement], credits, anomalies, alreadyApplied: true, requests };
      }
      return { outcome: decision.outcome, credits: 0, anomalies, alreadyApplied: decision.sameEvent, requests };
    }

    const report = decision.action === 'no_charge'
      ? await writeNoCharge(deps, event, now())
      : await writeTransaction(deps, decision.action === 'debit'
        ? debitTransaction(deps.tables, event, decision.credits, now(), allowOverdraft)
        : refundTransaction(deps.tables, event, decision.credits, now()), event);
    requests += report.requests;
    maybeApplied ||= report.maybeAppliedBefore;

    if (report.committed) {
      const credits = decision.action === 'no_charge' ? 0 : decision.credits;
      if (decision.action === 'debit' && allowOverdraft) {
        anomalies.push({ kind: 'overdraft', detail: `user ${event.userId} went below zero: debit of ${credits} for job ${event.jobId}` });
      }
      const outcome: Outcome = decision.action === 'debit' ? 'debited' : decision.action === 'refund' ? 'refunded' : 'no_charge';
      return { outcome, credits, anomalies, alreadyApplied: false, requests };
    }

    const rejection = report.rejection!;
    if (rejection.reason === 'insufficient_balance') {
      if (decision.action !== 'debit' || allowOverdraft) throw new InvariantViolation(`balance condition failed on a ${decision.action}`);
      allowOverdraft = true;
    } else {
      if (rejection.job === undefined) {
        throw new InvariantViolation(`job ${event.jobId}: the ${decision.action} condition failed but the job is not settled`);
      }
      job = rejection.job;
    }
  }
  throw new InvariantViolation(`job ${event.jobId}: settlement of event ${event.eventId} did not converge in ${MAX_DECISIONS} decisions`);
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

async function writeTransaction(deps: LedgerDeps, input: ConstructorParameters<typeof TransactWriteItemsCommand>[0], event: SettlementEvent): Promise<WriteReport> {
  const tracker = attemptTracker(deps);
  try {
    await tracker.send(`settle job ${event.jobId}`, () => deps.dynamodb.send(new TransactWriteItemsCommand(input)));
    return { committed: true, requests: tracker.requests, maybeAppliedBefore: tracker.maybeAppliedBefore };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons === undefined) throw error;
    const jobReason = reasons[TX_JOB];
    if (jobReason?.Code === 'ConditionalCheckFailed') return jobStateRejection(deps, event.jobId, jobReason.Item, tracker);
    if (reasons[TX_LEDGER]?.Code === 'ConditionalCheckFailed') {
      // A ledger entry exists for a job whose settlement says it should not: the books disagree.
      throw new InvariantViolation(`job ${event.jobId}: ledger entry exists but the job's settlement does not match it`);
    }
    if (reasons[TX_CREDITS]?.Code === 'ConditionalCheckFailed') {
      return { committed: false, rejection: { reason: 'insufficient_balance' }, requests: tracker.requests, maybeAppliedBefore: tracker.maybeAppliedBefore };
    }
    throw error;
  }
}

async function writeNoCharge(deps: LedgerDeps, event: SettlementEvent, nowIso: string): Promise<WriteReport> {
  const tracker = attemptTracker(deps);
  try {
    await tracker.send(`settle job ${event.jobId}`, () => deps.dynamodb.send(new UpdateItemCommand(noChargeUpdate(deps.tables, event, nowIso))));
    return { committed: true, requests: tracker.requests, maybeAppliedBefore: tracker.maybeAppliedBefore };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    return jobStateRejection(deps, event.jobId, (error as { Item?: Record<string, unknown> }).Item, tracker);
  }
}

/** The job as the failed condition returned it, or read (one more request) when DynamoDB did not return it. */
async function jobStateRejection(deps: LedgerDeps, jobId: string, returned: Record<string, unknown> | undefined, tracker: AttemptTracker): Promise<WriteReport> {
  const job = returned ? settledJobFrom(unmarshall(returned as never)) : await readSettledJob(deps, jobId);
  return { committed: false, rejection: { reason: 'job_state', job }, requests: tracker.requests + (returned ? 0 : 1), maybeAppliedBefore: tracker.maybeAppliedBefore };
}

/** Fallback when DynamoDB did not return the old item with a failed condition. */
async function readSettledJob(deps: LedgerDeps, jobId: string): Promise<SettledJob | undefined> {
  const { Item } = await withRetries(deps.retry ?? DEFAULT_RETRY_POLICY, `read job ${jobId}`, () =>
    deps.dynamodb.send(new GetItemCommand({ TableName: deps.tables.jobs, Key: { jobId: { S: jobId } }, ConsistentRead: true })),
  ).then((r) => r.value);
  return settledJobFrom(Item ? unmarshall(Item) : undefined);
}
