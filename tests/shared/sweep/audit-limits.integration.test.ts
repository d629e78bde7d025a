/**
 * The incremental audit's bounds, against DynamoDB Local: it audits at most maxUsersAuditedPerRun
 * users per run and the next run goes on from its watermark; a window older than MAX_AUDIT_DAYS is
 * clamped and the gap is reported (what to run: --full); a user whose audit fails is an error of the
 * run, not the end of it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LedgerDeps } from '../../../shared/ledger/types';
import { runSweep, type SweepOptions } from '../../../shared/sweep';
import { MAX_AUDIT_DAYS } from '../../../shared/sweep/config';
import { freshTables, localDynamo } from '../../support/local-aws';
import { HOUR_MS, TEST_LIMITS, grant } from '../../support/producer-jobs';

const db = localDynamo();
const run = (ledger: LedgerDeps, options: Partial<SweepOptions> = {}) =>
  runSweep({ ledger }, { timeBudgetMs: 60_000, ...options, limits: { ...TEST_LIMITS, ...options.limits } });

async function withUsers(label: string, users: number): Promise<LedgerDeps> {
  const ledger = { dynamodb: db, tables: await freshTables(db, label) };
  for (let i = 0; i < users; i++) await grant(ledger, `u${i}`, 100);
  return ledger;
}

test('at most maxUsersAuditedPerRun users per run; the next runs go on and finish', async () => {
  const ledger = await withUsers('userlimit', 5);
  const first = await run(ledger, { limits: { maxUsersAuditedPerRun: 2 } });
  expect(first.stoppedBecause).toBe('user_limit');
  expect(first.audit.usersAudited).toBeLessThanOrEqual(2);
  let audited = first.audit.usersAudited;
  for (let i = 0; i < 5 && audited < 5; i++) {
    const next = await run(ledger, { limits: { maxUsersAuditedPerRun: 5 } });
    audited += next.audit.usersAudited;
  }
  expect(audited).toBeGreaterThanOrEqual(5);
  expect((await run(ledger)).drift.count).toBe(0);
});

test(`a window older than ${MAX_AUDIT_DAYS} days is clamped, and the gap before it is reported`, async () => {
  const ledger = await withUsers('gap', 1);
  const since = new Date(Date.now() - (MAX_AUDIT_DAYS + 5) * 24 * HOUR_MS);
  const result = await run(ledger, { auditSince: since });
  expect(result.audit.gapBefore).toBe(since.toISOString());
  expect(Date.parse(result.audit.from!)).toBeGreaterThan(since.getTime());
  expect(result.audit.usersAudited).toBe(1);
});

test('a user whose audit fails is reported as an error; the others are still audited', async () => {
  const ledger = await withUsers('auditerror', 3);
  const failing: DynamoDBClient = Object.create(db) as DynamoDBClient;
  // The per-user audit reads that user's ledger by a Query on its userId: refuse it for u1 only.
  failing.send = ((
    command: { input: { ExpressionAttributeValues?: Record<string, { S?: string }> }; constructor: { name: string } },
    ...rest: unknown[]
  ) => {
    const values = Object.values(command.input?.ExpressionAttributeValues ?? {});
    if (command.constructor.name === 'QueryCommand' && values.some((v) => v.S === 'u1'))
      return Promise.reject(new Error('injected: u1 unreadable'));
    return (db.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as DynamoDBClient['send'];
  const result = await run({ ...ledger, dynamodb: failing });
  expect(result.errors.count).toBeGreaterThanOrEqual(1);
  expect(result.errors.first.map((e) => JSON.stringify(e)).join(' ')).toContain('u1');
  expect(result.audit.usersAudited).toBe(3);
});
