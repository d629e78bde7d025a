/**
 * The sweep against DynamoDB Local: lost events recovered through the same core as the handlers,
 * races with late events charge once, stuck jobs flagged and left alone, drift found, the time
 * budget respected with a resumable position, bad records reported without stopping the run.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ledgerIds, sweepEventId } from '../../../shared/ledger/ids';
import { settleEvent } from '../../../shared/ledger/settle';
import type { LedgerDeps } from '../../../shared/ledger/types';
import type { SettlementEvent } from '../../../shared/ledger/types';
import { DEFAULT_PRICE_BOOK, priceOf } from '../../../shared/pricing';
import { loadSweepState, runSweep, SWEEP_STATE_JOB_ID, type SweepOptions } from '../../../shared/sweep';
import { acquireSweepLease } from '../../../shared/sweep/state';
import { freshTables, localDynamo } from '../../support/local-aws';
import {
  HOUR_MS,
  MINUTE_MS,
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

const db = localDynamo();
const BIG_BUDGET_MS = 60_000;
const run = (ledger: LedgerDeps, options: Partial<SweepOptions> = {}) =>
  runSweep({ ledger }, { timeBudgetMs: BIG_BUDGET_MS, ...options, limits: { ...TEST_LIMITS, ...options.limits } });

async function setup(label: string): Promise<LedgerDeps> {
  return { dynamodb: db, tables: await freshTables(db, label) };
}

function lateEvent(
  jobId: string,
  userId: string,
  kind: 'rendered' | 'failed',
  extra: Partial<SettlementEvent> = {},
): SettlementEvent {
  return { eventId: `evt-${jobId}-${kind}`, kind, jobId, userId, seconds: 12, model: 'gen-standard', ...extra };
}
const STANDARD_12S = priceOf(DEFAULT_PRICE_BOOK, { model: 'gen-standard', seconds: 12 });

describe('lost events', () => {
  test('terminal jobs past the grace period are settled once; recent, in-flight and settled jobs are left alone', async () => {
    const ledger = await setup('lost');
    await grant(ledger, 'u1', 100);
    await grant(ledger, 'u2', 100);
    // Lost events: terminal for 2 h, never settled.
    await putJob(db, ledger.tables, {
      jobId: 'lost-r1',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: ago(2 * HOUR_MS),
    });
    await putJob(db, ledger.tables, {
      jobId: 'lost-r2',
      userId: 'u2',
      model: 'gen-pro',
      seconds: 4,
      status: 'rendered',
      credits: 7,
      updatedAt: ago(3 * HOUR_MS),
    });
    await putJob(db, ledger.tables, {
      jobId: 'lost-f1',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'failed',
      reason: 'gpu oom',
      updatedAt: ago(2 * HOUR_MS),
    });
    // Terminal but inside the grace period: its event may still be on its way.
    await putJob(db, ledger.tables, {
      jobId: 'young-r',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: ago(5 * MINUTE_MS),
    });
    // Still rendering, not yet stuck.
    await putJob(db, ledger.tables, {
      jobId: 'busy',
      userId: 'u2',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendering',
      updatedAt: ago(1 * HOUR_MS),
    });
    // Settled by its event: still on the index until this sweep takes it off.
    await putJob(db, ledger.tables, {
      jobId: 'done',
      userId: 'u2',
      model: 'gen-standard',
      seconds: 12,
      status: 'queued',
      updatedAt: ago(3 * HOUR_MS),
    });
    await markTerminal(db, ledger.tables, 'done', 'rendered', ago(2 * HOUR_MS));
    await settleEvent(ledger, lateEvent('done', 'u2', 'rendered'), STANDARD_12S);

    const result = await run(ledger);

    expect(result.status).toBe('completed');
    expect(result.stragglers.count).toBe(3);
    expect(result.stragglers.debitedCredits).toBe(STANDARD_12S + 7);
    expect(result.inFlight).toBe(1);
    expect(result.index.itemsRead).toBe(5); // 3 stragglers, busy, and `done` (settled by its event); `young-r` is too recent
    expect(result.alreadySettled).toBe(1);
    expect(result.drift.count).toBe(0);
    expect(result.stuck.count + result.badRecords.count + result.errors.count).toBe(0);
    expect(await balance(ledger, 'u1')).toBe(100 - STANDARD_12S);
    expect(await balance(ledger, 'u2')).toBe(100 - 7 - STANDARD_12S);

    expect(await getSettlement(db, ledger.tables, 'lost-r1')).toMatchObject({
      settlement: 'DEBITED',
      charged: STANDARD_12S,
      renderedEventId: sweepEventId('lost-r1', 'rendered'),
    });
    // Off the unsettled index, on the debited one (its refund, should it fail later, is watched).
    const r1 = await getJob(db, ledger.tables, 'lost-r1');
    expect(r1!.sweepShard).toBeUndefined();
    expect(r1!.debitedShard).toMatch(/^\d{1,2}$/);
    expect(r1!.settlement).toBeUndefined();
    expect(await getSettlement(db, ledger.tables, 'lost-r2')).toMatchObject({
      settlement: 'DEBITED',
      charged: 7,
      quotedCredits: 7,
    });
    expect(await getSettlement(db, ledger.tables, 'lost-f1')).toMatchObject({ settlement: 'NO_CHARGE', charged: 0 });
    expect((await getJob(db, ledger.tables, 'lost-f1'))!.debitedShard).toBeUndefined();
    expect((await getJob(db, ledger.tables, 'done'))!.sweepShard).toBeUndefined();
    expect(await getSettlement(db, ledger.tables, 'young-r')).toBeUndefined();
    expect(await ledgerEntry(db, ledger.tables, ledgerIds.debit('lost-r1'))).toMatchObject({
      amount: STANDARD_12S,
      eventId: sweepEventId('lost-r1', 'rendered'),
    });
    expect(await indexSize(db, ledger.tables)).toBe(2); // young-r and busy

    // A second run finds nothing new and says so.
    const again = await run(ledger);
    expect(again.stragglers.count).toBe(0);
    expect(again.alreadySettled).toBe(0);
    expect(await balance(ledger, 'u1')).toBe(100 - STANDARD_12S);
  });
});

describe('a late event racing the sweep charges once', () => {
  test('sweep first, then the late rendered event: duplicate, no second charge', async () => {
    const ledger = await setup('race1');
    await grant(ledger, 'u1', 50);
    await putJob(db, ledger.tables, {
      jobId: 'j1',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: ago(HOUR_MS),
    });
    expect((await run(ledger)).stragglers.count).toBe(1);
    const late = await settleEvent(ledger, lateEvent('j1', 'u1', 'rendered'), STANDARD_12S);
    expect(late.outcome).toBe('duplicate');
    expect(await balance(ledger, 'u1')).toBe(50 - STANDARD_12S);
  });

  test('event first, then the sweep: nothing to do; a stale index entry is cleaned, not charged', async () => {
    const ledger = await setup('race2');
    await grant(ledger, 'u1', 50);
    await putJob(db, ledger.tables, {
      jobId: 'j1',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: ago(HOUR_MS),
    });
    await settleEvent(ledger, lateEvent('j1', 'u1', 'rendered'), STANDARD_12S);
    // A producer breaking the contract puts the job back on the index after settlement.
    await db.send(
      new UpdateItemCommand({
        TableName: ledger.tables.jobs,
        Key: { jobId: { S: 'j1' } },
        UpdateExpression: 'SET sweepShard = :s',
        ExpressionAttributeValues: { ':s': { S: '3' } },
      }),
    );
    const result = await run(ledger);
    expect(result.stragglers.count).toBe(0);
    expect(result.alreadySettled).toBe(1);
    expect(await balance(ledger, 'u1')).toBe(50 - STANDARD_12S);
    expect(await indexSize(db, ledger.tables)).toBe(0);
  });

  test('concurrently, for many jobs and both kinds: every job settles exactly once', async () => {
    const ledger = await setup('race3');
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      jobId: `c${i}`,
      userId: `u${i % 4}`,
      kind: (i % 5 === 0 ? 'failed' : 'rendered') as 'rendered' | 'failed',
    }));
    for (let u = 0; u < 4; u++) await grant(ledger, `u${u}`, 1_000);
    for (const j of jobs)
      await putJob(db, ledger.tables, {
        jobId: j.jobId,
        userId: j.userId,
        model: 'gen-standard',
        seconds: 12,
        status: j.kind,
        updatedAt: ago(HOUR_MS),
      });

    const [sweep, ...events] = await Promise.all([
      run(ledger, { limits: { pageSize: 3, concurrency: 8 } }),
      ...jobs.map((j) => settleEvent(ledger, lateEvent(j.jobId, j.userId, j.kind), STANDARD_12S)),
    ]);

    const settledByEvents = events.filter((e) => e.outcome === 'debited' || e.outcome === 'no_charge').length;
    expect(settledByEvents + sweep!.stragglers.count).toBe(jobs.length);
    expect(sweep!.errors.count).toBe(0);
    expect(sweep!.drift.count).toBe(0);
    for (let u = 0; u < 4; u++) {
      const rendered = jobs.filter((j) => j.userId === `u${u}` && j.kind === 'rendered').length;
      expect(await balance(ledger, `u${u}`)).toBe(1_000 - rendered * STANDARD_12S);
    }
    for (const j of jobs) {
      expect((await getSettlement(db, ledger.tables, j.jobId))!.settlement).toBe(
        j.kind === 'rendered' ? 'DEBITED' : 'NO_CHARGE',
      );
      expect((await getJob(db, ledger.tables, j.jobId))!.sweepShard).toBeUndefined();
    }
    expect(await indexSize(db, ledger.tables)).toBe(0);
  });
});

describe('stuck jobs', () => {
  test('non-terminal beyond the limit are flagged as stuck_job, never settled', async () => {
    const ledger = await setup('stuck');
    await putJob(db, ledger.tables, {
      jobId: 'old-q',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'queued',
      updatedAt: ago(30 * HOUR_MS),
    });
    await putJob(db, ledger.tables, {
      jobId: 'old-r',
      userId: 'u2',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendering',
      updatedAt: ago(7 * HOUR_MS),
    });
    await putJob(db, ledger.tables, {
      jobId: 'fresh',
      userId: 'u2',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendering',
      updatedAt: ago(2 * HOUR_MS),
    });
    const result = await run(ledger, { limits: { stuckAfterHours: 6 } });
    expect(result.stuck.count).toBe(2);
    expect(result.stuck.first.map((j) => j.jobId).sort()).toEqual(['old-q', 'old-r']);
    expect(result.inFlight).toBe(1);
    expect(result.stragglers.count).toBe(0);
    for (const jobId of ['old-q', 'old-r']) expect(await getSettlement(db, ledger.tables, jobId)).toBeUndefined();
    expect(await indexSize(db, ledger.tables)).toBe(3);
  });
});

describe('drift', () => {
  test('a balance tampered with directly is reported for a touched user, and by --full for any user', async () => {
    const ledger = await setup('drift');
    await grant(ledger, 'touched', 100);
    await grant(ledger, 'quiet', 100);
    // The first run audits both (first-run lookback) and saves its watermark.
    expect((await run(ledger)).drift.count).toBe(0);

    const tamper = (userId: string, delta: number) =>
      db.send(
        new UpdateItemCommand({
          TableName: ledger.tables.credits,
          Key: { userId: { S: userId } },
          UpdateExpression: 'ADD remaining :d',
          ExpressionAttributeValues: { ':d': { N: String(delta) } },
        }),
      );
    await tamper('touched', 25);
    await tamper('quiet', -10);
    await putJob(db, ledger.tables, {
      jobId: 'j-touch',
      userId: 'touched',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: ago(HOUR_MS),
    });

    const incremental = await run(ledger);
    expect(incremental.stragglers.count).toBe(1);
    expect(incremental.audit.mode).toBe('incremental');
    expect(incremental.drift.count).toBe(1);
    // `remaining` moved by hand: it also disagrees with the balance's own `available`.
    expect(incremental.drift.first[0]).toEqual({
      userId: 'touched',
      remaining: 100 - STANDARD_12S + 25,
      ledgerSum: 100 - STANDARD_12S,
      difference: 25,
      holds: { held: 0, activeHolds: 0, available: 100 - STANDARD_12S },
    });

    const full = await run(ledger, { fullAudit: true });
    expect(full.audit.mode).toBe('full');
    expect(full.drift.first.map((d) => d.userId).sort()).toEqual(['quiet', 'touched']);
    expect(full.drift.first.find((d) => d.userId === 'quiet')!.difference).toBe(-10);
  });

  test('--since widens the audit window beyond the saved watermark', async () => {
    const ledger = await setup('since');
    await grant(ledger, 'u1', 100);
    await run(ledger);
    await db.send(
      new UpdateItemCommand({
        TableName: ledger.tables.credits,
        Key: { userId: { S: 'u1' } },
        UpdateExpression: 'ADD remaining :d',
        ExpressionAttributeValues: { ':d': { N: '1' } },
      }),
    );
    expect((await run(ledger)).drift.count).toBe(0); // untouched since the watermark
    const since = await run(ledger, { auditSince: new Date(Date.now() - HOUR_MS) });
    expect(since.drift.count).toBe(1);
  });
});

describe('time budget', () => {
  test('stops cleanly before the budget, saves its position, and the next run finishes the work exactly once', async () => {
    const ledger = await setup('budget');
    await grant(ledger, 'u1', 10_000);
    const total = 60;
    for (let i = 0; i < total; i++) {
      await putJob(db, ledger.tables, {
        jobId: `b${String(i).padStart(3, '0')}`,
        userId: 'u1',
        model: 'gen-standard',
        seconds: 12,
        status: 'rendered',
        updatedAt: ago(HOUR_MS + i * 1000),
        shard: String(i % 3),
      });
    }
    // A deterministic clock: every look at it costs 10 ms.
    let fakeMs = 0;
    const clockMs = () => (fakeMs += 10);
    const first = await runSweep(
      { ledger, clockMs },
      { timeBudgetMs: 200, limits: { ...TEST_LIMITS, pageSize: 7, concurrency: 2 } },
    );
    expect(first.status).toBe('partial');
    expect(first.stoppedBecause).toBe('time_budget');
    expect(first.stragglers.count).toBeGreaterThan(0);
    expect(first.stragglers.count).toBeLessThan(total);
    expect(first.index.resumeAt).toBeDefined();
    const saved = await loadSweepState(db, ledger.tables.settlements);
    expect(saved.position).toEqual(first.index.resumeAt);

    // The saved position is where the next run starts: it reads no settled job again.
    const second = await run(ledger, { limits: { pageSize: 7, concurrency: 2 } });
    expect(second.status).toBe('completed');
    expect(first.stragglers.count + second.stragglers.count).toBe(total);
    expect(second.alreadySettled).toBe(0);
    expect(await balance(ledger, 'u1')).toBe(10_000 - total * STANDARD_12S);
    expect((await loadSweepState(db, ledger.tables.settlements)).position).toBeUndefined();
    expect(await indexSize(db, ledger.tables)).toBe(0);
  });

  test('page limit: a run reads at most maxPagesPerRun pages, then resumes', async () => {
    const ledger = await setup('pages');
    await grant(ledger, 'u1', 1_000);
    for (let i = 0; i < 10; i++)
      await putJob(db, ledger.tables, {
        jobId: `p${i}`,
        userId: 'u1',
        model: 'test',
        seconds: 5,
        status: 'rendered',
        updatedAt: ago(HOUR_MS),
        shard: '0',
      });
    const first = await run(ledger, { limits: { pageSize: 2, maxPagesPerRun: 3 } });
    expect(first.stoppedBecause).toBe('page_limit');
    expect(first.index.pages).toBe(3);
    expect(first.stragglers.count).toBe(6);
    const second = await run(ledger, { limits: { pageSize: 2 } });
    expect(first.stragglers.count + second.stragglers.count).toBe(10);
    expect(await balance(ledger, 'u1')).toBe(990);
  });

  test('a second sweep while one holds the lease does nothing', async () => {
    const ledger = await setup('lease');
    expect(await acquireSweepLease(db, ledger.tables.settlements, 'other-run', new Date(), 60_000)).toBe(true);
    const result = await run(ledger);
    expect(result.status).toBe('skipped_locked');
    expect((await getSettlement(db, ledger.tables, SWEEP_STATE_JOB_ID))!.leaseOwner).toBe('other-run');
  });
});

describe('bad job records', () => {
  test('are reported with the reason, stay on the index, and do not stop the run', async () => {
    const ledger = await setup('bad');
    await grant(ledger, 'u1', 100);
    const base = { model: 'gen-standard', seconds: 12, updatedAt: ago(HOUR_MS) };
    await putJob(db, ledger.tables, { jobId: 'no-user', ...base, status: 'rendered' });
    await putJob(db, ledger.tables, {
      jobId: 'no-seconds',
      userId: 'u1',
      model: 'gen-standard',
      updatedAt: ago(HOUR_MS),
      status: 'rendered',
    });
    await putJob(db, ledger.tables, { jobId: 'weird-status', userId: 'u1', ...base, status: 'exploded' });
    await putJob(db, ledger.tables, { jobId: 'no-status', userId: 'u1', ...base });
    await putJob(db, ledger.tables, {
      jobId: 'unknown-model',
      userId: 'u1',
      model: 'gen-mystery',
      seconds: 3,
      updatedAt: ago(HOUR_MS),
      status: 'rendered',
    });
    await putJob(db, ledger.tables, { jobId: 'good', userId: 'u1', ...base, status: 'rendered' });

    const result = await run(ledger);
    expect(result.status).toBe('completed');
    expect(result.stragglers.count).toBe(1);
    expect(result.badRecords.count).toBe(5);
    const problems = Object.fromEntries(result.badRecords.first.map((b) => [b.jobId, b.problems.join('; ')]));
    expect(problems['no-user']).toMatch(/userId missing/);
    expect(problems['no-seconds']).toMatch(/seconds missing/);
    expect(problems['weird-status']).toMatch(/unknown status "exploded"/);
    expect(problems['no-status']).toMatch(/status missing/);
    expect(problems['unknown-model']).toMatch(/unknown model/);
    expect(await balance(ledger, 'u1')).toBe(100 - STANDARD_12S);
    expect(await indexSize(db, ledger.tables)).toBe(5);
  });
});

describe('dry run', () => {
  test('reports what it would settle and changes nothing', async () => {
    const ledger = await setup('dry');
    await grant(ledger, 'u1', 100);
    await putJob(db, ledger.tables, {
      jobId: 'j1',
      userId: 'u1',
      model: 'gen-standard',
      seconds: 12,
      status: 'rendered',
      updatedAt: ago(HOUR_MS),
    });
    const result = await run(ledger, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.stragglers.count).toBe(1);
    expect(result.stragglers.debitedCredits).toBe(STANDARD_12S);
    expect(await balance(ledger, 'u1')).toBe(100);
    expect(await getSettlement(db, ledger.tables, 'j1')).toBeUndefined();
    expect(await getSettlement(db, ledger.tables, SWEEP_STATE_JOB_ID)).toBeUndefined();
  });
});
