/**
 * The production smoke test, as code: the seed's four scenarios put on a deployed workspace's bus
 * as a dedicated smoke user, then watched in the tables until they show the outcome (or a timeout).
 *
 *   1. debit      a rendered `test` job (5 s, no quote: 1 credit) takes the balance 100 → 99
 *   2. ledger     the entry job#<jobId>#debit exists, a debit of 1 for the smoke user
 *   3. refund     a rendered then failed job ends REFUNDED and costs nothing (debit + refund entries)
 *   4. duplicate  the first job's rendered event again (EventBridge gives it a new id): no change
 *
 * The books stay balanced: the smoke user is topped up to START_CREDITS through grantCredits
 * (a grant of the difference, its own reference per run) and spends through the real handlers,
 * like any other user; nothing is ever deleted or overwritten. Job ids are unique per run, so it
 * can be re-run at once. Needs only PutEvents on the bus, DynamoDB reads, and the grant's write.
 */
import { randomBytes } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ledgerIds } from '../shared/ledger/ids';
import { grantCredits } from '../shared/ledger/manual-entries';
import type { LedgerDeps } from '../shared/ledger/types';
import { sleep } from '../shared/time';
import { SmokeProbe, secs } from './smoke-probe';

export const SMOKE_USER_ID = 'smoke-test-user';
/** The seed's scenario starts at 100 credits. */
export const START_CREDITS = 100;
/** DEFAULT_PRICE_BOOK: model `test`, 5 s, no quote = exactly 1 credit. */
export const SMOKE_MODEL = 'test';
export const SMOKE_SECONDS = 5;
export const SMOKE_PRICE_CREDITS = 1;

export const DEFAULT_TIMEOUT_MS = 60_000;
export const MAX_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_POLL_MS = 1_000;
/** A duplicate leaves no trace by design, so its check waits this long and then looks. */
export const DEFAULT_QUIET_MS = 10_000;

export type ScenarioName = 'debit' | 'ledger' | 'refund' | 'duplicate';

export interface ScenarioResult {
  name: ScenarioName;
  ok: boolean;
  /** What the scenario saw, in words. */
  detail: string;
  jobId: string;
  durationMs: number;
}

export interface SmokeReport {
  runId: string;
  userId: string;
  ok: boolean;
  /** Balance before the run, the top-up granted (0 when none was needed), and at the end. */
  balance: { before: number; granted: number; start: number; end: number };
  scenarios: ScenarioResult[];
}

export interface SmokeDeps {
  ledger: LedgerDeps;
  eventBridge: EventBridgeClient;
  busName: string;
  userId?: string;
  runId?: string;
  timeoutMs?: number;
  pollMs?: number;
  quietMs?: number;
  onProgress?: (line: string) => void;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** yyyymmddThhmmss-<6 hex>: sortable, unique, inside the job id alphabet. */
export function newRunId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')}-${randomBytes(3).toString('hex')}`;
}

export const smokeJobId = (runId: string, scenario: 'debit' | 'refund') => `smoke-${runId}-${scenario}`;

type Outcome = Omit<ScenarioResult, 'name' | 'jobId' | 'durationMs'>;

/** Runs one scenario and times it; a scenario answers ok and what it saw, in words. */
async function timed(name: ScenarioName, jobId: string, scenario: () => Promise<Outcome>): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const { ok, detail } = await scenario();
  return { name, ok, detail, jobId, durationMs: Date.now() - startedAt };
}

/** 1. A rendered job takes exactly its price off the balance. */
async function debitScenario(probe: SmokeProbe, jobId: string, start: number): Promise<Outcome> {
  const { timeoutMs } = probe.settings;
  await probe.put('rendered', jobId);
  const debit = await probe.waitFor(
    'the debit',
    () => probe.jobAndBalance(jobId),
    (s) => s.job.settlement !== undefined,
  );
  const expected = start - SMOKE_PRICE_CREDITS;
  const ok =
    debit.seen.job.settlement === 'DEBITED' &&
    debit.seen.job.charged === SMOKE_PRICE_CREDITS &&
    debit.seen.balance === expected;
  return {
    ok,
    detail: debit.ok
      ? `balance ${start} → ${debit.seen.balance} (expected ${expected}), job ${debit.seen.job.settlement} charged ${debit.seen.job.charged ?? '-'}, after ${secs(debit.waitedMs)}`
      : `nothing settled within ${secs(timeoutMs)}: balance ${debit.seen.balance} (expected ${expected}), job settlement ${debit.seen.job.settlement ?? 'none'}; is debit's rule enabled and its alias live? (make doctor), anything in the DLQ?`,
  };
}

/** 2. The debit's ledger entry exists: a debit of the price for the smoke user. */
async function ledgerScenario(probe: SmokeProbe, jobId: string): Promise<Outcome> {
  const { userId } = probe.settings;
  const entryId = ledgerIds.debit(jobId);
  const entry = await probe.entry(entryId);
  const ok = entry?.type === 'debit' && Number(entry.amount) === SMOKE_PRICE_CREDITS && entry.userId === userId;
  return {
    ok,
    detail: entry
      ? `${entryId}: ${entry.type} of ${entry.amount} (${entry.kind}) for ${entry.userId}${ok ? '' : ` (expected debit of ${SMOKE_PRICE_CREDITS} for ${userId})`}`
      : `${entryId} not found`,
  };
}

/** 3. Rendered, seen debited, then failed: the job ends REFUNDED and costs nothing. */
async function refundScenario(probe: SmokeProbe, jobId: string): Promise<Outcome> {
  const { timeoutMs } = probe.settings;
  const before = await probe.balance();
  await probe.put('rendered', jobId);
  const charged = await probe.waitFor(
    "the refund job's debit",
    () => probe.job(jobId),
    (s) => s.settlement !== undefined,
  );
  if (charged.seen.settlement !== 'DEBITED') {
    return {
      ok: false,
      detail: `its rendered event did not settle as DEBITED within ${secs(timeoutMs)} (settlement ${charged.seen.settlement ?? 'none'}); failed event not sent`,
    };
  }
  await probe.put('failed', jobId);
  const refunded = await probe.waitFor(
    'the refund',
    () => probe.job(jobId),
    (s) => s.settlement !== 'DEBITED',
  );
  const [after, entry] = [await probe.balance(), await probe.entry(ledgerIds.refund(jobId))];
  const ok =
    refunded.seen.settlement === 'REFUNDED' &&
    after === before &&
    Number(entry?.amount) === SMOKE_PRICE_CREDITS &&
    entry?.type === 'credit';
  return {
    ok,
    detail:
      `job ${refunded.seen.settlement ?? 'none'} (charged ${refunded.seen.charged ?? '-'}, refunded ${refunded.seen.refunded ?? '-'}), ` +
      `balance ${before} → ${after} (expected net 0), refund entry ${entry ? `${entry.type} of ${entry.amount}` : 'missing'}` +
      `${refunded.ok ? '' : `; timed out after ${secs(timeoutMs)}`}`,
  };
}

/** 4. The first job's rendered event again (EventBridge gives it a new id): nothing changes. */
async function duplicateScenario(probe: SmokeProbe, jobId: string, debitOk: boolean): Promise<Outcome> {
  if (!debitOk)
    return { ok: false, detail: 'not run: the debit scenario failed, so a "duplicate" would be the first delivery' };
  const { runId, quietMs, progress } = probe.settings;
  const before = await probe.balance();
  await probe.put('rendered', jobId);
  progress(`smoke ${runId}: duplicate sent; watching ${secs(quietMs)} for any change`);
  const quiet = await probe.waitForQuiet(
    () => probe.jobAndBalance(jobId),
    (s) => s.balance !== before || s.job.charged !== SMOKE_PRICE_CREDITS || s.job.settlement !== 'DEBITED',
  );
  const entryId = ledgerIds.debit(jobId);
  const again = await probe.entry(entryId);
  const ok = !quiet.changed && Number(again?.amount) === SMOKE_PRICE_CREDITS;
  return {
    ok,
    detail: `same rendered event again: balance ${before} → ${quiet.seen.balance} over ${secs(quiet.watchedMs)}, job ${quiet.seen.job.settlement} charged ${quiet.seen.job.charged}, one debit entry (${entryId}, amount ${again?.amount ?? 'missing'})`,
  };
}

function probeFor(deps: SmokeDeps): SmokeProbe {
  const timeoutMs = Math.min(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
  return new SmokeProbe({
    ledger: deps.ledger,
    eventBridge: deps.eventBridge,
    busName: deps.busName,
    userId: deps.userId ?? SMOKE_USER_ID,
    runId: deps.runId ?? newRunId(),
    model: SMOKE_MODEL,
    seconds: SMOKE_SECONDS,
    timeoutMs,
    pollMs: Math.max(deps.pollMs ?? DEFAULT_POLL_MS, 10),
    quietMs: Math.min(deps.quietMs ?? DEFAULT_QUIET_MS, timeoutMs),
    wait: deps.sleep ?? sleep,
    progress: deps.onProgress ?? (() => undefined),
  });
}

export async function runSmoke(deps: SmokeDeps): Promise<SmokeReport> {
  const probe = probeFor(deps);
  const { userId, runId, ledger, progress } = probe.settings;
  // Top up to START_CREDITS through the ledger, so the books stay balanced.
  const before = await probe.balance();
  const granted = before < START_CREDITS ? START_CREDITS - before : 0;
  if (granted > 0) {
    progress(`smoke ${runId}: granting ${granted} credits to ${userId} (balance ${before} → ${START_CREDITS})`);
    await grantCredits(ledger, {
      userId,
      credits: granted,
      reference: `smoke-${runId}-topup`,
      description: `smoke test ${runId}: top-up to ${START_CREDITS}`,
    });
  }
  const start = await probe.balance();
  const debitJob = smokeJobId(runId, 'debit');
  const refundJob = smokeJobId(runId, 'refund');
  const debit = await timed('debit', debitJob, () => debitScenario(probe, debitJob, start));
  const scenarios = [
    debit,
    await timed('ledger', debitJob, () => ledgerScenario(probe, debitJob)),
    await timed('refund', refundJob, () => refundScenario(probe, refundJob)),
    await timed('duplicate', debitJob, () => duplicateScenario(probe, debitJob, debit.ok)),
  ];
  const end = await probe.balance();
  return { runId, userId, ok: scenarios.every((s) => s.ok), balance: { before, granted, start, end }, scenarios };
}
