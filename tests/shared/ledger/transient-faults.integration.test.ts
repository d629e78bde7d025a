/**
 * Transient faults injected into the SDK client (DynamoDB Local never produces them):
 * retried with backoff, applied exactly once, and a lost reply after a commit reports success.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { settleEvent } from '../../../shared/ledger/settle';
import type { LedgerDeps } from '../../../shared/ledger/types';
import { grantCredits } from '../../../shared/ledger/manual-entries';
import { TransientError } from '../../../shared/errors';
import type { TableNames } from '../../../shared/tables';
import { dropTables, freshTables, localDynamo } from '../../support/local-aws';
import { ledgerSums, readBooks } from '../../support/books';
import { settlementEvent } from '../../support/events';
import { injectFaults, scriptedFaults, type Fault } from '../../support/faults';

let db: DynamoDBClient;
let tables: TableNames;
const fastRetry = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 };

async function setUp(faults: Fault[]) {
  db = localDynamo();
  tables = await freshTables(db, 'faults');
  const deps: LedgerDeps = { dynamodb: db, tables, retry: fastRetry };
  await grantCredits(deps, { userId: 'user-1', credits: 100, reference: 'opening', description: 'opening' });
  const injected = injectFaults(db, scriptedFaults(faults));
  return { deps, injected };
}
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

async function books() {
  const b = await readBooks(db, tables);
  expect(b.balances).toEqual(ledgerSums(b.ledger));
  return b;
}

describe('transient faults', () => {
  test.each(['conflict', 'throttle'] as const)(
    '%s on the first two attempts → retried, debited once',
    async (fault) => {
      const { deps, injected } = await setUp([fault, fault]);
      const result = await settleEvent(deps, settlementEvent('rendered'), 8);
      expect(result).toMatchObject({ outcome: 'debited', credits: 8, requests: 3 });
      expect(injected[fault]).toBe(2);
      expect((await books()).balances['user-1']).toBe(92);
    },
  );

  test('committed, then the reply was lost → the retry finds its own write and reports success, applied once', async () => {
    const { deps, injected } = await setUp(['lost_reply']);
    const result = await settleEvent(deps, settlementEvent('rendered'), 8);
    expect(injected.lost_reply).toBe(1);
    expect(result).toMatchObject({ outcome: 'debited', credits: 8, alreadyApplied: true, anomalies: [] });
    const b = await books();
    expect(b.balances['user-1']).toBe(92);
    expect(b.ledger.filter((e) => e.reference === 'job-1')).toHaveLength(1);
  });

  test('an overdraft whose reply was lost is still reported as one by the retry that finds it', async () => {
    // The covered attempt is refused by its condition (no fault); the floor attempt commits, its reply is lost.
    const { deps } = await setUp(['none', 'lost_reply']);
    const result = await settleEvent(deps, settlementEvent('rendered'), 130);
    expect(result).toMatchObject({
      outcome: 'debited',
      credits: 130,
      alreadyApplied: true,
      anomalies: [{ kind: 'overdraft', detail: 'user user-1 went below zero: debit of 130 for job job-1' }],
    });
    expect((await books()).balances['user-1']).toBe(-30);
  });

  test('lost reply on a refund and on a no-charge settlement → success, applied once', async () => {
    const { deps } = await setUp([]);
    await settleEvent(deps, settlementEvent('rendered', { jobId: 'job-r' }), 8);
    // The first write for a failed event is the no-charge attempt; its condition fails (job is
    // DEBITED) before any reply could be lost, so the second fault hits the refund transaction.
    injectFaults(db, scriptedFaults(['lost_reply', 'lost_reply']));
    expect(await settleEvent(deps, settlementEvent('failed', { jobId: 'job-r' }), 0)).toMatchObject({
      outcome: 'refunded',
      credits: 8,
      alreadyApplied: true,
    });
    injectFaults(db, scriptedFaults(['lost_reply']));
    expect(await settleEvent(deps, settlementEvent('failed', { jobId: 'job-n' }), 0)).toMatchObject({
      outcome: 'no_charge',
      alreadyApplied: true,
    });
    const b = await books();
    expect(b.balances['user-1']).toBe(100);
    expect(b.settlements['job-r']!.settlement).toBe('REFUNDED');
    expect(b.settlements['job-n']!.settlement).toBe('NO_CHARGE');
  });

  test('faults beyond the retry budget → TransientError thrown (the platform retries), nothing applied', async () => {
    const { deps } = await setUp(['conflict', 'conflict', 'conflict', 'conflict', 'conflict']);
    await expect(settleEvent(deps, settlementEvent('rendered'), 8)).rejects.toBeInstanceOf(TransientError);
    const b = await books();
    expect(b.balances['user-1']).toBe(100);
    expect(b.settlements['job-1']).toBeUndefined();
  });

  test('a platform retry after the retry budget ran out while the write had committed → applied once', async () => {
    const { deps } = await setUp(['lost_reply', 'conflict', 'conflict', 'conflict', 'conflict']);
    const event = settlementEvent('rendered');
    await expect(settleEvent(deps, event, 8)).rejects.toBeInstanceOf(TransientError);
    // The platform redelivers the same event later.
    expect(await settleEvent(deps, event, 8)).toMatchObject({ outcome: 'duplicate', alreadyApplied: true });
    expect((await books()).balances['user-1']).toBe(92);
  });

  test('concurrent duplicates under random faults stay exactly once', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const faults: Fault[] = ['none', 'conflict', 'throttle', 'lost_reply'];
    db = localDynamo();
    tables = await freshTables(db, 'faults');
    const deps: LedgerDeps = { dynamodb: db, tables, retry: { ...fastRetry, maxAttempts: 10 } };
    await grantCredits(deps, { userId: 'user-1', credits: 1000, reference: 'opening', description: 'opening' });
    injectFaults(db, {
      next: (name) =>
        name === 'TransactWriteItemsCommand' || name === 'UpdateItemCommand'
          ? faults[Math.floor(random() * 4)]!
          : 'none',
    });
    const events = Array.from({ length: 20 }, (_, i) =>
      settlementEvent(i % 4 === 3 ? 'failed' : 'rendered', {
        jobId: `job-${i % 8}`,
        eventId: `ev-${i % 8}-${i % 4 === 3 ? 'f' : 'r'}`,
      }),
    );
    await Promise.all([...events, ...events].map((e) => settleEvent(deps, e, 5)));
    const b = await books();
    const debits = b.ledger.filter((e) => e.kind === 'render');
    expect(new Set(debits.map((e) => e.ledgerId)).size).toBe(debits.length);
  });
});
