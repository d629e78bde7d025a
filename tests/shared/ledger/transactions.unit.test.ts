/** The pure write builders: which tables each decision touches, and what its conditions require. */
import { debitWrite, noChargeWrite, refundWrite } from '../../../shared/ledger/transactions';
import { tableNamesForWorkspace } from '../../../shared/tables';
import { settlementEvent } from '../../support/events';

const tables = tableNamesForWorkspace('t');
const NOW = '2026-01-01T00:00:00.000Z';
const tablesOf = (write: ReturnType<typeof debitWrite>) =>
  write.kind === 'update'
    ? [write.input.TableName]
    : write.input.TransactItems!.map((i) => (i.Update ?? i.Put ?? i.ConditionCheck)!.TableName);

test("the event path writes only the reconciler's tables, never the producers' Jobs", () => {
  const event = settlementEvent('rendered');
  for (const write of [
    debitWrite(tables, event, 8, NOW, { kind: 'covered' }),
    refundWrite(tables, event, 8, NOW),
    noChargeWrite(tables, event, NOW),
  ]) {
    expect(tablesOf(write)).not.toContain(tables.jobs);
  }
  expect(tablesOf(debitWrite(tables, event, 8, NOW, { kind: 'covered' }))).toEqual([
    tables.settlements,
    tables.ledger,
    tables.credits,
  ]);
  expect(tablesOf(refundWrite(tables, event, 8, NOW))).toEqual([
    tables.settlements,
    tables.ledger,
    tables.credits,
    tables.ledger,
  ]);
});

test('a price or a refund of 0 is one conditional update of the settlement: no entry, no balance', () => {
  const event = settlementEvent('rendered', { quotedCredits: 0 });
  const free = debitWrite(tables, event, 0, NOW, { kind: 'covered' });
  expect(free).toMatchObject({
    kind: 'update',
    input: {
      TableName: tables.settlements,
      ConditionExpression: 'attribute_not_exists(settlement) AND attribute_not_exists(holdState)',
    },
  });
  expect(refundWrite(tables, event, 0, NOW)).toMatchObject({
    kind: 'update',
    input: { ConditionExpression: 'settlement = :debited AND charged = :credits AND settledUserId = :user' },
  });
});

test('the refund checks the debit entry of its job: same user, same amount, a render debit', () => {
  const write = refundWrite(tables, settlementEvent('failed', { jobId: 'j7', userId: 'u7' }), 9, NOW);
  if (write.kind !== 'transaction') throw new Error('expected a transaction');
  expect(write.roles).toEqual(['settlement', 'ledger', 'balance', 'debit_check']);
  expect(write.input.TransactItems![3]!.ConditionCheck).toMatchObject({
    TableName: tables.ledger,
    Key: { ledgerId: { S: 'job#j7#debit' } },
    ExpressionAttributeValues: {
      ':credits': { N: '9' },
      ':user': { S: 'u7' },
      ':debit': { S: 'debit' },
      ':render': { S: 'render' },
    },
  });
});

test('the balance guard on available (remaining on an item from before holds): covered, then the floor (a missing balance is 0, within the floor only when the price is)', () => {
  const event = settlementEvent('rendered');
  const guardOf = (credits: number, floorCredits?: number) => {
    const write = debitWrite(
      tables,
      event,
      credits,
      NOW,
      floorCredits === undefined ? { kind: 'covered' } : { kind: 'floor', floorCredits },
    );
    if (write.kind !== 'transaction') throw new Error('expected a transaction');
    const update = write.input.TransactItems![2]!.Update!;
    return { condition: update.ConditionExpression, values: update.ExpressionAttributeValues };
  };
  const availableAtLeast = (v: string) =>
    `(available >= ${v} OR (attribute_not_exists(available) AND remaining >= ${v}))`;
  expect(guardOf(8)).toMatchObject({ condition: availableAtLeast(':need'), values: { ':need': { N: '8' } } });
  expect(guardOf(8, 100)).toMatchObject({
    condition: `attribute_not_exists(remaining) OR ${availableAtLeast(':lowest')}`,
    values: { ':lowest': { N: '-92' } },
  });
  expect(guardOf(100, 100)).toMatchObject({
    condition: `attribute_not_exists(remaining) OR ${availableAtLeast(':lowest')}`,
    values: { ':lowest': { N: '0' } },
  });
  expect(guardOf(101, 100)).toMatchObject({
    condition: availableAtLeast(':lowest'),
    values: { ':lowest': { N: '1' } },
  });
});
