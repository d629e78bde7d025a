/**
 * The sweep (DESIGN §1, README "The sweep"): one bounded run.
 *
 * 1. Stragglers. Query the sparse `unsettled` Jobs index, shard by shard, for jobs last updated
 *    before now − grace. Settle each terminal one through settleEvent (the same core, the same
 *    conditional writes as the event handlers) with eventId `sweep:<jobId>:<kind>`, so a late event
 *    and the sweep can never both charge. Report non-terminal jobs older than the stuck limit
 *    (never settle them) and records that break the producer contract (never fatal).
 * 2. Audit. For every user the ledger touched since the last run (byDay index), compare the
 *    balance with the ledger sum; report drift that persists after a re-check.
 * 3. Save where it stopped (position, audit watermark) in the Jobs table; one alert if anything was found.
 *
 * Every loop is bounded: page size, pages per run, users per run, concurrency, and a time budget
 * that stops the run cleanly (in-flight work finishes, nothing new starts) with a resumable position.
 * Cost: unsettled + recent work. Settled jobs carry no sweepShard, so they are not on the index.
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidEventError } from '../errors';
import { auditAllBalances } from '../ledger/audit';
import { DEFAULT_RETRY_POLICY, withRetries } from '../ledger/retry';
import { settleEvent, type LedgerDeps } from '../ledger/settle';
import type { AnomalyKind } from '../ledger/types';
import type { Logger } from '../observability/logger';
import { DEFAULT_PRICE_BOOK, priceOf, type PriceBook } from '../pricing';
import { JOBS_UNSETTLED_INDEX, SWEEP_SHARD_COUNT } from '../tables';
import { auditUser, counted, touchedUsers, type DriftFinding, type RequestCounter } from './balance-audit';
import { MAX_AUDIT_DAYS, sweepLimits, type SweepLimits } from './config';
import { Tally, type Sample } from './findings';
import { indexKeyOf, judgeJob } from './job-record';
import { forEachBounded } from '../pool';
import { acquireSweepLease, loadSweepState, saveSweepState, type SweepPosition, type SweepState } from './state';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The lease outlives the budget by this much: enough to save state after the last page. */
const LEASE_EXTRA_MS = 60_000;

export interface SweepDeps {
  /** DynamoDB client, table names, retry policy and the business clock (`now`) of the ledger core. */
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
  stoppedBecause?: 'time_budget' | 'page_limit' | 'user_limit';
  /** DynamoDB requests this run sent (settlement retries included). */
  requests: number;
  index: {
    pages: number;
    itemsRead: number;
    /** Where the next run resumes (absent: the last pass over the shards finished). */
    resumeAt?: SweepPosition;
  };
  /** Terminal jobs whose event never came, settled now (in a dry run: would be settled). */
  stragglers: Sample<StragglerSettled> & { debitedCredits: number; balancesChanged: number };
  /** Terminal jobs already settled by their event when the sweep got there (a race, or a stale index entry). */
  alreadySettled: number;
  /** Non-terminal jobs younger than the stuck limit: left alone. */
  inFlight: number;
  stuck: Sample<StuckJob>;
  badRecords: Sample<BadJobRecord>;
  anomalies: Record<AnomalyKind, Sample<string>>;
  audit: {
    mode: 'incremental' | 'full' | 'skipped';
    /** Ledger entries with from <= timestamp < through were covered. */
    from?: string;
    through?: string;
    /** Set when the window was clamped to MAX_AUDIT_DAYS; run `reconciler sweep --full` to cover the gap. */
    gapBefore?: string;
    usersAudited: number;
    /** Users whose history exceeded the per-user page limit (not audited). */
    unaudited: Sample<string>;
  };
  drift: Sample<DriftFinding>;
  errors: Sample<SweepError>;
}

/** True when the run found something a person should know about (and an alert goes out). */
export function hasFindings(result: SweepResult): boolean {
  return result.stragglers.count > 0 || result.stuck.count > 0 || result.badRecords.count > 0 || result.drift.count > 0
    || result.errors.count > 0 || result.audit.unaudited.count > 0 || result.audit.gapBefore !== undefined
    || Object.values(result.anomalies).some((a) => a.count > 0);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).slice(0, 300)}`;
}

export async function runSweep(deps: SweepDeps, options: SweepOptions): Promise<SweepResult> {
  const limits = sweepLimits(options.limits);
  const clockMs = deps.clockMs ?? (() => performance.now());
  const businessNow = () => (deps.ledger.now ?? (() => new Date()))();
  const sleep = deps.sleep ?? defaultSleep;
  const priceBook = deps.priceBook ?? DEFAULT_PRICE_BOOK;
  const dryRun = options.dryRun === true;
  const runId = options.runId ?? randomUUID();
  const { dynamodb, tables } = deps.ledger;
  const log = deps.logger?.child({ runId, dryRun });

  const startedMs = clockMs();
  const startedAt = businessNow();
  const outOfTime = () => clockMs() - startedMs >= options.timeBudgetMs;
  const counter: RequestCounter = { requests: 0 };

  const stragglers = new Tally<StragglerSettled>(limits.maxListedIds);
  let debitedCredits = 0;
  /** Stragglers whose settlement moved money (debit or refund), as opposed to a no-charge. */
  let balancesChanged = 0;
  let alreadySettled = 0;
  let inFlight = 0;
  const stuck = new Tally<StuckJob>(limits.maxListedIds);
  const badRecords = new Tally<BadJobRecord>(limits.maxListedIds);
  const anomalies: Record<AnomalyKind, Tally<string>> = {
    overdraft: new Tally(limits.maxListedIds), rendered_after_failed: new Tally(limits.maxListedIds), conflicting_duplicate: new Tally(limits.maxListedIds),
  };
  const drift = new Tally<DriftFinding>(limits.maxListedIds);
  const unaudited = new Tally<string>(limits.maxListedIds);
  const errors = new Tally<SweepError>(limits.maxListedIds);
  let stoppedBecause: SweepResult['stoppedBecause'];
  let pages = 0;
  let itemsRead = 0;

  const finish = (status: SweepStatus, resumeAt: SweepPosition | undefined, audit: Omit<SweepResult['audit'], 'unaudited'>): SweepResult => ({
    runId, status, dryRun, startedAt: startedAt.toISOString(), durationMs: Math.round(clockMs() - startedMs),
    ...(stoppedBecause ? { stoppedBecause } : {}),
    requests: counter.requests,
    index: { pages, itemsRead, ...(resumeAt ? { resumeAt } : {}) },
    stragglers: { ...stragglers.toJSON(), debitedCredits, balancesChanged },
    alreadySettled, inFlight,
    stuck: stuck.toJSON(), badRecords: badRecords.toJSON(),
    anomalies: {
      overdraft: anomalies.overdraft.toJSON(), rendered_after_failed: anomalies.rendered_after_failed.toJSON(),
      conflicting_duplicate: anomalies.conflicting_duplicate.toJSON(),
    },
    audit: { ...audit, unaudited: unaudited.toJSON() },
    drift: drift.toJSON(), errors: errors.toJSON(),
  });

  if (!dryRun) {
    const leased = await counted(counter, () => acquireSweepLease(dynamodb, tables.jobs, runId, startedAt, options.timeBudgetMs + LEASE_EXTRA_MS));
    if (!leased) {
      log?.warn({ outcome: 'skipped_locked' }, 'another sweep holds the lease; nothing done');
      return finish('skipped_locked', undefined, { mode: 'skipped', usersAudited: 0 });
    }
  }
  const state: SweepState = await counted(counter, () => loadSweepState(dynamodb, tables.jobs));

  // ---- 1. Stragglers -------------------------------------------------------------------------
  const settleBeforeIso = new Date(startedAt.getTime() - limits.graceMinutes * MINUTE_MS).toISOString();
  const stuckBeforeIso = new Date(startedAt.getTime() - limits.stuckAfterHours * HOUR_MS).toISOString();

  /** Removes sweepShard from a job that is settled yet still on the index. */
  const dropFromIndex = async (jobId: string) => {
    try {
      await counted(counter, () => dynamodb.send(new UpdateItemCommand({
        TableName: tables.jobs, Key: { jobId: { S: jobId } }, UpdateExpression: 'REMOVE sweepShard',
        ConditionExpression: 'attribute_exists(settlement) AND attribute_exists(sweepShard)',
      })));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  };

  const handleItem = async (item: Record<string, AttributeValue>): Promise<void> => {
    const verdict = judgeJob(item, stuckBeforeIso);
    try {
      switch (verdict.kind) {
        case 'in_flight':
          inFlight++;
          return;
        case 'stuck':
          stuck.add({ jobId: verdict.jobId, userId: verdict.userId, status: verdict.status, updatedAt: verdict.updatedAt });
          return;
        case 'bad':
          badRecords.add({ jobId: verdict.jobId, problems: verdict.problems });
          return;
        case 'leftover':
          alreadySettled++;
          if (!dryRun) await dropFromIndex(verdict.jobId);
          return;
        case 'settle': {
          const { event } = verdict;
          let priceCredits = 0;
          if (event.kind === 'rendered') {
            try {
              priceCredits = priceOf(priceBook, event);
            } catch (error) {
              if (!(error instanceof InvalidEventError)) throw error;
              badRecords.add({ jobId: event.jobId, problems: [error.message] });
              return;
            }
          }
          if (dryRun) {
            stragglers.add({ jobId: event.jobId, userId: event.userId, outcome: event.kind === 'rendered' ? 'debited' : 'no_charge', credits: priceCredits });
            if (event.kind === 'rendered') { debitedCredits += priceCredits; balancesChanged++; }
            return;
          }
          const result = await settleEvent(deps.ledger, event, priceCredits);
          counter.requests += result.requests;
          for (const anomaly of result.anomalies) anomalies[anomaly.kind].add(anomaly.detail);
          switch (result.outcome) {
            case 'debited':
            case 'no_charge':
            case 'refunded':
              stragglers.add({ jobId: event.jobId, userId: event.userId, outcome: result.outcome, credits: result.credits });
              if (result.outcome === 'debited') debitedCredits += result.credits;
              if (result.outcome !== 'no_charge') balancesChanged++;
              log?.info({ outcome: result.outcome, jobId: event.jobId, userId: event.userId, eventId: event.eventId, credits: result.credits }, 'straggler settled');
              return;
            case 'duplicate':
            case 'rendered_after_failed':
            case 'conflicting_duplicate':
              // Settled by its own event first (the race the grace period makes rare): nothing moved.
              alreadySettled++;
              await dropFromIndex(event.jobId);
              return;
          }
        }
      }
    } catch (error) {
      // One job's failure (transient after retries, or an invariant) must not hide the others:
      // it stays on the index, is reported in this run's alert, and is retried next run.
      errors.add({ subject: `job ${verdict.jobId}`, error: describeError(error) });
      log?.error({ outcome: 'error', jobId: verdict.jobId, error: describeError(error) }, 'sweep could not process job');
    }
  };

  let position: SweepPosition | undefined = dryRun ? { shard: 0 } : (state.position ?? { shard: 0 });
  /** A pass that began at shard 0 in this run: when it ends, every shard has been read once. */
  let freshPass = dryRun || state.position === undefined || (state.position.shard === 0 && state.position.startKey === undefined);
  while (position !== undefined) {
    if (outOfTime()) { stoppedBecause = 'time_budget'; break; }
    if (pages >= limits.maxPagesPerRun) { stoppedBecause = 'page_limit'; break; }
    const at: SweepPosition = position;
    const page = await withRetries(deps.ledger.retry ?? DEFAULT_RETRY_POLICY, `query shard ${at.shard}`, () => counted(counter, () => dynamodb.send(new QueryCommand({
      TableName: tables.jobs,
      IndexName: JOBS_UNSETTLED_INDEX,
      KeyConditionExpression: 'sweepShard = :shard AND updatedAt < :before',
      ExpressionAttributeValues: { ':shard': { S: String(at.shard) }, ':before': { S: settleBeforeIso } },
      Limit: limits.pageSize,
      ExclusiveStartKey: at.startKey,
    })))).then((r) => r.value);
    pages++;
    const items = page.Items ?? [];
    itemsRead += items.length;
    const { started } = await forEachBounded(items, limits.concurrency, (item) => handleItem(item), outOfTime);
    options.onProgress?.(`shard ${at.shard + 1}/${SWEEP_SHARD_COUNT}, pages ${pages}, settled ${stragglers.count}`);
    if (started < items.length) {
      // Budget spent mid-page: resume right after the last item handled.
      stoppedBecause = 'time_budget';
      position = started > 0 ? { shard: at.shard, startKey: indexKeyOf(items[started - 1]!) } : at;
      break;
    }
    if (page.LastEvaluatedKey) { position = { shard: at.shard, startKey: page.LastEvaluatedKey }; continue; }
    if (at.shard + 1 < SWEEP_SHARD_COUNT) { position = { shard: at.shard + 1 }; continue; }
    if (freshPass) { position = undefined; break; }
    // A resumed pass just ended; start a full one so this run reads every shard at least once.
    freshPass = true;
    position = { shard: 0 };
  }

  // ---- 2. Audit ------------------------------------------------------------------------------
  let auditReport: Omit<SweepResult['audit'], 'unaudited'> = { mode: 'skipped', usersAudited: 0 };
  let auditedThrough = state.auditedThrough;
  let auditComplete = false;
  if (options.fullAudit) {
    const audited = await auditEveryone(deps, counter, limits, sleep, drift, unaudited, errors, options.onProgress);
    auditReport = { mode: 'full', usersAudited: audited };
    auditComplete = true;
  } else if (!outOfTime()) {
    const auditStart = businessNow();
    const through = new Date(auditStart.getTime() - limits.indexLagSeconds * 1000).toISOString();
    let from = options.auditSince?.toISOString() ?? state.auditedThrough
      ?? new Date(auditStart.getTime() - limits.firstRunLookbackHours * HOUR_MS).toISOString();
    const oldestAllowed = new Date(Date.parse(through) - MAX_AUDIT_DAYS * 24 * HOUR_MS).toISOString();
    let gapBefore: string | undefined;
    if (from < oldestAllowed) { gapBefore = from; from = oldestAllowed; }
    const seen = new Set<string>();
    let watermark = from;
    auditComplete = true;
    outer: for await (const touched of touchedUsers(deps.ledger, counter, from, through)) {
      const fresh = touched.userIds.filter((u) => !seen.has(u));
      if (seen.size + fresh.length > limits.maxUsersAuditedPerRun) { stoppedBecause ??= 'user_limit'; auditComplete = false; break; }
      const { started } = await forEachBounded(fresh, limits.concurrency, async (userId) => {
        seen.add(userId);
        try {
          const audit = await auditUser(deps.ledger, counter, userId, limits, sleep);
          if (audit.status === 'drift') {
            drift.add(audit.finding);
            log?.error({ outcome: 'drift', ...audit.finding }, 'balance differs from ledger');
          } else if (audit.status === 'too_long') unaudited.add(userId);
        } catch (error) {
          errors.add({ subject: `user ${userId}`, error: describeError(error) });
        }
      }, outOfTime);
      if (started < fresh.length || (outOfTime() && touched.lastTimestamp !== undefined)) {
        // Users of this page not all audited: the watermark stays before it (re-auditing is harmless).
        if (started === fresh.length && touched.lastTimestamp) watermark = touched.lastTimestamp;
        stoppedBecause ??= 'time_budget';
        auditComplete = false;
        break outer;
      }
      if (touched.lastTimestamp) watermark = touched.lastTimestamp;
      options.onProgress?.(`audit: ${seen.size} users checked, drift ${drift.count}`);
    }
    // Never move the watermark backwards (a --since in the future of the window reads nothing).
    if (auditComplete && through > watermark) watermark = through;
    auditedThrough = watermark;
    auditReport = { mode: 'incremental', from, through: watermark, ...(gapBefore ? { gapBefore } : {}), usersAudited: seen.size };
  } else {
    stoppedBecause ??= 'time_budget';
  }

  // ---- 3. Save where we stopped --------------------------------------------------------------
  const status: SweepStatus = position === undefined && auditComplete ? 'completed' : 'partial';
  if (!dryRun) {
    const saved = await counted(counter, () => saveSweepState(dynamodb, tables.jobs, runId, { position, auditedThrough }, businessNow()));
    if (!saved) log?.warn({ outcome: 'lease_lost' }, 'the lease expired before the state was saved; the next run re-reads from the previous position');
  }
  return finish(status, position, auditReport);
}

/** `--full`: two paginated scans (shared/ledger/audit.ts), then each drifting user re-checked on its own. */
async function auditEveryone(
  deps: SweepDeps, counter: RequestCounter, limits: SweepLimits, sleep: (ms: number) => Promise<void>,
  drift: Tally<DriftFinding>, unaudited: Tally<string>, errors: Tally<SweepError>, onProgress?: (line: string) => void,
): Promise<number> {
  let scanned = 0;
  const report = await auditAllBalances(deps.ledger, (n) => { scanned += n; onProgress?.(`full audit: ledger entries scanned ${scanned}`); });
  await forEachBounded(report.drift, limits.concurrency, async (candidate) => {
    try {
      const audit = await auditUser(deps.ledger, counter, candidate.userId, limits, sleep);
      if (audit.status === 'drift') drift.add(audit.finding);
      else if (audit.status === 'too_long') unaudited.add(candidate.userId);
    } catch (error) {
      errors.add({ subject: `user ${candidate.userId}`, error: describeError(error) });
    }
  });
  return report.usersChecked;
}
