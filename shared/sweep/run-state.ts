/**
 * One sweep run's explicit state: its limits and clocks, and every count and sample it reports. The
 * passes (straggler, backstop, audit) add to it; nothing else keeps run state. `finish` turns it into
 * the SweepResult a run returns.
 */
import { randomUUID } from 'node:crypto';
import type { AnomalyKind, LedgerDeps } from '../ledger/types';
import type { Unjustified } from '../ledger/justification';
import type { Logger } from '../observability/logger';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../pricing';
import type { DriftFinding, RequestCounter } from './balance-audit';
import { sweepLimits, type SweepLimits } from './config';
import { Tally } from './findings';
import type { ShardPosition } from './state';
import type {
  BadJobRecord,
  ExpiredHold,
  HeldDebit,
  StopReason,
  StragglerSettled,
  StuckJob,
  SweepDeps,
  SweepError,
  SweepOptions,
  SweepResult,
  SweepStatus,
} from './types';
import { currentTime, sleep } from '../time';

export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${(e.message ?? String(error)).slice(0, 300)}`;
}

export class SweepRun {
  readonly limits: SweepLimits;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly ledger: LedgerDeps;
  readonly priceBook: PriceBook;
  readonly log: Logger | undefined;
  readonly sleep: (ms: number) => Promise<void>;
  readonly startedAt: Date;
  readonly counter: RequestCounter = { requests: 0 };
  private readonly clockMs: () => number;
  private readonly startedMs: number;
  private readonly budgetMs: number;
  stoppedBecause: StopReason | undefined;

  readonly stragglers: Tally<StragglerSettled>;
  debitedCredits = 0;
  /** Stragglers whose settlement moved money (debit or refund), as opposed to a no-charge. */
  balancesChanged = 0;
  alreadySettled = 0;
  inFlight = 0;
  pages = 0;
  itemsRead = 0;
  readonly stuck: Tally<StuckJob>;
  readonly badRecords: Tally<BadJobRecord>;
  readonly held: Tally<HeldDebit>;
  readonly backstop = {
    pages: 0,
    itemsRead: 0,
    refundedCredits: 0,
    from: undefined as string | undefined,
    through: undefined as string | undefined,
  };
  readonly backstopRefunds: Tally<StragglerSettled>;
  readonly holds = { pages: 0, itemsRead: 0, expiredCredits: 0 };
  readonly holdsExpired: Tally<ExpiredHold>;
  /** Users whose holds this run expired: their hold figures changed without a ledger entry, so the audit reads them too. */
  readonly holdUsers = new Set<string>();
  readonly anomalies: Record<AnomalyKind, Tally<string>>;
  readonly drift: Tally<DriftFinding>;
  readonly unaudited: Tally<string>;
  readonly unjustified: Tally<Unjustified>;
  readonly errors: Tally<SweepError>;

  constructor(
    deps: SweepDeps,
    readonly options: SweepOptions,
  ) {
    this.limits = sweepLimits(options.limits);
    this.runId = options.runId ?? randomUUID();
    this.dryRun = options.dryRun === true;
    this.ledger = deps.ledger;
    this.priceBook = deps.priceBook ?? DEFAULT_PRICE_BOOK;
    this.log = deps.logger?.child({ runId: this.runId, dryRun: this.dryRun });
    this.sleep = deps.sleep ?? sleep;
    this.clockMs = deps.clockMs ?? (() => performance.now());
    this.startedMs = this.clockMs();
    this.startedAt = this.now();
    this.budgetMs = options.timeBudgetMs;
    const tally = <T>() => new Tally<T>(this.limits.maxListedIds);
    this.stragglers = tally();
    this.stuck = tally();
    this.badRecords = tally();
    this.held = tally();
    this.backstopRefunds = tally();
    this.holdsExpired = tally();
    this.anomalies = {
      overdraft: tally(),
      rendered_after_failed: tally(),
      conflicting_duplicate: tally(),
      capture_over_hold: tally(),
      capture_after_expiry: tally(),
    };
    this.drift = tally();
    this.unaudited = tally();
    this.unjustified = tally();
    this.errors = tally();
  }

  /** The business clock (the ledger's `now`), not the elapsed-time clock. */
  now(): Date {
    return currentTime(this.ledger);
  }

  outOfTime(): boolean {
    return this.clockMs() - this.startedMs >= this.budgetMs;
  }

  /** Records why the run stopped early; the first reason wins. */
  stop(reason: StopReason): void {
    this.stoppedBecause ??= reason;
  }

  progress(line: string): void {
    this.options.onProgress?.(line);
  }

  error(subject: string, error: unknown): void {
    this.errors.add({ subject, error: describeError(error) });
    this.log?.error({ outcome: 'error', subject, error: describeError(error) }, 'sweep could not process an item');
  }

  finish(
    status: SweepStatus,
    resumeAt: ShardPosition | undefined,
    audit: Omit<SweepResult['audit'], 'unaudited'>,
  ): SweepResult {
    return {
      runId: this.runId,
      status,
      dryRun: this.dryRun,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(this.clockMs() - this.startedMs),
      ...(this.stoppedBecause ? { stoppedBecause: this.stoppedBecause } : {}),
      requests: this.counter.requests,
      index: { pages: this.pages, itemsRead: this.itemsRead, ...(resumeAt ? { resumeAt } : {}) },
      stragglers: {
        ...this.stragglers.toJSON(),
        debitedCredits: this.debitedCredits,
        balancesChanged: this.balancesChanged,
      },
      alreadySettled: this.alreadySettled,
      inFlight: this.inFlight,
      stuck: this.stuck.toJSON(),
      badRecords: this.badRecords.toJSON(),
      held: this.held.toJSON(),
      backstop: {
        ...(this.backstop.from ? { from: this.backstop.from, through: this.backstop.through } : {}),
        pages: this.backstop.pages,
        itemsRead: this.backstop.itemsRead,
        refunds: { ...this.backstopRefunds.toJSON(), refundedCredits: this.backstop.refundedCredits },
      },
      holds: {
        pages: this.holds.pages,
        itemsRead: this.holds.itemsRead,
        expired: { ...this.holdsExpired.toJSON(), expiredCredits: this.holds.expiredCredits },
      },
      anomalies: Object.fromEntries(
        Object.entries(this.anomalies).map(([kind, tally]) => [kind, tally.toJSON()]),
      ) as SweepResult['anomalies'],
      audit: { ...audit, unaudited: this.unaudited.toJSON() },
      drift: this.drift.toJSON(),
      unjustified: this.unjustified.toJSON(),
      errors: this.errors.toJSON(),
    };
  }
}
