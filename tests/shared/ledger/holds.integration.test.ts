/**
 * Holds end to end on DynamoDB Local through the real handlers (reserve, debit, refund) and the real
 * sweep: every row of the hold state machine (shared/ledger/state-machine.ts and holds.ts), the race
 * on the last credits, expiry by the sweep, and the anchors' bugs: six holds on a balance that covers
 * five (Blnk #181), an ended hold committed anyway (Blnk #182), expired holds still reported as held
 * (TigerBeetle #2118).
 */
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { auditAllBalances } from '../../../shared/ledger/audit';
import { activeHoldsOf, endHold } from '../../../shared/ledger/holds';
import { grantCredits } from '../../../shared/ledger/manual-entries';
import { getBalance } from '../../../shared/ledger/queries';
import type { LedgerDeps } from '../../../shared/ledger/types';
import { settleEvent } from '../../../shared/ledger/settle';
import { runSweep } from '../../../shared/sweep';
import type { TableNames } from '../../../shared/tables';
import { readBooks } from '../../support/books';
import { envelope, settlementEvent } from '../../support/events';
import { injectFaults, scriptedFaults } from '../../support/faults';
import { buildHandlers } from '../../support/handler-harness';
import { dropTables, freshTablesWithBalances, freshQueue, localDynamo, localSqs } from '../../support/local-aws';
import { getSettlement, markTerminal, putJob, TEST_LIMITS } from '../../support/producer-jobs';

const START = Date.parse('2026-12-02T10:00:00.000Z');
const HOUR_MS = 3_600_000;

let db: DynamoDBClient;
let sqs: SQSClient;
let tables: TableNames;
let clockMs: number;
let h: ReturnType<typeof buildHandlers>;
const now = () => new Date(clockMs);
const ledger = (): LedgerDeps => ({ dynamodb: db, tables, now });

beforeEach(async () => {
  db = localDynamo();
  sqs = localSqs();
  tables = await freshTablesWithBalances(db, 'holds', { 'user-1': 100 });
  clockMs = START;
  h = buildHandlers(db, sqs, tables, await freshQueue(sqs), { now });
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
  sqs.destroy();
});

const reserve = (credits: number, extra: Record<string, unknown> = {}) =>
  h.reserve({ jobId: 'job-1', userId: 'user-1', credits, ...extra });
/** A render of `seconds` seconds on gen-standard costs `seconds` credits (5 at least). */
const rendered = (seconds: number, id?: string, detail: Record<string, unknown> = {}) =>
  h.debit(envelope('rendered', { seconds, ...detail }, id));
const failed = (id?: string, detail: Record<string, unknown> = {}) =>
  h.refund(envelope('failed', { reason: 'gpu lost', ...detail }, id));
const figures = async (userId = 'user-1') => {
  const b = await getBalance(ledger(), userId);
  return { remaining: b.remaining, held: b.held, available: b.available };
};
const holdOf = async (jobId = 'job-1') => (await getSettlement(db, tables, jobId))?.holdState;
const sweep = () => runSweep({ ledger: ledger() }, { timeBudgetMs: 60_000, limits: TEST_LIMITS });

/** The books prove themselves: balance == Σ ledger, held == Σ active holds, available == remaining − held, every entry justified. */
async function expectBooksProven(): Promise<void> {
  const report = await auditAllBalances(ledger());
  expect(report.drift).toEqual([]);
  expect(report.unjustified).toEqual([]);
}

describe('reserve', () => {
  test('held: hold id, amount, available after and expiry; the balance moves credits from available to held', async () => {
    expect(await reserve(30)).toEqual({
      status: 'held',
      holdId: 'hold:job-1',
      jobId: 'job-1',
      userId: 'user-1',
      credits: 30,
      expiresAt: new Date(START + HOUR_MS).toISOString(),
      availableAfter: 70,
      alreadyHeld: false,
    });
    expect(await figures()).toEqual({ remaining: 100, held: 30, available: 70 });
    expect((await readBooks(db, tables)).ledger).toHaveLength(1); // only the opening grant: a hold moves no money
    expect(h.logs.find((l) => l.msg === 'reserve: held')).toMatchObject({
      outcome: 'held',
      jobId: 'job-1',
      Reserves: 1,
      ReserveRefusals: 0,
    });
    await expectBooksProven();
  });

  test('the same request again is the same hold (idempotent by job id); nothing moves twice', async () => {
    const first = await reserve(30);
    clockMs += 60_000;
    const again = await reserve(30);
    expect(again).toMatchObject({
      status: 'held',
      holdId: 'hold:job-1',
      expiresAt: (first as { expiresAt: string }).expiresAt,
      availableAfter: 70,
      alreadyHeld: true,
    });
    expect(await figures()).toEqual({ remaining: 100, held: 30, available: 70 });
  });

  test('the same job with another amount or another user is a conflict, never a second hold', async () => {
    await reserve(30);
    expect(await reserve(31)).toEqual({
      status: 'conflict',
      reason: 'different_hold',
      jobId: 'job-1',
      existing: { userId: 'user-1', credits: 30 },
    });
    await grantCredits(ledger(), { userId: 'user-2', credits: 100, reference: 'opening-2', description: 'opening' });
    expect(await h.reserve({ jobId: 'job-1', userId: 'user-2', credits: 30 })).toMatchObject({ status: 'conflict' });
    expect(await figures()).toEqual({ remaining: 100, held: 30, available: 70 });
    expect(await figures('user-2')).toEqual({ remaining: 100, held: 0, available: 100 });
  });

  test('insufficient credits: refused with what is available, nothing written', async () => {
    await h.reserve({ jobId: 'job-0', userId: 'user-1', credits: 60 });
    expect(await reserve(41)).toEqual({
      status: 'refused',
      reason: 'insufficient_credits',
      jobId: 'job-1',
      userId: 'user-1',
      requested: 41,
      available: 40,
    });
    expect(await holdOf()).toBeUndefined();
    expect(h.logs.find((l) => l.msg === 'reserve: refused')).toMatchObject({
      reason: 'insufficient_credits',
      ReserveRefusals: 1,
      Reserves: 0,
    });
    expect(await reserve(40)).toMatchObject({ status: 'held', availableAfter: 0 });
  });

  test('a user with no balance item is refused with 0 available', async () => {
    expect(await h.reserve({ jobId: 'job-1', userId: 'nobody', credits: 1 })).toMatchObject({
      status: 'refused',
      reason: 'insufficient_credits',
      available: 0,
    });
  });

  test('a balance written before holds existed (no held, no available) reserves from remaining', async () => {
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'user-1' } },
        UpdateExpression: 'REMOVE held, available',
      }),
    );
    expect(await reserve(100)).toMatchObject({ status: 'held', availableAfter: 0 });
    expect(await figures()).toEqual({ remaining: 100, held: 100, available: 0 });
    await expectBooksProven();
  });

  test('the edges of the contract: 1 credit, the longest and the shortest expiry', async () => {
    expect(await h.reserve({ jobId: 'a', userId: 'user-1', credits: 1 })).toMatchObject({ status: 'held' });
    expect(await h.reserve({ jobId: 'b', userId: 'user-1', credits: 1, expiresInSeconds: 3_600 })).toMatchObject({
      status: 'held',
      expiresAt: new Date(START + HOUR_MS).toISOString(),
    });
    expect(await h.reserve({ jobId: 'c', userId: 'user-1', credits: 1, expiresInSeconds: 60 })).toMatchObject({
      status: 'held',
      expiresAt: new Date(START + 60_000).toISOString(),
    });
  });

  test.each([
    ['zero credits', { jobId: 'job-1', userId: 'user-1', credits: 0 }, /credits must be an integer from 1/],
    ['negative credits', { jobId: 'job-1', userId: 'user-1', credits: -5 }, /credits must be an integer from 1/],
    ['fractional credits', { jobId: 'job-1', userId: 'user-1', credits: 1.5 }, /credits must be an integer/],
    ['credits as text', { jobId: 'job-1', userId: 'user-1', credits: '10' }, /credits must be an integer/],
    [
      'more than any price',
      { jobId: 'job-1', userId: 'user-1', credits: 1e12 },
      /credits must be an integer from 1 to/,
    ],
    ['a job id with a key separator', { jobId: 'job#1', userId: 'user-1', credits: 5 }, /jobId must be/],
    ['a user id with control characters', { jobId: 'job-1', userId: 'u\u001b[2J', credits: 5 }, /userId must be/],
    [
      'a hold longer than the workspace allows',
      { jobId: 'job-1', userId: 'user-1', credits: 5, expiresInSeconds: 3_601 },
      /expiresInSeconds must be an integer from 60 to 3600/,
    ],
    [
      'a hold shorter than a minute',
      { jobId: 'job-1', userId: 'user-1', credits: 5, expiresInSeconds: 59 },
      /expiresInSeconds/,
    ],
    ['not an object', [1, 2], /must be an object/],
    ['not JSON', '{"jobId":', /not JSON/],
  ])('invalid: %s → a clear reason, nothing written', async (_name, request, reason) => {
    const answer = await h.reserve(request);
    expect(answer).toMatchObject({ status: 'invalid' });
    expect((answer as { reason: string }).reason).toMatch(reason);
    const books = await readBooks(db, tables);
    expect(books.settlements).toEqual({});
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
  });

  test('a JSON text payload (a Function URL body) is read like an object', async () => {
    expect(await h.reserve(JSON.stringify({ jobId: 'job-1', userId: 'user-1', credits: 5 }))).toMatchObject({
      status: 'held',
    });
  });
});

describe('capture on video.rendered', () => {
  test('the price is charged from the hold, the rest released: one debit entry', async () => {
    await reserve(30);
    expect(await rendered(12)).toMatchObject({ status: 'settled', outcome: 'debited', credits: 12 });
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    expect(await holdOf()).toBe('CAPTURED');
    const debits = (await readBooks(db, tables)).ledger.filter((e) => e.type === 'debit');
    expect(debits).toEqual([expect.objectContaining({ ledgerId: 'job#job-1#debit', amount: 12, userId: 'user-1' })]);
    await expectBooksProven();
  });

  test('a price above the hold is still charged in full, with a capture_over_hold anomaly', async () => {
    await reserve(5);
    expect(await rendered(9)).toMatchObject({
      outcome: 'debited',
      credits: 9,
      anomalies: [expect.objectContaining({ kind: 'capture_over_hold' })],
    });
    expect(h.logs.find((l) => l.outcome === 'debited')).toMatchObject({ Anomalies: 1 });
    expect(await figures()).toEqual({ remaining: 91, held: 0, available: 91 });
    await expectBooksProven();
  });

  test('a price equal to the whole balance is captured even when available is 0', async () => {
    await reserve(100);
    expect(await rendered(100)).toMatchObject({ outcome: 'debited', credits: 100 });
    expect(await figures()).toEqual({ remaining: 0, held: 0, available: 0 });
  });

  test('duplicates of the render after the capture change nothing', async () => {
    await reserve(30);
    await rendered(12, 'ev-1');
    expect(await rendered(12, 'ev-1')).toMatchObject({ outcome: 'duplicate' });
    expect(await rendered(12, 'ev-other')).toMatchObject({ outcome: 'duplicate' });
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
  });

  test('a forged hold hint in the event (detail.hold.credits) cannot change what is captured', async () => {
    await reserve(30);
    expect(await rendered(12, 'ev-1', { hold: { credits: 1 } })).toMatchObject({ outcome: 'debited', credits: 12 });
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });

  test('a hold hint for a job that has no hold settles as a plain debit', async () => {
    expect(await rendered(12, 'ev-1', { hold: { credits: 50 } })).toMatchObject({ outcome: 'debited', credits: 12 });
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });

  test('the right hint makes the capture one request', async () => {
    await reserve(30);
    await rendered(12, 'ev-1', { hold: { credits: 30 } });
    expect(h.logs.find((l) => l.msg === 'event settled')).toMatchObject({ outcome: 'debited', requests: 1 });
  });

  test('a render of another user against the hold is a conflict: nothing charged, the hold stays', async () => {
    await reserve(30);
    await grantCredits(ledger(), { userId: 'user-2', credits: 100, reference: 'opening-2', description: 'opening' });
    expect(await rendered(12, 'ev-1', { userId: 'user-2' })).toMatchObject({
      anomalies: [expect.objectContaining({ kind: 'conflicting_duplicate' })],
    });
    expect(await figures()).toEqual({ remaining: 100, held: 30, available: 70 });
    expect(await figures('user-2')).toEqual({ remaining: 100, held: 0, available: 100 });
    expect(await holdOf()).toBe('ACTIVE');
  });
});

describe('release on video.failed', () => {
  test('the hold returns to available; no ledger entry', async () => {
    await reserve(30);
    expect(await failed()).toMatchObject({ outcome: 'no_charge', credits: 0 });
    expect(await holdOf()).toBe('RELEASED');
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
    expect((await readBooks(db, tables)).ledger).toHaveLength(1);
    await expectBooksProven();
  });

  test('a render after the failure released the hold is never charged against it (Blnk #182): rendered after failed', async () => {
    await reserve(30);
    await failed('ev-f');
    // The failure settled the job: a later render is rendered-after-failed, not charged.
    expect(await rendered(12, 'ev-r')).toMatchObject({
      credits: 0,
      anomalies: [expect.objectContaining({ kind: 'rendered_after_failed' })],
    });
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
  });

  test('an operator release, then the render: plain debit with capture_after_expiry', async () => {
    await reserve(30);
    expect(await endHold(ledger(), 'job-1', 'RELEASED')).toEqual({ status: 'ended', state: 'RELEASED', credits: 30 });
    expect(await endHold(ledger(), 'job-1', 'RELEASED')).toMatchObject({
      status: 'not_active',
      hold: { state: 'RELEASED' },
    });
    expect(await rendered(12)).toMatchObject({
      outcome: 'debited',
      credits: 12,
      anomalies: [expect.objectContaining({ kind: 'capture_after_expiry' })],
    });
    expect(await holdOf()).toBe('RELEASED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });

  test('a released hold never reappears: the same reserve again is refused', async () => {
    await reserve(30);
    await endHold(ledger(), 'job-1', 'RELEASED');
    expect(await reserve(30)).toEqual({
      status: 'refused',
      reason: 'hold_ended',
      jobId: 'job-1',
      holdState: 'RELEASED',
    });
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
  });
});

describe('expiry', () => {
  test('a render after the expiry is charged as a plain debit and flagged; the stale hold is expired in the same write', async () => {
    await reserve(30);
    clockMs += HOUR_MS;
    expect(await rendered(12)).toMatchObject({
      outcome: 'debited',
      credits: 12,
      anomalies: [expect.objectContaining({ kind: 'capture_after_expiry' })],
    });
    expect(await holdOf()).toBe('EXPIRED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });

  test('a failure after the expiry ends the hold as EXPIRED, no charge', async () => {
    await reserve(30);
    clockMs += HOUR_MS + 1;
    expect(await failed()).toMatchObject({ outcome: 'no_charge' });
    expect(await holdOf()).toBe('EXPIRED');
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
  });

  test('expired holds are not reported as held, swept or not (TigerBeetle #2118)', async () => {
    await reserve(30);
    await h.reserve({ jobId: 'job-2', userId: 'user-1', credits: 20, expiresInSeconds: 3_600 });
    await h.reserve({ jobId: 'job-3', userId: 'user-1', credits: 10, expiresInSeconds: 600 });
    clockMs += 30 * 60_000;
    const balance = await getBalance(ledger(), 'user-1');
    expect(balance).toMatchObject({
      remaining: 100,
      held: 50,
      available: 50,
      expiredUnswept: { count: 1, credits: 10 },
    });
    const listed = await activeHoldsOf(ledger(), 'user-1');
    expect(listed.holds.map((x) => [x.jobId, x.expired])).toEqual([
      ['job-3', true],
      ['job-1', false],
      ['job-2', false],
    ]);
  });

  test('the sweep expires the holds that are due, reports them, and the books stay proven', async () => {
    await reserve(30);
    await h.reserve({ jobId: 'job-2', userId: 'user-1', credits: 20, expiresInSeconds: 600 });
    await h.reserve({ jobId: 'job-3', userId: 'user-1', credits: 10, expiresInSeconds: 1_200 });
    clockMs += 15 * 60_000;
    const result = await sweep();
    expect(result.holds.expired).toEqual({
      count: 1,
      first: [{ jobId: 'job-2', userId: 'user-1', credits: 20 }],
      expiredCredits: 20,
    });
    expect(result.holds.itemsRead).toBe(1);
    expect(result.drift.count).toBe(0);
    expect(result.audit.usersAudited).toBe(1); // no ledger entry moved, yet the user whose hold expired was audited
    expect(await holdOf('job-2')).toBe('EXPIRED');
    expect(await figures()).toEqual({ remaining: 100, held: 40, available: 60 });

    const again = await sweep();
    expect(again.holds.expired.count).toBe(0); // an expired hold leaves the index: the next run reads only what is due
    expect(again.holds.itemsRead).toBe(0);
    await expectBooksProven();
  });

  test('a dry-run sweep reports the due holds and changes nothing', async () => {
    await reserve(30, { expiresInSeconds: 60 });
    clockMs += 120_000;
    const result = await runSweep({ ledger: ledger() }, { timeBudgetMs: 60_000, limits: TEST_LIMITS, dryRun: true });
    expect(result.holds.expired.count).toBe(1);
    expect(await holdOf()).toBe('ACTIVE');
  });

  test('an expired hold never blocks a reserve: the refusal path ends it first', async () => {
    await reserve(100, { expiresInSeconds: 60 });
    expect(await h.reserve({ jobId: 'job-2', userId: 'user-1', credits: 100 })).toMatchObject({
      status: 'refused',
      available: 0,
    });
    clockMs += 61_000;
    expect(await h.reserve({ jobId: 'job-2', userId: 'user-1', credits: 100 })).toMatchObject({
      status: 'held',
      availableAfter: 0,
    });
    expect(await holdOf()).toBe('EXPIRED');
    await expectBooksProven();
  });

  test('an expired hold the sweep has not ended yet never makes another debit an overdraft', async () => {
    await reserve(100, { expiresInSeconds: 60 });
    clockMs += 61_000;
    const result = await rendered(12, 'ev-2', { jobId: 'job-2' });
    expect(result).toMatchObject({ outcome: 'debited', credits: 12, anomalies: [] });
    expect(await holdOf('job-1')).toBe('EXPIRED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });

  test('nor refuses a debit that the floor allows once the expired hold is ended', async () => {
    // 100 credits, floor 1,000 (the default): a 1,050 debit leaves -950, within the floor, once the
    // expired hold of 100 no longer counts; counted, it would be -1,050 and refused.
    await reserve(100, { expiresInSeconds: 60 });
    clockMs += 61_000;
    const result = await rendered(1_050, 'ev-2', { jobId: 'job-2' });
    expect(result).toMatchObject({
      outcome: 'debited',
      credits: 1_050,
      anomalies: [expect.objectContaining({ kind: 'overdraft' })],
    });
    expect(await figures()).toEqual({ remaining: -950, held: 0, available: -950 });
    await expectBooksProven();
  });

  test('a hold that has not expired still counts: the debit beside it is an overdraft and the hold stays', async () => {
    await reserve(100, { expiresInSeconds: 60 });
    clockMs += 59_000;
    expect(await rendered(12, 'ev-2', { jobId: 'job-2' })).toMatchObject({
      outcome: 'debited',
      anomalies: [expect.objectContaining({ kind: 'overdraft' })],
    });
    expect(await holdOf('job-1')).toBe('ACTIVE');
    expect(await figures()).toEqual({ remaining: 88, held: 100, available: -12 });
  });

  test('a capture retried past the expiry is judged at the retry: a plain debit, flagged', async () => {
    await reserve(30, { expiresInSeconds: 60 });
    clockMs += 59_000;
    // The first attempt is throttled; the backoff lasts past the expiry.
    const deps: LedgerDeps = {
      ...ledger(),
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => void (clockMs += 2_000) },
    };
    injectFaults(db, scriptedFaults(['throttle']));
    const result = await settleEvent(deps, settlementEvent('rendered', { seconds: 12, heldCredits: 30 }), 12);
    expect(result).toMatchObject({
      outcome: 'debited',
      credits: 12,
      anomalies: [expect.objectContaining({ kind: 'capture_after_expiry' })],
    });
    expect(await holdOf()).toBe('EXPIRED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });

  test('an expired hold is never committed afterwards: neither by a render nor by the reserve again (Blnk #182)', async () => {
    await reserve(30, { expiresInSeconds: 60 });
    clockMs += 61_000;
    await sweep();
    expect(await reserve(30, { expiresInSeconds: 60 })).toMatchObject({
      status: 'refused',
      reason: 'hold_ended',
      holdState: 'EXPIRED',
    });
    expect(await rendered(12)).toMatchObject({ outcome: 'debited', credits: 12 });
    expect(await holdOf()).toBe('EXPIRED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });
});

describe('order', () => {
  test('a reserve after the job settled is refused with its outcome (render first)', async () => {
    await rendered(12);
    expect(await reserve(30)).toEqual({ status: 'refused', reason: 'job_settled', jobId: 'job-1', outcome: 'DEBITED' });
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
  });

  test('a reserve after the job failed is refused with its outcome', async () => {
    await failed();
    expect(await reserve(30)).toMatchObject({ status: 'refused', reason: 'job_settled', outcome: 'NO_CHARGE' });
  });

  test('a reserve after the job was refunded is refused with its outcome', async () => {
    await rendered(12);
    await failed();
    expect(await reserve(30)).toMatchObject({ status: 'refused', reason: 'job_settled', outcome: 'REFUNDED' });
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
  });

  test('a capture, then the failure: the debit is refunded, the hold stays captured', async () => {
    await reserve(30);
    await rendered(12);
    expect(await failed()).toMatchObject({ outcome: 'refunded', credits: 12 });
    expect(await holdOf()).toBe('CAPTURED');
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
    await expectBooksProven();
  });

  test('the sweep settles a straggler with a hold exactly like its event would (capture)', async () => {
    await reserve(30);
    await putJob(db, tables, {
      jobId: 'job-1',
      userId: 'user-1',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: new Date(START - HOUR_MS).toISOString(),
    });
    const result = await sweep();
    expect(result.stragglers.count).toBe(1);
    expect(await holdOf()).toBe('CAPTURED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    // The late event finds the job settled: nothing twice.
    expect(await rendered(12)).toMatchObject({ outcome: 'duplicate' });
    await expectBooksProven();
  });

  test('the sweep settles a failed straggler with a hold by releasing it', async () => {
    await reserve(30);
    await putJob(db, tables, {
      jobId: 'job-1',
      userId: 'user-1',
      model: 'gen-standard',
      seconds: 12,
      status: 'queued',
      updatedAt: new Date(START - HOUR_MS).toISOString(),
    });
    await markTerminal(db, tables, 'job-1', 'failed', new Date(START - HOUR_MS).toISOString());
    await sweep();
    expect(await holdOf()).toBe('RELEASED');
    expect(await figures()).toEqual({ remaining: 100, held: 0, available: 100 });
  });

  test('a producer writing hold attributes on its Jobs item changes nothing (the hold lives in Settlements)', async () => {
    await reserve(30);
    await db.send(
      new UpdateItemCommand({
        TableName: tables.jobs,
        Key: { jobId: { S: 'job-1' } },
        UpdateExpression: 'SET holdState = :r, holdCredits = :c, settlement = :s',
        ExpressionAttributeValues: { ':r': { S: 'RELEASED' }, ':c': { N: '1' }, ':s': { S: 'NO_CHARGE' } },
      }),
    );
    expect(await rendered(12)).toMatchObject({ outcome: 'debited', credits: 12 });
    expect(await holdOf()).toBe('CAPTURED');
  });
});

describe('concurrency', () => {
  test('six reserves racing for a balance that covers five: exactly five held (Blnk #181)', async () => {
    await grantCredits(ledger(), { userId: 'user-5', credits: 50, reference: 'opening-5', description: 'opening' });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => h.reserve({ jobId: `race-${i}`, userId: 'user-5', credits: 10 })),
    );
    expect(answers.filter((a) => a.status === 'held')).toHaveLength(5);
    expect(answers.filter((a) => a.status === 'refused')).toEqual([
      expect.objectContaining({ reason: 'insufficient_credits', available: 0 }),
    ]);
    expect(await figures('user-5')).toEqual({ remaining: 50, held: 50, available: 0 });
    await expectBooksProven();
  });

  test('the same reserve sent many times at once: one hold, the others see it', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => reserve(30)));
    expect(answers.every((a) => a.status === 'held')).toBe(true);
    expect(answers.filter((a) => a.status === 'held' && !a.alreadyHeld)).toHaveLength(1);
    expect(await figures()).toEqual({ remaining: 100, held: 30, available: 70 });
  });

  test('render, failure, expiry sweep and operator release at once on an expired hold: one end, books proven', async () => {
    for (let round = 0; round < 5; round++) {
      const jobId = `mix-${round}`;
      await h.reserve({ jobId, userId: 'user-1', credits: 10, expiresInSeconds: 60 });
      clockMs += 61_000;
      await Promise.all([
        h.debit(envelope('rendered', { jobId, seconds: 6 })),
        h.refund(envelope('failed', { jobId })),
        sweep(),
        endHold(ledger(), jobId, 'RELEASED'),
      ]);
      const hold = await holdOf(jobId);
      expect(['EXPIRED', 'RELEASED']).toContain(hold);
    }
    const b = await figures();
    expect(b.held).toBe(0);
    expect(b.available).toBe(b.remaining);
    await expectBooksProven();
  });

  test('a capture racing the expiry sweep on a live hold: the capture wins, never both', async () => {
    await reserve(30, { expiresInSeconds: 60 });
    clockMs += 59_000;
    await Promise.all([rendered(12), sweep()]);
    expect(await holdOf()).toBe('CAPTURED');
    expect(await figures()).toEqual({ remaining: 88, held: 0, available: 88 });
    await expectBooksProven();
  });
});

describe('the audit covers holds', () => {
  test('a forged held figure on the balance is drift with the hold figures named', async () => {
    await reserve(30);
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'user-1' } },
        UpdateExpression: 'ADD held :m, available :p',
        ExpressionAttributeValues: { ':m': { N: '-30' }, ':p': { N: '30' } },
      }),
    );
    const report = await auditAllBalances(ledger());
    expect(report.drift).toEqual([
      expect.objectContaining({ userId: 'user-1', holds: { held: 0, activeHolds: 30, available: 100 } }),
    ]);
  });

  test('a forged available (more than remaining − held) is drift', async () => {
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'user-1' } },
        UpdateExpression: 'ADD available :p',
        ExpressionAttributeValues: { ':p': { N: '1000' } },
      }),
    );
    const report = await auditAllBalances(ledger());
    expect(report.drift).toEqual([
      expect.objectContaining({ userId: 'user-1', holds: { held: 0, activeHolds: 0, available: 1100 } }),
    ]);
  });
});
