/**
 * The sweep as a backstop and a witness, on DynamoDB Local:
 * - a debited job whose producer status became `failed` is refunded once when its refund event is
 *   lost (H3), racing safely with a late event, reading only jobs updated since the last run;
 * - the sweep's own state lives where producers cannot write (M4): a forged lease or watermark in
 *   the Jobs table changes nothing; a watermark in the future (corruption) is reset and reported;
 * - the incremental audit finds unjustified entries of touched users;
 * - a straggler debit beyond the overdraft floor is held and reported, never written.
 */
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ledgerIds, sweepEventId } from '../../../shared/ledger/ids';
import { ledgerItem } from '../../../shared/ledger/ledger-entry';
import { grantCredits } from '../../../shared/ledger/manual-entries';
import { settleEvent } from '../../../shared/ledger/settle';
import type { LedgerDeps, SettlementEvent } from '../../../shared/ledger/types';
import { needsAttention, runSweep, SWEEP_STATE_JOB_ID, type SweepOptions } from '../../../shared/sweep';
import { buildSweepAlert } from '../../../shared/sweep/alert';
import { loadSweepState } from '../../../shared/sweep/state';
import { freshTables, localDynamo } from '../../support/local-aws';
import {
  HOUR_MS,
  TEST_LIMITS,
  ago,
  balance,
  getJob,
  getSettlement,
  grant,
  indexSize,
  ledgerEntry,
  markTerminal,
  putJob,
} from '../../support/producer-jobs';

const db: DynamoDBClient = localDynamo();
/** No grace period: a status change is in the next run's window at once (in production, after 30 min). */
const run = (ledger: LedgerDeps, options: Partial<SweepOptions> = {}) =>
  runSweep(
    { ledger },
    { timeBudgetMs: 60_000, ...options, limits: { ...TEST_LIMITS, graceMinutes: 0, ...options.limits } },
  );
/** The producer's update as it happens: updatedAt = now. */
const markFailedNow = (ledger: LedgerDeps, jobId: string) =>
  markTerminal(db, ledger.tables, jobId, 'failed', new Date().toISOString());

async function setup(label: string, floor?: number): Promise<LedgerDeps> {
  return {
    dynamodb: db,
    tables: await freshTables(db, label),
    ...(floor === undefined ? {} : { overdraftFloorCredits: floor }),
  };
}
const event = (jobId: string, kind: 'rendered' | 'failed', o: Partial<SettlementEvent> = {}): SettlementEvent => ({
  eventId: `evt-${jobId}-${kind}`,
  kind,
  jobId,
  userId: 'u1',
  seconds: 10,
  model: 'gen-pro',
  ...o,
});

/** A job rendered and debited by its event, taken off `unsettled` by a first sweep. */
async function debitedJob(ledger: LedgerDeps, jobId: string, updatedAt = ago(3 * HOUR_MS)): Promise<void> {
  await putJob(db, ledger.tables, {
    jobId,
    userId: 'u1',
    model: 'gen-pro',
    seconds: 10,
    status: 'rendered',
    credits: 30,
    updatedAt,
  });
  await settleEvent(ledger, event(jobId, 'rendered', { quotedCredits: 30 }), 30);
}

describe('lost refunds come back (H3)', () => {
  test('debited, then failed with its video.failed lost: the sweep refunds it once, and only once', async () => {
    const ledger = await setup('backstop');
    await grant(ledger, 'u1', 100);
    await debitedJob(ledger, 'j1');
    expect(await run(ledger)).toMatchObject({ alreadySettled: 1, backstop: { refunds: { count: 0 } } });
    expect((await getJob(db, ledger.tables, 'j1'))!.debitedShard).toBeDefined();
    expect(await balance(ledger, 'u1')).toBe(70);

    // The render is withdrawn: the producer marks the job failed; its video.failed never arrives.
    await markFailedNow(ledger, 'j1');
    const second = await run(ledger);
    expect(second.backstop.refunds).toMatchObject({
      count: 1,
      refundedCredits: 30,
      first: [{ jobId: 'j1', outcome: 'refunded', credits: 30 }],
    });
    expect(second.backstop.itemsRead).toBe(1);
    expect(await balance(ledger, 'u1')).toBe(100);
    expect(await getSettlement(db, ledger.tables, 'j1')).toMatchObject({
      settlement: 'REFUNDED',
      refunded: 30,
      failedEventId: sweepEventId('j1', 'failed'),
    });
    expect(await ledgerEntry(db, ledger.tables, ledgerIds.refund('j1'))).toMatchObject({
      amount: 30,
      eventId: sweepEventId('j1', 'failed'),
    });
    expect((await getJob(db, ledger.tables, 'j1'))!.debitedShard).toBeUndefined();
    expect(buildSweepAlert(second, 'test')!.body).toMatch(/LOST REFUNDS RECOVERED: 1 debited job[\s\S]*j1 \(u1, 30\)/);
    expect(needsAttention(second)).toBe(false);

    // The late video.failed: a duplicate. Another sweep: nothing.
    expect(await settleEvent(ledger, event('j1', 'failed'), 0)).toMatchObject({ outcome: 'duplicate', credits: 0 });
    expect((await run(ledger)).backstop.refunds.count).toBe(0);
    expect(await balance(ledger, 'u1')).toBe(100);
  });

  test('failed before any sweep saw the debit: refunded by the straggler pass, taken off both indexes', async () => {
    const ledger = await setup('backstop-early');
    await grant(ledger, 'u1', 100);
    await debitedJob(ledger, 'j2');
    await markFailedNow(ledger, 'j2');
    const result = await run(ledger);
    expect(result.backstop.refunds.count).toBe(1);
    expect(await balance(ledger, 'u1')).toBe(100);
    const job = await getJob(db, ledger.tables, 'j2');
    expect(job!.sweepShard).toBeUndefined();
    expect(job!.debitedShard).toBeUndefined();
  });

  test('the refund event came after all: the sweep finds nothing to give back', async () => {
    const ledger = await setup('backstop-race');
    await grant(ledger, 'u1', 100);
    await debitedJob(ledger, 'j3');
    await run(ledger);
    await markFailedNow(ledger, 'j3');
    await settleEvent(ledger, event('j3', 'failed'), 0);
    const result = await run(ledger);
    expect(result.backstop).toMatchObject({ itemsRead: 1, refunds: { count: 0 } });
    expect(await balance(ledger, 'u1')).toBe(100);
  });

  test('concurrent sweeps and late events for many debited failed jobs: every job nets zero', async () => {
    const ledger = await setup('backstop-many');
    await grant(ledger, 'u1', 1000);
    const ids = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const id of ids) await debitedJob(ledger, id);
    await run(ledger);
    for (const id of ids) await markFailedNow(ledger, id);
    await Promise.all([
      run(ledger, { runId: 'a' }),
      ...ids.filter((_, i) => i % 2 === 0).map((id) => settleEvent(ledger, event(id, 'failed'), 0)),
    ]);
    await run(ledger);
    expect(await balance(ledger, 'u1')).toBe(1000);
    for (const id of ids) expect((await getSettlement(db, ledger.tables, id))!.settlement).toBe('REFUNDED');
  });

  test('each run reads only debited jobs updated since the last one, never the whole history', async () => {
    const ledger = await setup('backstop-cost');
    await grant(ledger, 'u1', 10_000);
    for (let i = 0; i < 40; i++) await debitedJob(ledger, `old-${i}`, ago(100 * HOUR_MS));
    await run(ledger, { limits: { firstRunLookbackHours: 24 } });
    // Forty debited jobs on the index, none updated since: the backstop reads none of them.
    expect((await run(ledger)).backstop.itemsRead).toBe(0);
    await markFailedNow(ledger, 'old-7');
    const result = await run(ledger);
    expect(result.backstop).toMatchObject({ itemsRead: 1, refunds: { count: 1 } });
  });

  test('a refund that fails holds the watermark back, so a later run tries again', async () => {
    const ledger = await setup('backstop-retry');
    const later = (hours: number): LedgerDeps => ({ ...ledger, now: () => new Date(Date.now() + hours * HOUR_MS) });
    await grant(ledger, 'u1', 100);
    await debitedJob(ledger, 'j4');
    await run(ledger);
    await markFailedNow(ledger, 'j4');
    // A bug elsewhere left the settlement contradicting the ledger: the refund is refused.
    const setCharged = (credits: number) =>
      db.send(
        new UpdateItemCommand({
          TableName: ledger.tables.settlements,
          Key: { jobId: { S: 'j4' } },
          UpdateExpression: 'SET charged = :c',
          ExpressionAttributeValues: { ':c': { N: String(credits) } },
        }),
      );
    await setCharged(31);
    // An hour later: the window reaches well past the failure, which would leave it behind for good.
    const first = await run(later(1));
    expect(first.errors.first[0]!.error).toMatch(/InvariantViolation: .*no matching debit/);
    await setCharged(30);
    // Two hours later: far beyond the overlap of the last window, yet the job is read again.
    const second = await run(later(2));
    expect(second.backstop.refunds.count).toBe(1);
    expect(await balance(ledger, 'u1')).toBe(100);
  });
});

describe("the sweep state is the reconciler's own (M4)", () => {
  test('a lease and a watermark forged in the Jobs table stop nothing', async () => {
    const ledger = await setup('forged-state');
    await grant(ledger, 'u1', 100);
    await db.send(
      new PutItemCommand({
        TableName: ledger.tables.jobs,
        Item: marshall({
          jobId: SWEEP_STATE_JOB_ID,
          leaseUntil: '9999-12-31T00:00:00.000Z',
          leaseOwner: 'x',
          auditedThrough: '2099-01-01T00:00:00.000Z',
        }),
      }),
    );
    await putJob(db, ledger.tables, {
      jobId: 'lost',
      userId: 'u1',
      model: 'gen-pro',
      seconds: 10,
      status: 'rendered',
      updatedAt: ago(2 * HOUR_MS),
    });
    const result = await run(ledger);
    expect(result).toMatchObject({ status: 'completed', stragglers: { count: 1 } });
    expect(result.audit).toMatchObject({ mode: 'incremental', usersAudited: 1 });
  });

  test('a watermark in the future is corruption: reset, the window re-read, and a person told', async () => {
    const ledger = await setup('future-watermark');
    await grant(ledger, 'u1', 100);
    await run(ledger);
    await db.send(
      new UpdateItemCommand({
        TableName: ledger.tables.settlements,
        Key: { jobId: { S: SWEEP_STATE_JOB_ID } },
        UpdateExpression: 'SET auditedThrough = :f',
        ExpressionAttributeValues: { ':f': { S: '2099-01-01T00:00:00.000Z' } },
      }),
    );
    await db.send(
      new UpdateItemCommand({
        TableName: ledger.tables.credits,
        Key: { userId: { S: 'u1' } },
        UpdateExpression: 'SET remaining = :r',
        ExpressionAttributeValues: { ':r': { N: '1000' } },
      }),
    );
    const result = await run(ledger);
    expect(result.audit.watermarkReset).toBe('2099-01-01T00:00:00.000Z');
    expect(result.drift.count).toBe(1); // the re-read window still sees u1
    expect(needsAttention(result)).toBe(true);
    expect(buildSweepAlert(result, 'test')!.body).toMatch(/AUDIT WATERMARK IN THE FUTURE/);
    expect((await loadSweepState(db, ledger.tables.settlements)).auditedThrough! < new Date().toISOString()).toBe(true);
  });

  test('an unreadable position or window restarts its pass instead of stopping every run', async () => {
    const ledger = await setup('bad-position');
    await db.send(
      new PutItemCommand({
        TableName: ledger.tables.settlements,
        Item: marshall({
          jobId: SWEEP_STATE_JOB_ID,
          position: '{not json',
          backstop: '[]',
          refundsCheckedThrough: 'yesterday',
        }),
      }),
    );
    expect(await loadSweepState(db, ledger.tables.settlements)).toEqual({});
    await putJob(db, ledger.tables, {
      jobId: 'lost',
      userId: 'u1',
      model: 'gen-pro',
      seconds: 10,
      status: 'failed',
      updatedAt: ago(2 * HOUR_MS),
    });
    expect(await run(ledger)).toMatchObject({ status: 'completed', stragglers: { count: 1 } });
  });
});

describe('justification and the floor in the sweep', () => {
  test('the incremental audit finds an unjustified refund of a touched user', async () => {
    const ledger = await setup('unjustified');
    await grant(ledger, 'u1', 100);
    await db.send(
      new PutItemCommand({
        TableName: ledger.tables.ledger,
        Item: ledgerItem({
          ledgerId: 'job#ghost#refund',
          userId: 'u1',
          timestamp: new Date().toISOString(),
          type: 'credit',
          kind: 'refund',
          amount: 40,
          reference: 'ghost',
          eventId: 'x',
          description: 'x',
        }),
      }),
    );
    await db.send(
      new UpdateItemCommand({
        TableName: ledger.tables.credits,
        Key: { userId: { S: 'u1' } },
        UpdateExpression: 'ADD remaining :d, available :d',
        ExpressionAttributeValues: { ':d': { N: '40' } },
      }),
    );
    const result = await run(ledger);
    expect(result.drift.count).toBe(0);
    expect(result.unjustified.first).toEqual([
      { ledgerId: 'job#ghost#refund', userId: 'u1', problem: 'refund of 40 for job ghost has no debit in the ledger' },
    ]);
    expect(needsAttention(result)).toBe(true);
    expect(buildSweepAlert(result, 'test')!.subject).toMatch(/1 unjustified/);
  });

  test('a straggler debit beyond the floor is held, reported every run, and charged once credits arrive', async () => {
    const ledger = await setup('held', 10);
    await grant(ledger, 'u1', 5);
    await putJob(db, ledger.tables, {
      jobId: 'big',
      userId: 'u1',
      model: 'gen-pro',
      seconds: 10,
      status: 'rendered',
      credits: 50,
      updatedAt: ago(2 * HOUR_MS),
    });
    const first = await run(ledger);
    expect(first.held.first).toEqual([{ jobId: 'big', userId: 'u1', credits: 50 }]);
    expect(await balance(ledger, 'u1')).toBe(5);
    expect(await indexSize(db, ledger.tables)).toBe(1);
    expect((await run(ledger)).held.count).toBe(1);
    await grantCredits(ledger, { userId: 'u1', credits: 100, reference: 'top-up', description: 'top-up' });
    const third = await run(ledger);
    expect(third.held.count).toBe(0);
    expect(third.stragglers.first).toEqual([{ jobId: 'big', userId: 'u1', outcome: 'debited', credits: 50 }]);
    expect(await balance(ledger, 'u1')).toBe(55);
  });
});
