/**
 * Edge paths of the core on DynamoDB Local: DynamoDB not returning the old item on a failed
 * condition (fallback read), books that contradict themselves (an invariant violation, loudly),
 * audits of orphaned balances and ledger entries, and query paging.
 */
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { settleEvent } from '../../../shared/ledger/settle';
import type { LedgerDeps } from '../../../shared/ledger/types';
import { adjustCredits, grantCredits } from '../../../shared/ledger/manual-entries';
import { auditAllBalances } from '../../../shared/ledger/audit';
import { decodeCursor, encodeCursor, getBalance, getHistory } from '../../../shared/ledger/queries';
import { ledgerItem } from '../../../shared/ledger/ledger-entry';
import { settledJobFrom } from '../../../shared/ledger/settlement-item';
import { InvariantViolation, UsageError } from '../../../shared/errors';
import type { TableNames } from '../../../shared/tables';
import { dropTables, freshTablesWithBalances, localDynamo } from '../../support/local-aws';
import { settlementEvent } from '../../support/events';

let db: DynamoDBClient;
let tables: TableNames;
let deps: LedgerDeps;

beforeEach(async () => {
  db = localDynamo();
  tables = await freshTablesWithBalances(db, 'edges', { 'user-1': 100 });
  deps = { dynamodb: db, tables };
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

/** Strips the old item from failed conditions, as if DynamoDB had not returned it. */
function withoutReturnedItems(client: DynamoDBClient) {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const e = error as { Item?: unknown; CancellationReasons?: { Item?: unknown }[] };
        delete e.Item;
        for (const reason of e.CancellationReasons ?? []) delete reason.Item;
        throw error;
      }
    },
    { step: 'initialize', name: 'stripItems', override: true },
  );
}

describe('settlement edge paths', () => {
  test('without the returned item, the core reads the job (one extra request) and still decides right', async () => {
    await settleEvent(deps, settlementEvent('rendered', { eventId: 'r1' }), 8);
    withoutReturnedItems(db);
    expect(await settleEvent(deps, settlementEvent('rendered', { eventId: 'r2' }), 8)).toMatchObject({
      outcome: 'duplicate',
      requests: 2,
    });
    expect(await settleEvent(deps, settlementEvent('failed', { eventId: 'f1' }), 0)).toMatchObject({
      outcome: 'refunded',
      credits: 8,
    });
    expect((await getBalance(deps, 'user-1')).remaining).toBe(100);
  });

  test('a ledger entry for a job whose settlement does not match is an invariant violation, nothing written', async () => {
    await db.send(
      new PutItemCommand({
        TableName: tables.ledger,
        Item: ledgerItem({
          ledgerId: 'job#job-1#debit',
          userId: 'user-1',
          timestamp: new Date().toISOString(),
          type: 'debit',
          kind: 'render',
          amount: 8,
          reference: 'job-1',
          eventId: 'x',
          description: 'planted',
        }),
      }),
    );
    await expect(settleEvent(deps, settlementEvent('rendered'), 8)).rejects.toBeInstanceOf(InvariantViolation);
    expect((await getBalance(deps, 'user-1')).remaining).toBe(100);
  });

  test('a settlement with an unknown value stops the work loudly', async () => {
    await db.send(
      new PutItemCommand({
        TableName: tables.settlements,
        Item: { jobId: { S: 'job-1' }, settlement: { S: 'PAID' }, settledUserId: { S: 'user-1' } },
      }),
    );
    await expect(settleEvent(deps, settlementEvent('rendered'), 8)).rejects.toBeInstanceOf(InvariantViolation);
  });

  test('whatever a producer writes on its Jobs item is never read by settlement', async () => {
    await db.send(
      new PutItemCommand({ TableName: tables.jobs, Item: { jobId: { S: 'job-1' }, settlement: { S: 'PAID' } } }),
    );
    expect(await settleEvent(deps, settlementEvent('rendered'), 8)).toMatchObject({ outcome: 'debited', credits: 8 });
  });

  test('a permanent DynamoDB error (missing table) propagates unchanged', async () => {
    await expect(
      settleEvent({ ...deps, tables: { ...tables, settlements: 'Settlements-missing' } }, settlementEvent('failed'), 0),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      settleEvent({ ...deps, tables: { ...tables, ledger: 'Ledger-missing' } }, settlementEvent('rendered'), 8),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('job item parsing', () => {
  test('reads what the reconciler wrote and refuses what it never writes', () => {
    expect(settledJobFrom(undefined)).toBeUndefined();
    expect(settledJobFrom({ jobId: 'j', status: 'rendered' })).toBeUndefined();
    expect(settledJobFrom({ jobId: 'j', settlement: 'DEBITED', settledUserId: 'u', charged: 5 })).toMatchObject({
      charged: 5,
      refunded: 0,
    });
    expect(() => settledJobFrom({ jobId: 'j', settlement: 'DEBITED', charged: 1.5 })).toThrow(InvariantViolation);
    expect(() => settledJobFrom({ jobId: 'j', settlement: 7 })).toThrow(InvariantViolation);
  });
});

describe('manual entries', () => {
  test.each([
    [{ userId: 'user 1', credits: 5, reference: 'r' }, /user id/],
    [{ userId: 'u', credits: 5, reference: 'r#1' }, /reference/],
    [{ userId: 'u', credits: 0, reference: 'r' }, /non-zero integer/],
    [{ userId: 'u', credits: 2.5, reference: 'r' }, /non-zero integer/],
    [{ userId: 'u', credits: 2e12, reference: 'r' }, /non-zero integer/],
    [{ userId: 'u', credits: -5, reference: 'r' }, /grant must be positive/],
    [{ userId: 'u', credits: 5, reference: 'r', description: 'x'.repeat(600) }, /512 characters/],
  ])('grant %j is refused before anything is written', async (request, message) => {
    await expect(grantCredits(deps, { description: 'd', ...request })).rejects.toThrow(message);
    await expect(grantCredits(deps, { description: 'd', ...request })).rejects.toBeInstanceOf(UsageError);
    expect((await auditAllBalances(deps)).ledgerEntries).toBe(1);
  });

  test('a negative adjustment is a debit entry; the same reference again is a no-op', async () => {
    expect(
      await adjustCredits(deps, { userId: 'user-1', credits: -30, reference: 'fix-1', description: 'double grant' }),
    ).toEqual({ status: 'applied', ledgerId: 'adjust#fix-1' });
    expect(
      await adjustCredits(deps, { userId: 'user-1', credits: -30, reference: 'fix-1', description: 'double grant' }),
    ).toMatchObject({ status: 'already_applied' });
    const history = await getHistory(deps, 'user-1', { oldestFirst: true });
    expect(history.entries.map((e) => [e.type, e.kind, e.amount])).toEqual([
      ['credit', 'grant', 100],
      ['debit', 'adjustment', 30],
    ]);
    expect((await getBalance(deps, 'user-1')).remaining).toBe(70);
  });
});

describe('audit and queries', () => {
  test('a balance with no ledger behind it, and a ledger with no balance, are both drift', async () => {
    await db.send(
      new PutItemCommand({ TableName: tables.credits, Item: { userId: { S: 'ghost' }, remaining: { N: '50' } } }),
    );
    await db.send(
      new PutItemCommand({
        TableName: tables.ledger,
        Item: ledgerItem({
          ledgerId: 'grant#orphan',
          userId: 'orphan',
          timestamp: new Date().toISOString(),
          type: 'credit',
          kind: 'grant',
          amount: 7,
          reference: 'orphan',
          eventId: 'x',
          description: 'no balance',
        }),
      }),
    );
    const report = await auditAllBalances(deps);
    expect(report.drift).toEqual([
      { userId: 'ghost', remaining: 50, ledgerSum: 0, difference: 50 },
      { userId: 'orphan', remaining: 0, ledgerSum: 7, difference: -7 },
    ]);
    expect(report.totals).toEqual({ credited: 107, debited: 0, remaining: 150 });
  });

  test('audit pages through more than one scan page', async () => {
    for (let i = 0; i < 30; i++)
      await grantCredits(deps, { userId: `u${i % 3}`, credits: 1, reference: `g${i}`, description: 'x' });
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'u1' } },
        UpdateExpression: 'ADD remaining :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    const pages: number[] = [];
    const report = await auditAllBalances(deps, (n) => pages.push(n), 7);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(report.ledgerEntries).toBe(31);
    expect(report.drift.map((d) => d.userId)).toEqual(['u1']);
  });

  test('balance of an unknown user is zero and says so; cursors round-trip', async () => {
    expect(await getBalance(deps, 'nobody')).toEqual({
      userId: 'nobody',
      remaining: 0,
      held: 0,
      available: 0,
      expiredUnswept: { count: 0, credits: 0 },
      exists: false,
    });
    expect(decodeCursor(encodeCursor({ a: { S: 'b' } }))).toEqual({ a: { S: 'b' } });
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined)).toBeUndefined();
    expect((await getHistory(deps, 'nobody')).entries).toEqual([]);
  });
});
