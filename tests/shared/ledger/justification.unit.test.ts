/** The pure justification checks: every shape the reconciler writes passes, everything else is named. */
import {
  refundProblem,
  shapeProblem,
  unjustifiedInUserLedger,
  type EntryFacts,
} from '../../../shared/ledger/justification';
import { MAX_ENTRY_CREDITS } from '../../../shared/ledger/ledger-entry';

const debit = (jobId: string, amount: number, userId = 'u'): EntryFacts => ({
  ledgerId: `job#${jobId}#debit`,
  userId,
  type: 'debit',
  kind: 'render',
  amount,
  reference: jobId,
});
const refund = (jobId: string, amount: number, userId = 'u'): EntryFacts => ({
  ledgerId: `job#${jobId}#refund`,
  userId,
  type: 'credit',
  kind: 'refund',
  amount,
  reference: jobId,
});

test.each([
  debit('j', 1),
  refund('j', MAX_ENTRY_CREDITS),
  { ledgerId: 'grant#g', userId: 'u', type: 'credit', kind: 'grant', amount: 5, reference: 'g' },
  { ledgerId: 'adjust#a', userId: 'u', type: 'debit', kind: 'adjustment', amount: 5, reference: 'a' },
  { ledgerId: 'adjust#b', userId: 'u', type: 'credit', kind: 'adjustment', amount: 5, reference: 'b' },
])('a shape the reconciler writes: %j', (entry) => {
  expect(shapeProblem(entry)).toBeUndefined();
});

test.each([
  [{ ...debit('j', 0) }, /amount 0 is not a positive integer/],
  [{ ...debit('j', 1.5) }, /amount 1.5/],
  [{ ...debit('j', MAX_ENTRY_CREDITS + 1) }, /at most/],
  [{ ...debit('j', Number.NaN) }, /amount NaN/],
  [{ ...debit('j', 5), kind: 'bonus' }, /kind "bonus" is not one the reconciler writes/],
  [{ ...debit('j', 5), kind: 'constructor' }, /kind "constructor"/],
  [{ ...debit('j', 5), type: 'credit' }, /a render entry cannot be a credit/],
  [{ ...refund('j', 5), type: 'debit' }, /a refund entry cannot be a debit/],
  [{ ...debit('j', 5), ledgerId: 'job#other#debit' }, /id does not match its render of reference j/],
])('not a shape the reconciler writes: %j', (entry, problem) => {
  expect(shapeProblem(entry)).toMatch(problem);
});

test('a refund must match its debit in job, user and amount', () => {
  expect(refundProblem(refund('j', 5), debit('j', 5))).toBeUndefined();
  expect(refundProblem(refund('j', 5), undefined)).toBe('refund of 5 for job j has no debit in the ledger');
  expect(refundProblem(refund('j', 6), debit('j', 5))).toBe('refund of 6 for job j, which was debited 5');
  expect(refundProblem(refund('j', 5, 'thief'), debit('j', 5, 'owner'))).toBe(
    'refund to user thief for job j, which was debited to user owner',
  );
});

test('one user ledger: only the unjustified entries are listed, each once', () => {
  const entries = [
    debit('a', 5),
    refund('a', 5),
    debit('b', 3),
    refund('b', 4),
    refund('c', 1),
    { ...debit('d', 2), kind: 'gift' },
  ];
  expect(unjustifiedInUserLedger(entries)).toEqual([
    { ledgerId: 'job#d#debit', userId: 'u', problem: 'kind "gift" is not one the reconciler writes' },
    { ledgerId: 'job#b#refund', userId: 'u', problem: 'refund of 4 for job b, which was debited 3' },
    { ledgerId: 'job#c#refund', userId: 'u', problem: 'refund of 1 for job c has no debit in the ledger' },
  ]);
  expect(unjustifiedInUserLedger([])).toEqual([]);
});
