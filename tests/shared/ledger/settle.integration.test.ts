/**
 * The money paths against real DynamoDB Local: every row of the state machine, duplicates,
 * every order of rendered/failed, conflicting duplicates, overdraft, concurrency.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { settleEvent } from '../../../shared/ledger/settle';
import type { LedgerDeps } from '../../../shared/ledger/types';
import type { SettlementEvent } from '../../../shared/ledger/types';
import type { TableNames } from '../../../shared/tables';
import { dropTables, freshTablesWithBalances, localDynamo } from '../../support/local-aws';
import { readBooks, ledgerSums } from '../../support/books';
import { settlementEvent } from '../../support/events';

let db: DynamoDBClient;
let tables: TableNames;
let deps: LedgerDeps;

beforeEach(async () => {
  db = localDynamo();
  tables = await freshTablesWithBalances(db, 'settle', { 'user-1': 100 });
  deps = { dynamodb: db, tables };
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

const rendered = (o: Partial<SettlementEvent> = {}) => settlementEvent('rendered', { eventId: 'ev-rendered', ...o });
const failed = (o: Partial<SettlementEvent> = {}) => settlementEvent('failed', { eventId: 'ev-failed', ...o });

async function expectBalanced(expected: Record<string, number>) {
  const books = await readBooks(db, tables);
  expect(books.balances).toEqual(expected);
  expect(ledgerSums(books.ledger)).toEqual(expected);
  return books;
}

describe('each row of the state machine, on DynamoDB Local', () => {
  test('none + rendered: one transaction debits the price, job DEBITED, ledger entry written', async () => {
    const result = await settleEvent(deps, rendered(), 8);
    expect(result).toMatchObject({ outcome: 'debited', credits: 8, anomalies: [], requests: 1 });
    const books = await expectBalanced({ 'user-1': 92 });
    expect(books.settlements['job-1']).toMatchObject({
      settlement: 'DEBITED',
      charged: 8,
      refunded: 0,
      settledUserId: 'user-1',
      renderedEventId: 'ev-rendered',
    });
    // The settlement is the reconciler's own: the producers' Jobs table is never written by the event path.
    expect(books.jobs).toEqual({});
    expect(books.ledger.map((e) => e.ledgerId)).toEqual(['grant#opening-user-1', 'job#job-1#debit']);
    expect(books.ledger[1]).toMatchObject({
      userId: 'user-1',
      type: 'debit',
      kind: 'render',
      amount: 8,
      reference: 'job-1',
      eventId: 'ev-rendered',
    });
    expect(books.ledger[1]!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  test('none + failed: NO_CHARGE, no ledger entry, no balance change, one request', async () => {
    const result = await settleEvent(deps, failed(), 0);
    expect(result).toMatchObject({ outcome: 'no_charge', credits: 0, requests: 1 });
    const books = await expectBalanced({ 'user-1': 100 });
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'NO_CHARGE', charged: 0 });
    expect(books.ledger).toHaveLength(1);
  });

  test('DEBITED + failed: credits back exactly what was charged, job REFUNDED', async () => {
    await settleEvent(deps, rendered(), 8);
    const result = await settleEvent(deps, failed(), 0);
    expect(result).toMatchObject({ outcome: 'refunded', credits: 8 });
    const books = await expectBalanced({ 'user-1': 100 });
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'REFUNDED', charged: 8, refunded: 8 });
    expect(books.ledger.find((e) => e.ledgerId === 'job#job-1#refund')).toMatchObject({
      type: 'credit',
      kind: 'refund',
      amount: 8,
    });
  });

  test('DEBITED + rendered again: duplicate, nothing changes, one request', async () => {
    await settleEvent(deps, rendered(), 8);
    const result = await settleEvent(deps, rendered({ eventId: 'ev-other' }), 8);
    expect(result).toMatchObject({ outcome: 'duplicate', credits: 0, requests: 1 });
    await expectBalanced({ 'user-1': 92 });
  });

  test.each(['REFUNDED', 'NO_CHARGE'])('%s + failed again: duplicate', async (state) => {
    if (state === 'REFUNDED') await settleEvent(deps, rendered(), 8);
    await settleEvent(deps, failed(), 0);
    const result = await settleEvent(deps, failed({ eventId: 'ev-failed-2' }), 0);
    expect(result.outcome).toBe('duplicate');
    await expectBalanced({ 'user-1': 100 });
  });

  test.each(['REFUNDED', 'NO_CHARGE'])('%s + rendered: no charge, rendered_after_failed anomaly', async (state) => {
    if (state === 'REFUNDED') await settleEvent(deps, rendered(), 8);
    await settleEvent(deps, failed(), 0);
    const result = await settleEvent(deps, rendered({ eventId: 'ev-rendered-late' }), 8);
    expect(result).toMatchObject({
      outcome: 'rendered_after_failed',
      credits: 0,
      anomalies: [{ kind: 'rendered_after_failed' }],
    });
    await expectBalanced({ 'user-1': 100 });
  });

  test.each([
    ['another user', { userId: 'user-2' }],
    ['another quote', { quotedCredits: 50 }],
  ])('a settled job + an event with %s: no change, conflicting_duplicate', async (_, change) => {
    await settleEvent(deps, rendered(), 8);
    for (const event of [rendered({ eventId: 'x1', ...change }), failed({ eventId: 'x2', ...change })]) {
      const result = await settleEvent(deps, event, 50);
      expect(result).toMatchObject({
        outcome: 'conflicting_duplicate',
        credits: 0,
        anomalies: [{ kind: 'conflicting_duplicate' }],
      });
    }
    const books = await expectBalanced({ 'user-1': 92 });
    expect(books.settlements['job-1']!.settlement).toBe('DEBITED');
  });

  test('a debit beyond the balance is still recorded and raises overdraft', async () => {
    const result = await settleEvent(deps, rendered({ userId: 'user-1', quotedCredits: 130 }), 130);
    expect(result).toMatchObject({ outcome: 'debited', credits: 130, anomalies: [{ kind: 'overdraft' }], requests: 2 });
    await expectBalanced({ 'user-1': -30 });
  });

  test('a user with no balance at all is debited into overdraft, not dropped', async () => {
    const result = await settleEvent(deps, rendered({ userId: 'user-new', jobId: 'job-new' }), 8);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['overdraft']);
    await expectBalanced({ 'user-1': 100, 'user-new': -8 });
  });
});

describe('duplicates', () => {
  test('the same rendered event 10 times in a row → one ledger entry', async () => {
    const event = rendered();
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push((await settleEvent(deps, event, 8)).outcome);
    expect(outcomes).toEqual(['debited', ...Array(9).fill('duplicate')]);
    const books = await expectBalanced({ 'user-1': 92 });
    expect(books.ledger.filter((e) => e.reference === 'job-1')).toHaveLength(1);
  });

  test.each(['rendered', 'failed'] as const)(
    'the same %s event 10 times concurrently → applied exactly once',
    async (kind) => {
      if (kind === 'failed') await settleEvent(deps, rendered(), 8);
      const event = kind === 'rendered' ? rendered() : failed();
      const results = await Promise.all(Array.from({ length: 10 }, () => settleEvent(deps, event, 8)));
      const applied = results.filter((r) => r.outcome === (kind === 'rendered' ? 'debited' : 'refunded'));
      expect(applied).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'duplicate')).toHaveLength(9);
      const books = await expectBalanced({ 'user-1': kind === 'rendered' ? 92 : 100 });
      expect(books.ledger.filter((e) => e.reference === 'job-1')).toHaveLength(kind === 'rendered' ? 1 : 2);
    },
  );

  test('rendered and failed for one job delivered concurrently, 5 copies each → net zero, at most one debit and one refund', async () => {
    const events = [...Array(5).fill(rendered()), ...Array(5).fill(failed())];
    await Promise.all(events.map((e) => settleEvent(deps, e, 8)));
    const books = await expectBalanced({ 'user-1': 100 });
    expect(['REFUNDED', 'NO_CHARGE']).toContain(books.settlements['job-1']!.settlement);
    expect(books.ledger.filter((e) => e.ledgerId === 'job#job-1#debit').length).toBeLessThanOrEqual(1);
  });
});

/** All orderings of a small multiset of events. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('every order of rendered / failed', () => {
  const orders = permutations(['R', 'F', 'R', 'F'])
    .map((p) => p.join(''))
    .filter((v, i, a) => a.indexOf(v) === i);
  test.each(orders)('order %s ends with zero net charge and balanced books', async (order) => {
    for (const letter of order) await settleEvent(deps, letter === 'R' ? rendered() : failed(), 8);
    const books = await expectBalanced({ 'user-1': 100 });
    const expected = order.indexOf('R') < order.indexOf('F') ? 'REFUNDED' : 'NO_CHARGE';
    expect(books.settlements['job-1']!.settlement).toBe(expected);
  });

  test('a rendered job is charged exactly once whatever the duplicates', async () => {
    for (const order of permutations(['a', 'b', 'c'])) {
      const jobId = `job-${order.join('')}`;
      for (const copy of order) await settleEvent(deps, rendered({ jobId, eventId: `ev-${jobId}-${copy}` }), 8);
    }
    await expectBalanced({ 'user-1': 100 - 6 * 8 });
  });
});

describe('concurrency', () => {
  test('40 different jobs for one user at once: every debit lands, balance exact', async () => {
    const events = Array.from({ length: 40 }, (_, i) => rendered({ jobId: `job-c${i}`, eventId: `ev-c${i}` }));
    const results = await Promise.all(events.map((e) => settleEvent(deps, e, 3)));
    expect(results.every((r) => r.outcome === 'debited')).toBe(true);
    const books = await expectBalanced({ 'user-1': 100 - 40 * 3 });
    expect(results.filter((r) => r.anomalies.some((a) => a.kind === 'overdraft')).length).toBeGreaterThan(0);
    expect(books.ledger).toHaveLength(41);
  });
});
