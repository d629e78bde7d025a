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
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DETAIL_TYPES, EVENT_SOURCE } from '../shared/events/parse-video-event';
import { ledgerIds } from '../shared/ledger/ids';
import { grantCredits } from '../shared/ledger/manual-entries';
import { getBalance } from '../shared/ledger/queries';
import type { LedgerDeps } from '../shared/ledger/types';
import { sleep } from '../shared/time';

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
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '')}-${randomBytes(3).toString('hex')}`;
}

export const smokeJobId = (runId: string, scenario: 'debit' | 'refund') => `smoke-${runId}-${scenario}`;

interface JobView { settlement?: string; charged?: number; refunded?: number }
interface EntryView { type?: string; amount?: number; userId?: string; kind?: string }

export async function runSmoke(deps: SmokeDeps): Promise<SmokeReport> {
  const userId = deps.userId ?? SMOKE_USER_ID;
  const runId = deps.runId ?? newRunId();
  const timeoutMs = Math.min(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
  const pollMs = Math.max(deps.pollMs ?? DEFAULT_POLL_MS, 10);
  const quietMs = Math.min(deps.quietMs ?? DEFAULT_QUIET_MS, timeoutMs);
  const wait = deps.sleep ?? sleep;
  const progress = deps.onProgress ?? (() => undefined);
  const { ledger } = deps;

  const balance = async () => (await getBalance(ledger, userId)).remaining;
  const job = async (jobId: string): Promise<JobView> => {
    const { Item } = await ledger.dynamodb.send(new GetItemCommand({ TableName: ledger.tables.settlements, Key: { jobId: { S: jobId } }, ConsistentRead: true }));
    return Item ? (unmarshall(Item) as JobView) : {};
  };
  const entry = async (ledgerId: string): Promise<EntryView | undefined> => {
    const { Item } = await ledger.dynamodb.send(new GetItemCommand({ TableName: ledger.tables.ledger, Key: { ledgerId: { S: ledgerId } }, ConsistentRead: true }));
    return Item ? (unmarshall(Item) as EntryView) : undefined;
  };
  const put = async (kind: 'rendered' | 'failed', jobId: string) => {
    const detail = { jobId, userId, model: SMOKE_MODEL, seconds: SMOKE_SECONDS, ...(kind === 'failed' ? { reason: 'smoke test: deliberate failure' } : {}) };
    const out = await deps.eventBridge.send(new PutEventsCommand({
      Entries: [{ Source: EVENT_SOURCE, DetailType: DETAIL_TYPES[kind], Detail: JSON.stringify(detail), EventBusName: deps.busName }],
    }));
    const failed = out.Entries?.[0];
    if ((out.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode) throw new Error(`PutEvents refused the ${DETAIL_TYPES[kind]} event for ${jobId}: ${failed?.ErrorCode ?? '?'} ${failed?.ErrorMessage ?? ''}`.trim());
  };
  // Every look reads the job first, then the balance: both change in one transaction, so a job seen
  // settled guarantees the balance read after it includes the change.
  /** Polls `look` until `done` says so or the timeout passes; returns the last thing seen. */
  const waitFor = async <T>(what: string, look: () => Promise<T>, done: (seen: T) => boolean): Promise<{ seen: T; ok: boolean; waitedMs: number }> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const seen = await look();
      const waitedMs = Date.now() - started;
      if (done(seen)) return { seen, ok: true, waitedMs };
      if (waitedMs >= timeoutMs) return { seen, ok: false, waitedMs };
      progress(`smoke ${runId}: waiting for ${what} (${Math.round(waitedMs / 1000)}/${Math.round(timeoutMs / 1000)} s)`);
      await wait(Math.min(pollMs * Math.min(1 + attempt, 4), Math.max(timeoutMs - waitedMs, 10)));
    }
  };
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

  // --- top up to START_CREDITS through the ledger ------------------------------------------
  const before = await balance();
  const granted = before < START_CREDITS ? START_CREDITS - before : 0;
  if (granted > 0) {
    progress(`smoke ${runId}: granting ${granted} credits to ${userId} (balance ${before} → ${START_CREDITS})`);
    await grantCredits(ledger, { userId, credits: granted, reference: `smoke-${runId}-topup`, description: `smoke test ${runId}: top-up to ${START_CREDITS}` });
  }
  const start = await balance();
  const scenarios: ScenarioResult[] = [];
  const record = (name: ScenarioName, jobId: string, startedAt: number, ok: boolean, detail: string) => {
    scenarios.push({ name, ok, detail, jobId, durationMs: Date.now() - startedAt });
  };

  // --- 1. debit ----------------------------------------------------------------------------
  const debitJob = smokeJobId(runId, 'debit');
  let t = Date.now();
  await put('rendered', debitJob);
  const debit = await waitFor('the debit', async () => { const j = await job(debitJob); return { job: j, balance: await balance() }; },
    (s) => s.job.settlement !== undefined);
  const debitOk = debit.seen.job.settlement === 'DEBITED' && debit.seen.job.charged === SMOKE_PRICE_CREDITS && debit.seen.balance === start - SMOKE_PRICE_CREDITS;
  record('debit', debitJob, t, debitOk, debit.ok
    ? `balance ${start} → ${debit.seen.balance} (expected ${start - SMOKE_PRICE_CREDITS}), job ${debit.seen.job.settlement} charged ${debit.seen.job.charged ?? '-'}, after ${secs(debit.waitedMs)}`
    : `nothing settled within ${secs(timeoutMs)}: balance ${debit.seen.balance} (expected ${start - SMOKE_PRICE_CREDITS}), job settlement ${debit.seen.job.settlement ?? 'none'}; is debit's rule enabled and its alias live? (make doctor), anything in the DLQ?`);

  // --- 2. ledger ---------------------------------------------------------------------------
  t = Date.now();
  const debitEntryId = ledgerIds.debit(debitJob);
  const debitEntry = await entry(debitEntryId);
  const entryOk = debitEntry?.type === 'debit' && Number(debitEntry.amount) === SMOKE_PRICE_CREDITS && debitEntry.userId === userId;
  record('ledger', debitJob, t, entryOk, debitEntry
    ? `${debitEntryId}: ${debitEntry.type} of ${debitEntry.amount} (${debitEntry.kind}) for ${debitEntry.userId}${entryOk ? '' : ` (expected debit of ${SMOKE_PRICE_CREDITS} for ${userId})`}`
    : `${debitEntryId} not found`);

  // --- 3. refund: rendered, seen debited, then failed --------------------------------------
  const refundJob = smokeJobId(runId, 'refund');
  t = Date.now();
  const beforeRefund = await balance();
  await put('rendered', refundJob);
  const charged = await waitFor('the refund job\'s debit', () => job(refundJob), (s) => s.settlement !== undefined);
  if (charged.seen.settlement !== 'DEBITED') {
    record('refund', refundJob, t, false, `its rendered event did not settle as DEBITED within ${secs(timeoutMs)} (settlement ${charged.seen.settlement ?? 'none'}); failed event not sent`);
  } else {
    await put('failed', refundJob);
    const refunded = await waitFor('the refund', () => job(refundJob), (s) => s.settlement !== 'DEBITED');
    const [after, refundEntry] = [await balance(), await entry(ledgerIds.refund(refundJob))];
    const ok = refunded.seen.settlement === 'REFUNDED' && after === beforeRefund && Number(refundEntry?.amount) === SMOKE_PRICE_CREDITS && refundEntry?.type === 'credit';
    record('refund', refundJob, t, ok, `job ${refunded.seen.settlement ?? 'none'} (charged ${refunded.seen.charged ?? '-'}, refunded ${refunded.seen.refunded ?? '-'}), `
      + `balance ${beforeRefund} → ${after} (expected net 0), refund entry ${refundEntry ? `${refundEntry.type} of ${refundEntry.amount}` : 'missing'}`
      + `${refunded.ok ? '' : `; timed out after ${secs(timeoutMs)}`}`);
  }

  // --- 4. duplicate ------------------------------------------------------------------------
  t = Date.now();
  if (!debitOk) {
    record('duplicate', debitJob, t, false, 'not run: the debit scenario failed, so a "duplicate" would be the first delivery');
  } else {
    const beforeDuplicate = await balance();
    await put('rendered', debitJob);
    progress(`smoke ${runId}: duplicate sent; watching ${secs(quietMs)} for any change`);
    const quiet = await waitForQuiet(quietMs, pollMs, wait, async () => { const j = await job(debitJob); return { job: j, balance: await balance() }; },
      (s) => s.balance !== beforeDuplicate || s.job.charged !== SMOKE_PRICE_CREDITS || s.job.settlement !== 'DEBITED');
    const again = await entry(debitEntryId);
    const ok = !quiet.changed && Number(again?.amount) === SMOKE_PRICE_CREDITS;
    record('duplicate', debitJob, t, ok, `same rendered event again: balance ${beforeDuplicate} → ${quiet.seen.balance} over ${secs(quiet.watchedMs)}, job ${quiet.seen.job.settlement} charged ${quiet.seen.job.charged}, one debit entry (${debitEntryId}, amount ${again?.amount ?? 'missing'})`);
  }

  const end = await balance();
  return { runId, userId, ok: scenarios.every((s) => s.ok), balance: { before, granted, start, end }, scenarios };
}

/** Watches for `quietMs`; stops early when `changed` says something moved. */
async function waitForQuiet<T>(quietMs: number, pollMs: number, sleep: (ms: number) => Promise<void>, look: () => Promise<T>, changed: (seen: T) => boolean): Promise<{ seen: T; changed: boolean; watchedMs: number }> {
  const started = Date.now();
  for (;;) {
    const seen = await look();
    const watchedMs = Date.now() - started;
    if (changed(seen)) return { seen, changed: true, watchedMs };
    if (watchedMs >= quietMs) return { seen, changed: false, watchedMs };
    await sleep(Math.min(pollMs, quietMs - watchedMs + 1));
  }
}
