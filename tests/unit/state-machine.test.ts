import { decide } from '../../shared/ledger/state-machine';
import type { SettledJob } from '../../shared/ledger/types';
import { InvariantViolation } from '../../shared/errors';
import { settlementEvent } from '../support/events';

const debited: SettledJob = { settlement: 'DEBITED', settledUserId: 'user-1', charged: 8, refunded: 0, renderedEventId: 'r-1' };
const refunded: SettledJob = { ...debited, settlement: 'REFUNDED', refunded: 8, failedEventId: 'f-1' };
const noCharge: SettledJob = { settlement: 'NO_CHARGE', settledUserId: 'user-1', charged: 0, refunded: 0, failedEventId: 'f-1' };

describe('the settlement state machine (DESIGN §2), row by row', () => {
  test('none + rendered → debit the price', () => {
    expect(decide(settlementEvent('rendered'), undefined, 8)).toEqual({ action: 'debit', credits: 8 });
  });
  test('none + failed → NO_CHARGE, no money moves', () => {
    expect(decide(settlementEvent('failed'), undefined, 0)).toEqual({ action: 'no_charge' });
  });
  test('DEBITED + failed → refund exactly what was charged, not today\'s price', () => {
    expect(decide(settlementEvent('failed'), debited, 999)).toEqual({ action: 'refund', credits: 8 });
  });
  test('DEBITED + rendered again (another event id) → duplicate', () => {
    expect(decide(settlementEvent('rendered'), debited, 8)).toMatchObject({ action: 'none', outcome: 'duplicate', sameEvent: false });
  });
  test('DEBITED + the very same rendered event → duplicate, recognised as the same event', () => {
    expect(decide(settlementEvent('rendered', { eventId: 'r-1' }), debited, 8)).toMatchObject({ action: 'none', outcome: 'duplicate', sameEvent: true });
  });
  test.each([['REFUNDED', refunded], ['NO_CHARGE', noCharge]] as const)('%s + failed again → duplicate', (_, job) => {
    expect(decide(settlementEvent('failed'), job, 0)).toMatchObject({ action: 'none', outcome: 'duplicate' });
  });
  test.each([['REFUNDED', refunded], ['NO_CHARGE', noCharge]] as const)('%s + rendered → no charge and a rendered_after_failed anomaly', (_, job) => {
    const decision = decide(settlementEvent('rendered'), job, 8);
    expect(decision).toMatchObject({ action: 'none', outcome: 'rendered_after_failed', anomaly: { kind: 'rendered_after_failed' } });
  });
  test('REFUNDED + the original rendered event delivered again → plain duplicate, no anomaly', () => {
    expect(decide(settlementEvent('rendered', { eventId: 'r-1' }), refunded, 8)).toMatchObject({ outcome: 'duplicate', sameEvent: true });
    expect(decide(settlementEvent('rendered', { eventId: 'r-1' }), refunded, 8)).not.toHaveProperty('anomaly');
  });
  describe.each([['DEBITED', debited], ['REFUNDED', refunded], ['NO_CHARGE', noCharge]] as const)('%s + conflicting content', (_, job) => {
    test.each(['rendered', 'failed'] as const)('%s event for another user → no change, conflicting_duplicate', (kind) => {
      const decision = decide(settlementEvent(kind, { userId: 'user-2' }), job, 8);
      expect(decision).toMatchObject({ action: 'none', outcome: 'conflicting_duplicate', anomaly: { kind: 'conflicting_duplicate' } });
    });
  });
  test.each(['rendered', 'failed'] as const)('DEBITED at 8 + %s event quoting 9 credits → conflicting_duplicate', (kind) => {
    expect(decide(settlementEvent(kind, { quotedCredits: 9 }), debited, 9)).toMatchObject({ outcome: 'conflicting_duplicate' });
  });
  test('a quote equal to what was charged is not a conflict', () => {
    expect(decide(settlementEvent('failed', { quotedCredits: 8 }), debited, 8)).toEqual({ action: 'refund', credits: 8 });
  });
  test('NO_CHARGE settled with a quote of 5 + failed event quoting 6 → conflicting_duplicate', () => {
    expect(decide(settlementEvent('failed', { quotedCredits: 6 }), { ...noCharge, quotedCredits: 5 }, 0)).toMatchObject({ outcome: 'conflicting_duplicate' });
  });
  test('impossible inputs are refused loudly', () => {
    expect(() => decide(settlementEvent('rendered'), undefined, 1.5)).toThrow(InvariantViolation);
    expect(() => decide(settlementEvent('rendered'), undefined, -1)).toThrow(InvariantViolation);
    expect(() => decide(settlementEvent('failed'), { ...debited, charged: -3 }, 0)).toThrow(InvariantViolation);
  });
});
