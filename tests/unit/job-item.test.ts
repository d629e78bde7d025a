import { settledJobFrom } from '../../shared/ledger/job-item';
import { InvariantViolation } from '../../shared/errors';

describe('reading a settled job', () => {
  test('carries the quote and the event ids that settled it', () => {
    expect(settledJobFrom({ jobId: 'j', settlement: 'REFUNDED', settledUserId: 'u', charged: 8, refunded: 8, quotedCredits: 8, renderedEventId: 'r', failedEventId: 'f' }))
      .toEqual({ settlement: 'REFUNDED', settledUserId: 'u', charged: 8, refunded: 8, quotedCredits: 8, renderedEventId: 'r', failedEventId: 'f' });
  });
  test('ignores event ids of the wrong type and refuses a fractional refund', () => {
    expect(settledJobFrom({ jobId: 'j', settlement: 'NO_CHARGE', renderedEventId: 5 })?.renderedEventId).toBeUndefined();
    expect(() => settledJobFrom({ jobId: 'j', settlement: 'REFUNDED', charged: 8, refunded: 0.5 })).toThrow(InvariantViolation);
  });
});
