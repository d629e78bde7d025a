/**
 * Justified, not only balanced, on DynamoDB Local. Method: write what an outsider with producer
 * access (or a bug) could write, then deliver real events through settleEvent, and check that the
 * books move only as the reconciler itself decided:
 * - a forged Jobs item (reconciler-looking attributes) mints nothing and waives nothing;
 * - a refund can never exceed, or go to another user than, the debit on record, even when the
 *   reconciler's own settlement is wrong (a bug);
 * - a price of 0 settles as a state-machine row (no entry, no balance change), and so does its failure;
 * - a debit stops at the overdraft floor: beyond it nothing is written;
 * - the full audit finds entries the reconciler could not have written.
 */
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { InvariantViolation, OverdraftFloorError } from '../../../shared/errors';
import { auditAllBalances } from '../../../shared/ledger/audit';
import { ledgerItem } from '../../../shared/ledger/ledger-entry';
import { grantCredits } from '../../../shared/ledger/manual-entries';
import { settleEvent } from '../../../shared/ledger/settle';
import type { LedgerDeps, SettlementEvent } from '../../../shared/ledger/types';
import type { TableNames } from '../../../shared/tables';
import { ledgerSums, readBooks } from '../../support/books';
import { settlementEvent } from '../../support/events';
import { dropTables, freshTables, localDynamo } from '../../support/local-aws';

let db: DynamoDBClient;
let tables: TableNames;
let deps: LedgerDeps;

beforeEach(async () => {
  db = localDynamo();
  tables = await freshTables(db, 'integrity');
  deps = { dynamodb: db, tables, overdraftFloorCredits: 100 };
  await grantCredits(deps, { userId: 'user-1', credits: 50, reference: 'open-1', description: 'opening' });
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

const rendered = (o: Partial<SettlementEvent> = {}) => settlementEvent('rendered', { eventId: 'ev-r', ...o });
const failed = (o: Partial<SettlementEvent> = {}) => settlementEvent('failed', { eventId: 'ev-f', ...o });
const put = (table: string, item: Record<string, unknown>) =>
  db.send(new PutItemCommand({ TableName: table, Item: marshall(item) }));
const entry = (fields: {
  ledgerId: string;
  userId: string;
  type: 'debit' | 'credit';
  kind: 'render' | 'refund' | 'grant' | 'adjustment';
  amount: number;
  reference: string;
}) => ledgerItem({ ...fields, timestamp: new Date().toISOString(), eventId: 'planted', description: 'planted' });

async function expectBooks(expected: Record<string, number>) {
  const books = await readBooks(db, tables);
  expect(books.balances).toEqual(expected);
  expect(ledgerSums(books.ledger)).toEqual(expected);
  return books;
}

describe('a forged Jobs item moves no money (C1)', () => {
  test('DEBITED, a billion charged, to the attacker: a failed event only settles the job at no charge', async () => {
    await put(tables.jobs, {
      jobId: 'job-1',
      settlement: 'DEBITED',
      charged: 1_000_000_000,
      refunded: 0,
      settledUserId: 'attacker',
    });
    const result = await settleEvent(deps, failed({ userId: 'attacker' }), 0);
    expect(result).toMatchObject({ outcome: 'no_charge', credits: 0 });
    const books = await expectBooks({ 'user-1': 50 });
    expect(books.ledger.map((e) => e.ledgerId)).toEqual(['grant#open-1']);
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'NO_CHARGE', settledUserId: 'attacker' });
  });

  test('NO_CHARGE on a job: its rendered event is still charged', async () => {
    await put(tables.jobs, {
      jobId: 'job-1',
      settlement: 'NO_CHARGE',
      charged: 0,
      settledUserId: 'user-1',
      failedEventId: 'x',
    });
    expect(await settleEvent(deps, rendered(), 8)).toMatchObject({ outcome: 'debited', credits: 8 });
    await expectBooks({ 'user-1': 42 });
  });
});

describe('a refund never exceeds its debit', () => {
  test('a settlement claiming more than the ledger debited (a bug) refunds nothing and stops loudly', async () => {
    await settleEvent(deps, rendered(), 8);
    await db.send(
      new UpdateItemCommand({
        TableName: tables.settlements,
        Key: { jobId: { S: 'job-1' } },
        UpdateExpression: 'SET charged = :c',
        ExpressionAttributeValues: { ':c': { N: '1000' } },
      }),
    );
    await expect(settleEvent(deps, failed(), 0)).rejects.toThrow(
      /no matching debit in the ledger; nothing was refunded/,
    );
    const books = await expectBooks({ 'user-1': 42 });
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'DEBITED' });
  });

  test('a settlement with no debit entry behind it at all refunds nothing', async () => {
    await put(tables.settlements, {
      jobId: 'job-9',
      settlement: 'DEBITED',
      charged: 30,
      refunded: 0,
      settledUserId: 'user-1',
      renderedEventId: 'forged',
    });
    await expect(settleEvent(deps, failed({ jobId: 'job-9' }), 0)).rejects.toBeInstanceOf(InvariantViolation);
    await expectBooks({ 'user-1': 50 });
  });

  test('the debit on record belongs to another user: the refund goes to nobody', async () => {
    await db.send(
      new PutItemCommand({
        TableName: tables.ledger,
        Item: entry({
          ledgerId: 'job#job-7#debit',
          userId: 'someone-else',
          type: 'debit',
          kind: 'render',
          amount: 8,
          reference: 'job-7',
        }),
      }),
    );
    await put(tables.settlements, {
      jobId: 'job-7',
      settlement: 'DEBITED',
      charged: 8,
      refunded: 0,
      settledUserId: 'user-1',
      renderedEventId: 'x',
    });
    await expect(settleEvent(deps, failed({ jobId: 'job-7' }), 0)).rejects.toBeInstanceOf(InvariantViolation);
    expect((await readBooks(db, tables)).balances['user-1']).toBe(50);
  });

  test('a failed event naming another user than the one charged is a conflict, nothing moves', async () => {
    await settleEvent(deps, rendered(), 8);
    expect(await settleEvent(deps, failed({ userId: 'user-2' }), 0)).toMatchObject({
      outcome: 'conflicting_duplicate',
      credits: 0,
    });
    await expectBooks({ 'user-1': 42 });
  });

  test('many concurrent failed events for one debited job refund it once', async () => {
    await settleEvent(deps, rendered(), 8);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        settleEvent(
          { ...deps, retry: { maxAttempts: 20, baseDelayMs: 2, maxDelayMs: 20 } },
          failed({ eventId: `f-${i}` }),
          0,
        ),
      ),
    );
    expect(results.filter((r) => r.outcome === 'refunded')).toHaveLength(1);
    const books = await expectBooks({ 'user-1': 50 });
    expect(books.ledger.filter((e) => e.kind === 'refund')).toHaveLength(1);
  });
});

describe('a price of 0 is a job like any other (M2)', () => {
  test('rendered at 0: DEBITED, charged 0, no ledger entry, no balance change, one request; again: duplicate', async () => {
    expect(await settleEvent(deps, rendered({ quotedCredits: 0 }), 0)).toMatchObject({
      outcome: 'debited',
      credits: 0,
      requests: 1,
      anomalies: [],
    });
    expect(await settleEvent(deps, rendered({ quotedCredits: 0, eventId: 'ev-r2' }), 0)).toMatchObject({
      outcome: 'duplicate',
    });
    const books = await expectBooks({ 'user-1': 50 });
    expect(books.ledger).toHaveLength(1);
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'DEBITED', charged: 0, quotedCredits: 0 });
  });

  test('a free job that later fails: REFUNDED of 0, no entry; a second failure is a duplicate', async () => {
    await settleEvent(deps, rendered({ quotedCredits: 0 }), 0);
    expect(await settleEvent(deps, failed(), 0)).toMatchObject({ outcome: 'refunded', credits: 0 });
    expect(await settleEvent(deps, failed({ eventId: 'ev-f2' }), 0)).toMatchObject({ outcome: 'duplicate' });
    const books = await expectBooks({ 'user-1': 50 });
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'REFUNDED', charged: 0, refunded: 0 });
  });

  test('failed first, then rendered at 0: rendered_after_failed, nothing charged', async () => {
    await settleEvent(deps, failed(), 0);
    expect(await settleEvent(deps, rendered({ quotedCredits: 0 }), 0)).toMatchObject({
      outcome: 'rendered_after_failed',
      credits: 0,
    });
    await expectBooks({ 'user-1': 50 });
  });

  test('the largest price a quote may carry is charged in full', async () => {
    await grantCredits(deps, { userId: 'user-1', credits: 1_000_000, reference: 'big', description: 'big' });
    expect(await settleEvent(deps, rendered({ quotedCredits: 1_000_000 }), 1_000_000)).toMatchObject({
      outcome: 'debited',
      credits: 1_000_000,
    });
    await expectBooks({ 'user-1': 50 });
  });
});

describe('overdraft has a floor (L4)', () => {
  test('within the floor: recorded and flagged (2 requests); beyond it: nothing written, the debit is held', async () => {
    const within = await settleEvent(deps, rendered({ jobId: 'j-a' }), 120);
    expect(within).toMatchObject({ outcome: 'debited', credits: 120, requests: 2, anomalies: [{ kind: 'overdraft' }] });
    await expectBooks({ 'user-1': -70 });
    await expect(settleEvent(deps, rendered({ jobId: 'j-b', eventId: 'ev-b' }), 31)).rejects.toBeInstanceOf(
      OverdraftFloorError,
    );
    const books = await expectBooks({ 'user-1': -70 });
    expect(books.settlements['j-b']).toBeUndefined();
    // Exactly at the floor is still allowed.
    expect(await settleEvent(deps, rendered({ jobId: 'j-c', eventId: 'ev-c' }), 30)).toMatchObject({
      outcome: 'debited',
      credits: 30,
    });
    await expectBooks({ 'user-1': -100 });
  });

  test('a user with no balance at all may go to the floor, not beyond; no row is created for a refused one', async () => {
    await expect(settleEvent(deps, rendered({ userId: 'nobody' }), 101)).rejects.toThrow(
      /more than 100 credits below zero/,
    );
    expect((await readBooks(db, tables)).balances.nobody).toBeUndefined();
    expect(await settleEvent(deps, rendered({ userId: 'newcomer', jobId: 'j-n' }), 100)).toMatchObject({
      outcome: 'debited',
      anomalies: [{ kind: 'overdraft' }],
    });
    await expectBooks({ 'user-1': 50, newcomer: -100 });
  });

  test('a floor of 0 allows no overdraft at all', async () => {
    await expect(settleEvent({ ...deps, overdraftFloorCredits: 0 }, rendered(), 51)).rejects.toBeInstanceOf(
      OverdraftFloorError,
    );
    expect(await settleEvent({ ...deps, overdraftFloorCredits: 0 }, rendered(), 50)).toMatchObject({
      outcome: 'debited',
    });
    await expectBooks({ 'user-1': 0 });
  });
});

describe('the full audit proves justification', () => {
  test('clean books: no finding', async () => {
    await settleEvent(deps, rendered(), 8);
    await settleEvent(deps, failed(), 0);
    expect(await auditAllBalances(deps)).toMatchObject({ drift: [], unjustified: [], unjustifiedCount: 0 });
  });

  test('balanced forgeries are found: a refund without a debit, an unknown kind, a refund above its debit, an id that lies', async () => {
    const plant = async (item: ReturnType<typeof entry>, delta: number, userId = 'user-1') => {
      await db.send(new PutItemCommand({ TableName: tables.ledger, Item: item }));
      await db.send(
        new UpdateItemCommand({
          TableName: tables.credits,
          Key: { userId: { S: userId } },
          UpdateExpression: 'ADD remaining :d, available :d',
          ExpressionAttributeValues: { ':d': { N: String(delta) } },
        }),
      );
    };
    await plant(
      entry({
        ledgerId: 'job#ghost#refund',
        userId: 'user-1',
        type: 'credit',
        kind: 'refund',
        amount: 500,
        reference: 'ghost',
      }),
      500,
    );
    await plant(
      {
        ...entry({ ledgerId: 'bonus#1', userId: 'user-1', type: 'credit', kind: 'grant', amount: 5, reference: '1' }),
        kind: { S: 'bonus' },
      },
      5,
    );
    await settleEvent(deps, rendered({ jobId: 'small' }), 2);
    await plant(
      entry({
        ledgerId: 'job#small#refund',
        userId: 'user-1',
        type: 'credit',
        kind: 'refund',
        amount: 200,
        reference: 'small',
      }),
      200,
    );
    await plant(
      entry({ ledgerId: 'grant#other', userId: 'user-1', type: 'credit', kind: 'grant', amount: 7, reference: 'mine' }),
      7,
    );

    const report = await auditAllBalances(deps, undefined, 2);
    expect(report.drift).toEqual([]); // balanced: only justification can see these
    const problems = Object.fromEntries(report.unjustified.map((u) => [u.ledgerId, u.problem]));
    expect(problems).toEqual({
      'job#ghost#refund': 'refund of 500 for job ghost has no debit in the ledger',
      'bonus#1': 'kind "bonus" is not one the reconciler writes',
      'job#small#refund': 'refund of 200 for job small, which was debited 2',
      'grant#other': 'id does not match its grant of reference mine',
    });
    expect(report.unjustifiedCount).toBe(4);
  });

  test('more refunds than one lookup batch are all checked', async () => {
    await grantCredits(deps, { userId: 'user-1', credits: 1000, reference: 'more', description: 'more' });
    for (let i = 0; i < 130; i++) await settleEvent(deps, rendered({ jobId: `b-${i}`, eventId: `r-${i}` }), 1);
    for (let i = 0; i < 130; i++) await settleEvent(deps, failed({ jobId: `b-${i}`, eventId: `f-${i}` }), 0);
    await db.send(
      new PutItemCommand({
        TableName: tables.ledger,
        Item: entry({
          ledgerId: 'job#b-x#refund',
          userId: 'user-1',
          type: 'credit',
          kind: 'refund',
          amount: 1,
          reference: 'b-x',
        }),
      }),
    );
    const report = await auditAllBalances(deps, undefined, 50);
    expect(report.unjustified.map((u) => u.ledgerId)).toEqual(['job#b-x#refund']);
  });
});
