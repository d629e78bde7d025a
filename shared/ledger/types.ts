/** The vocabulary of the money rules (docs/design.md#2-money-rules). Amounts are integer credits, always. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../tables';
import type { RetryPolicy } from './retry';

/** What every ledger operation needs: the client, the tables, and the policies of this workspace. */
export interface LedgerDeps {
  dynamodb: DynamoDBClient;
  tables: TableNames;
  retry?: RetryPolicy;
  now?: () => Date;
  /**
   * How far below zero a debit may take a balance (credits). A debit beyond it is not written:
   * it is held in the DLQ for a person (DEFAULT_OVERDRAFT_FLOOR_CREDITS when absent).
   */
  overdraftFloorCredits?: number;
}

export type EventKind = 'rendered' | 'failed';

/** A validated video event, reduced to what settlement needs. */
export interface SettlementEvent {
  /** The EventBridge event id, or `sweep:<jobId>:<kind>` for settlements made by the sweep. */
  eventId: string;
  kind: EventKind;
  jobId: string;
  userId: string;
  seconds: number;
  model: string;
  /** The producer's quoted price, when it gave one. */
  quotedCredits?: number;
  /**
   * The credits the producer says it holds for this job (`detail.hold.credits`): a hint that lets
   * the first write be the capture or release. Never trusted: the write's condition checks it.
   */
  heldCredits?: number;
  reason?: string;
}

/** A hold's life: ACTIVE until it is captured (rendered), released (failed, or by hand) or expires. */
export type HoldState = 'ACTIVE' | 'CAPTURED' | 'RELEASED' | 'EXPIRED';

/** What the Settlements table says about a job's hold (a reservation of credits before the render). */
export interface HoldRecord {
  state: HoldState;
  credits: number;
  userId: string;
  /** ISO-8601 UTC: an ACTIVE hold is never captured at or after this. */
  expiresAt: string;
  heldAt: string;
}

/** Everything the reconciler knows of a job: its hold, if it had one, and its settlement, once settled. */
export interface JobRecord {
  hold?: HoldRecord;
  settled?: SettledJob;
}

export type Settlement = 'DEBITED' | 'REFUNDED' | 'NO_CHARGE';

/** What the Settlements table says about a job's settlement (absent: not settled yet). */
export interface SettledJob {
  settlement: Settlement;
  settledUserId: string;
  charged: number;
  refunded: number;
  quotedCredits?: number;
  renderedEventId?: string;
  failedEventId?: string;
  /** The debit was written under the overdraft floor (its `overdraft` anomaly). */
  overdraft?: boolean;
}

export type Outcome =
  /** Charged; when the job had an active hold, the charge came from it (the hold was captured). */
  'debited' | 'refunded' | 'no_charge' | 'duplicate' | 'rendered_after_failed' | 'conflicting_duplicate';

export type AnomalyKind =
  | 'overdraft'
  | 'rendered_after_failed'
  | 'conflicting_duplicate'
  /** A capture charged more than its hold (the work was done: charged, flagged). */
  | 'capture_over_hold'
  /** A render arrived after its hold had expired or been released: charged as a plain debit, flagged. */
  | 'capture_after_expiry';

export interface Anomaly {
  kind: AnomalyKind;
  detail: string;
}

export interface SettlementResult {
  outcome: Outcome;
  /** Credits that moved: debited (outcome `debited`), credited back (`refunded`), otherwise 0. */
  credits: number;
  anomalies: Anomaly[];
  /** True when the write was found already applied by this very event (a redelivery or a lost reply). */
  alreadyApplied: boolean;
  /** DynamoDB requests this settlement made, retries included (the bench reads this). */
  requests: number;
  /** The hold this settlement ended, when it ended one: captured (rendered), released (failed) or expired. */
  hold?: { state: 'CAPTURED' | 'RELEASED' | 'EXPIRED'; credits: number };
}
