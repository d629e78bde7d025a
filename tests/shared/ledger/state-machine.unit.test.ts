import { decide as decideRecord } from '../../../shared/ledger/state-machine';
import type { HoldRecord, SettledJob, SettlementEvent } from '../../../shared/ledger/types';
import { InvariantViolation } from '../../../shared/errors';
import { settlementEvent } from '../../support/events';

const debited: SettledJob = {
  settlement: 'DEBITED',
  settledUserId: 'user-1',
  charged: 8,
  refunded: 0,
  renderedEventId: 'r-1',
};
const refunded: SettledJob = { ...debited, settlement: 'REFUNDED', refunded: 8, failedEventId: 'f-1' };
const noCharge: SettledJob = {
  settlement: 'NO_CHARGE',
  settledUserId: 'user-1',
  charged: 0,
  refunded: 0,
  failedEventId: 'f-1',
};

const NOW = '2026-06-01T12:00:00.000Z';
/** The settled rows: the job's record is its settlement alone. */
const decide = (event: SettlementEvent, job: SettledJob | undefined, price: number) =>
  decideRecord(event, job ? { settled: job } : undefined, price, NOW);

describe('the settlement state machine (docs/design.md#2-money-rules), row by row', () => {
  test('none + rendered → debit the price', () => {
    expect(decide(settlementEvent('rendered'), undefined, 8)).toEqual({ action: 'debit', credits: 8 });
  });
  test('none + failed → NO_CHARGE, no money moves', () => {
    expect(decide(settlementEvent('failed'), undefined, 0)).toEqual({ action: 'no_charge' });
  });
  test("DEBITED + failed → refund exactly what was charged, not today's price", () => {
    expect(decide(settlementEvent('failed'), debited, 999)).toEqual({ action: 'refund', credits: 8 });
  });
  test('DEBITED + rendered again (another event id) → duplicate', () => {
    expect(decide(settlementEvent('rendered'), debited, 8)).toMatchObject({
      action: 'none',
      outcome: 'duplicate',
      sameEvent: false,
    });
  });
  test('DEBITED + the very same rendered event → duplicate, recognised as the same event', () => {
    expect(decide(settlementEvent('rendered', { eventId: 'r-1' }), debited, 8)).toMatchObject({
      action: 'none',
      outcome: 'duplicate',
      sameEvent: true,
    });
  });
  test.each([
    ['REFUNDED', refunded],
    ['NO_CHARGE', noCharge],
  ] as const)('%s + failed again → duplicate', (_, job) => {
    expect(decide(settlementEvent('failed'), job, 0)).toMatchObject({ action: 'none', outcome: 'duplicate' });
  });
  test.each([
    ['REFUNDED', refunded],
    ['NO_CHARGE', noCharge],
  ] as const)('%s + rendered → no charge and a rendered_after_failed anomaly', (_, job) => {
    const decision = decide(settlementEvent('rendered'), job, 8);
    expect(decision).toMatchObject({
      action: 'none',
      outcome: 'rendered_after_failed',
      anomaly: { kind: 'rendered_after_failed' },
    });
  });
  test('REFUNDED + the original rendered event delivered again → plain duplicate, no anomaly', () => {
    expect(decide(settlementEvent('rendered', { eventId: 'r-1' }), refunded, 8)).toMatchObject({
      outcome: 'duplicate',
      sameEvent: true,
    });
    expect(decide(settlementEvent('rendered', { eventId: 'r-1' }), refunded, 8)).not.toHaveProperty('anomaly');
  });
  describe.each([
    ['DEBITED', debited],
    ['REFUNDED', refunded],
    ['NO_CHARGE', noCharge],
  ] as const)('%s + conflicting content', (_, job) => {
    test.each(['rendered', 'failed'] as const)(
      '%s event for another user → no change, conflicting_duplicate',
      (kind) => {
        const decision = decide(settlementEvent(kind, { userId: 'user-2' }), job, 8);
        expect(decision).toMatchObject({
          action: 'none',
          outcome: 'conflicting_duplicate',
          anomaly: { kind: 'conflicting_duplicate' },
        });
      },
    );
  });
  test.each(['rendered', 'failed'] as const)(
    'DEBITED at 8 + %s event quoting 9 credits → conflicting_duplicate',
    (kind) => {
      expect(decide(settlementEvent(kind, { quotedCredits: 9 }), debited, 9)).toMatchObject({
        outcome: 'conflicting_duplicate',
      });
    },
  );
  test.each([
    ['another user', { userId: 'user-2' }],
    ['another quote', { quotedCredits: 999 }],
  ])("the settling event's id reused with %s is a conflict, not a duplicate (an id anyone may name)", (_, differs) => {
    for (const [kind, job, id] of [
      ['rendered', debited, 'r-1'],
      ['failed', refunded, 'f-1'],
    ] as const)
      expect(decide(settlementEvent(kind, { eventId: id, ...differs }), job, 8)).toMatchObject({
        outcome: 'conflicting_duplicate',
        sameEvent: false,
        anomaly: { kind: 'conflicting_duplicate' },
      });
  });
  test('a quote equal to what was charged is not a conflict', () => {
    expect(decide(settlementEvent('failed', { quotedCredits: 8 }), debited, 8)).toEqual({
      action: 'refund',
      credits: 8,
    });
  });
  test('NO_CHARGE settled with a quote of 5 + failed event quoting 6 → conflicting_duplicate', () => {
    expect(decide(settlementEvent('failed', { quotedCredits: 6 }), { ...noCharge, quotedCredits: 5 }, 0)).toMatchObject(
      { outcome: 'conflicting_duplicate' },
    );
  });
  test('impossible inputs are refused loudly', () => {
    expect(() => decide(settlementEvent('rendered'), undefined, 1.5)).toThrow(InvariantViolation);
    expect(() => decide(settlementEvent('rendered'), undefined, -1)).toThrow(InvariantViolation);
    expect(() => decide(settlementEvent('failed'), { ...debited, charged: -3 }, 0)).toThrow(InvariantViolation);
  });
});

describe('the hold rows (holds.ts reserves; capture, release and expiry here)', () => {
  const active: HoldRecord = {
    state: 'ACTIVE',
    credits: 10,
    userId: 'user-1',
    expiresAt: '2026-06-01T13:00:00.000Z',
    heldAt: '2026-06-01T11:00:00.000Z',
  };
  const expiredActive: HoldRecord = { ...active, expiresAt: NOW };
  const held = (hold: HoldRecord) => ({ hold });

  test('ACTIVE + rendered → capture: debit the price, the hold CAPTURED and its credits released', () => {
    expect(decideRecord(settlementEvent('rendered'), held(active), 8, NOW)).toEqual({
      action: 'debit',
      credits: 8,
      hold: { from: 'ACTIVE', to: 'CAPTURED', credits: 10, expiry: 'not_expired' },
    });
  });
  test('ACTIVE + rendered above the hold → still charged in full, anomaly capture_over_hold', () => {
    expect(decideRecord(settlementEvent('rendered'), held(active), 12, NOW)).toMatchObject({
      action: 'debit',
      credits: 12,
      hold: { to: 'CAPTURED' },
      anomaly: { kind: 'capture_over_hold' },
    });
  });
  test('ACTIVE + failed → release: NO_CHARGE, the hold RELEASED', () => {
    expect(decideRecord(settlementEvent('failed'), held(active), 0, NOW)).toEqual({
      action: 'no_charge',
      hold: { from: 'ACTIVE', to: 'RELEASED', credits: 10, expiry: 'not_expired' },
    });
  });
  test('ACTIVE at its expiry + rendered → never captured: the hold EXPIRED and a plain debit, flagged', () => {
    expect(decideRecord(settlementEvent('rendered'), held(expiredActive), 8, NOW)).toMatchObject({
      action: 'debit',
      credits: 8,
      hold: { from: 'ACTIVE', to: 'EXPIRED', credits: 10, expiry: 'expired' },
      anomaly: { kind: 'capture_after_expiry' },
    });
  });
  test('ACTIVE at its expiry + failed → the hold EXPIRED, NO_CHARGE', () => {
    expect(decideRecord(settlementEvent('failed'), held(expiredActive), 0, NOW)).toEqual({
      action: 'no_charge',
      hold: { from: 'ACTIVE', to: 'EXPIRED', credits: 10, expiry: 'expired' },
    });
  });
  test.each(['EXPIRED', 'RELEASED'] as const)(
    '%s + rendered → a plain debit that leaves the hold as it is, flagged',
    (state) => {
      expect(decideRecord(settlementEvent('rendered'), held({ ...active, state }), 8, NOW)).toMatchObject({
        action: 'debit',
        credits: 8,
        hold: { from: state, to: state, expiry: 'any' },
        anomaly: { kind: 'capture_after_expiry' },
      });
    },
  );
  test.each(['EXPIRED', 'RELEASED'] as const)('%s + failed → NO_CHARGE', (state) => {
    expect(decideRecord(settlementEvent('failed'), held({ ...active, state }), 0, NOW)).toEqual({
      action: 'no_charge',
      hold: { from: state, to: state, credits: 10, expiry: 'any' },
    });
  });
  test.each(['rendered', 'failed'] as const)(
    'a hold of another user + %s → no change, conflicting_duplicate',
    (kind) => {
      expect(decideRecord(settlementEvent(kind, { userId: 'user-2' }), held(active), 8, NOW)).toMatchObject({
        action: 'none',
        outcome: 'conflicting_duplicate',
      });
    },
  );
  test('a settled job decides by its settlement, whatever its hold was', () => {
    expect(
      decideRecord(settlementEvent('failed'), { settled: debited, hold: { ...active, state: 'CAPTURED' } }, 0, NOW),
    ).toEqual({ action: 'refund', credits: 8 });
  });
  test('a captured hold without a settlement contradicts the books', () => {
    expect(() => decideRecord(settlementEvent('rendered'), held({ ...active, state: 'CAPTURED' }), 8, NOW)).toThrow(
      InvariantViolation,
    );
  });
});
