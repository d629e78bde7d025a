/** The sweep's vocabulary: what it needs, what it is asked, and what one run reports. */
import type { AnomalyKind, LedgerDeps } from '../ledger/types';
import type { Unjustified } from '../ledger/justification';
import type { Logger } from '../observability/logger';
import type { PriceBook } from '../pricing';
import type { DriftFinding } from './balance-audit';
import type { SweepLimits } from './config';
import type { Sample } from './findings';
import type { ShardPosition } from './state';

export interface SweepDeps {
  /** DynamoDB client, table names, retry policy, overdraft floor and the business clock (`now`) of the ledger core. */
  ledger: LedgerDeps;
  priceBook?: PriceBook;
  logger?: Logger;
  /** Elapsed-time clock for the budget, in ms (monotonic); performance.now by default. */
  clockMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SweepOptions {
  /** The run stops starting new work once this much time has passed (the handler derives it from the Lambda's remaining time). */
  timeBudgetMs: number;
  limits?: Partial<SweepLimits>;
  /** Read and report only: no settlement, no index clean-up, no saved state, no lease. */
  dryRun?: boolean;
  /** Audit users touched since this time instead of since the saved watermark (`--since`). */
  auditSince?: Date;
  /** Audit every user (two paginated scans) instead of the users touched since the last run (`--full`). */
  fullAudit?: boolean;
  /** Progress lines for the CLI. */
  onProgress?: (line: string) => void;
  runId?: string;
}

export type SweepStatus =
  /** Every shard was read and every touched user audited. */
  | 'completed'
  /** Stopped by the time budget or a limit; the saved position says where the next run resumes. */
  | 'partial'
  /** Another run holds the lease; nothing was done. */
  | 'skipped_locked';

export type StopReason = 'time_budget' | 'page_limit' | 'user_limit';

export interface StragglerSettled {
  jobId: string;
  userId: string;
  outcome: 'debited' | 'no_charge' | 'refunded';
  credits: number;
}

export interface StuckJob {
  jobId: string;
  userId: string;
  status: string;
  updatedAt: string;
}

export interface BadJobRecord {
  jobId: string;
  problems: string[];
}

/** A debit the sweep did not write because it would cross the overdraft floor: held for a person. */
export interface HeldDebit {
  jobId: string;
  userId: string;
  credits: number;
}

/** An ACTIVE hold past its expiry, ended by the sweep: its credits are available again. */
export interface ExpiredHold {
  jobId: string;
  userId: string;
  credits: number;
}

export interface SweepError {
  /** `job <id>` or `user <id>`. */
  subject: string;
  error: string;
}

export interface SweepResult {
  runId: string;
  status: SweepStatus;
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  /** Why a partial run stopped. */
  stoppedBecause?: StopReason;
  /** DynamoDB requests this run sent (settlement retries included). */
  requests: number;
  index: {
    pages: number;
    itemsRead: number;
    /** Where the next run resumes (absent: the last pass over the shards finished). */
    resumeAt?: ShardPosition;
  };
  /** Terminal jobs whose event never came, settled now (in a dry run: would be settled). */
  stragglers: Sample<StragglerSettled> & { debitedCredits: number; balancesChanged: number };
  /** Jobs already settled by their event when the sweep got there: taken off the unsettled index. */
  alreadySettled: number;
  /** Non-terminal jobs younger than the stuck limit: left alone. */
  inFlight: number;
  stuck: Sample<StuckJob>;
  badRecords: Sample<BadJobRecord>;
  /** Debits beyond the overdraft floor: not written, reported on every run until a person acts. */
  held: Sample<HeldDebit>;
  /** The refund backstop: debited jobs whose producer status became `failed` and whose refund never came. */
  backstop: {
    /** The window of producer `updatedAt` read this run. */
    from?: string;
    through?: string;
    pages: number;
    itemsRead: number;
    refunds: Sample<StragglerSettled> & { refundedCredits: number };
  };
  /** Hold expiry: ACTIVE holds past their expiry, from the sparse `holdsDue` index. */
  holds: {
    pages: number;
    itemsRead: number;
    /** Expired this run (in a dry run: would be expired). */
    expired: Sample<ExpiredHold> & { expiredCredits: number };
  };
  anomalies: Record<AnomalyKind, Sample<string>>;
  audit: {
    mode: 'incremental' | 'full' | 'skipped';
    /** Ledger entries with from <= timestamp < through were covered. */
    from?: string;
    through?: string;
    /** Set when the window was clamped to MAX_AUDIT_DAYS; run `reconciler sweep --full` to cover the gap. */
    gapBefore?: string;
    /** A saved watermark in the future (corruption): it was reset and the window re-read. */
    watermarkReset?: string;
    usersAudited: number;
    /** Users whose history exceeded the per-user page limit (not audited). */
    unaudited: Sample<string>;
  };
  drift: Sample<DriftFinding>;
  /** Ledger entries the reconciler could not have written (a refund without its debit, an unknown kind…). */
  unjustified: Sample<Unjustified>;
  errors: Sample<SweepError>;
}
