import { settledJobFrom } from '../../../shared/ledger/settlement-item';
import { InvariantViolation } from '../../../shared/errors';

describe('reading a settlement', () => {
  test('carries the quote and the event ids that settled it', () => {
    expect(
      settledJobFrom({
        jobId: 'j',
        settlement: 'REFUNDED',
        settledUserId: 'u',
        charged: 8,
        refunded: 8,
        quotedCredits: 8,
        renderedEventId: 'r',
        failedEventId: 'f',
      }),
    ).toEqual({
      settlement: 'REFUNDED',
      settledUserId: 'u',
      charged: 8,
      refunded: 8,
      quotedCredits: 8,
      renderedEventId: 'r',
      failedEventId: 'f',
    });
  });
  test('ignores event ids of the wrong type and refuses a fractional refund', () => {
    expect(
      settledJobFrom({ jobId: 'j', settlement: 'NO_CHARGE', settledUserId: 'u', renderedEventId: 5 })?.renderedEventId,
    ).toBeUndefined();
    expect(() =>
      settledJobFrom({ jobId: 'j', settlement: 'REFUNDED', settledUserId: 'u', charged: 8, refunded: 0.5 }),
    ).toThrow(InvariantViolation);
  });
  test('a settlement that names no user, or a negative amount, contradicts the books', () => {
    expect(() => settledJobFrom({ jobId: 'j', settlement: 'DEBITED', charged: 5 })).toThrow(/names no user/);
    expect(() => settledJobFrom({ jobId: 'j', settlement: 'DEBITED', settledUserId: '', charged: 5 })).toThrow(
      /names no user/,
    );
    expect(() => settledJobFrom({ jobId: 'j', settlement: 'DEBITED', settledUserId: 'u', charged: -5 })).toThrow(
      /bad charged/,
    );
  });
  test('an item without a settlement is not settled (a hold, the sweep state, nothing yet)', () => {
    expect(settledJobFrom(undefined)).toBeUndefined();
    expect(settledJobFrom({ jobId: 'j' })).toBeUndefined();
  });
});
