/**
 * The chaos checker's one allowance for a hold that ended EXPIRED although its job rendered or
 * failed: the job settled only after the hold's expiry (a plain debit, never against the stale
 * hold). Anything else is still a wrong end.
 */
import { settledAfterExpiry } from '../../chaos/check';
import type { DayResult } from '../../sim/run-day';

const result = (times: Record<string, { expiresAt: string; settledAt?: string }>) =>
  ({ holdTimes: new Map(Object.entries(times)) }) as unknown as DayResult;
const EXPIRY = '2026-12-02T10:10:00.000Z';

test('EXPIRED is right for a job settled after its hold expired', () => {
  expect(
    settledAfterExpiry(result({ j: { expiresAt: EXPIRY, settledAt: '2026-12-02T10:10:05.000Z' } }), 'j', 'EXPIRED'),
  ).toBe(true);
});

test('EXPIRED is wrong for a job settled before its expiry, or never settled', () => {
  expect(
    settledAfterExpiry(result({ j: { expiresAt: EXPIRY, settledAt: '2026-12-02T10:09:59.000Z' } }), 'j', 'EXPIRED'),
  ).toBe(false);
  expect(settledAfterExpiry(result({ j: { expiresAt: EXPIRY } }), 'j', 'EXPIRED')).toBe(false);
  expect(settledAfterExpiry(result({}), 'j', 'EXPIRED')).toBe(false);
});

test('the allowance is for EXPIRED only: a released hold of a rendered job stays wrong', () => {
  expect(
    settledAfterExpiry(result({ j: { expiresAt: EXPIRY, settledAt: '2026-12-02T10:11:00.000Z' } }), 'j', 'RELEASED'),
  ).toBe(false);
});
