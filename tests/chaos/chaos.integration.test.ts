/**
 * The chaos suite at a size that keeps `make test` fast (the big one is `make chaos`): seeded days
 * with every fault the design names, through the real handlers, replay and sweep, then every
 * invariant. And the proof that the checker catches a real bug: a core without its idempotency
 * conditions shows drift, and the minimiser shrinks that failure to a short history.
 */
import { dynamoEndpoint, sqsEndpoint } from '../support/local-aws';
import { describeViolations } from '../../chaos/check';
import { chaosDay, describeHistory, minimise, runChaosDay } from '../../chaos/run-chaos';

const stack = () => ({ dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() });

describe('chaos', () => {
  test.each([11, 12])(
    'seed %i: 400 jobs with every fault → every invariant holds',
    async (seed) => {
      const outcome = await runChaosDay(chaosDay({ seed, jobs: 400, users: 40 }), { stack: stack() });
      if (outcome.violations.length > 0) throw new Error(`seed ${seed}\n${describeViolations(outcome.violations)}`);
      expect(outcome.deliveries).toBeGreaterThan(450);
      // The run really injected what it claims to.
      expect(outcome.faults.conflict + outcome.faults.throttle).toBeGreaterThan(0);
      expect(outcome.faults.lost_reply).toBeGreaterThan(0);
      expect(outcome.faults.poisoned).toBeGreaterThan(0);
      // …and the new hazards are really in the day.
      const jobs = outcome.day.jobs;
      for (const hazard of [
        (j: (typeof jobs)[number]) => j.refundLost,
        (j: (typeof jobs)[number]) => j.forged,
        (j: (typeof jobs)[number]) => j.quote === 0,
        (j: (typeof jobs)[number]) => j.corrupted,
      ]) {
        expect(jobs.filter(hazard).length).toBeGreaterThan(0);
      }
      // …holds too: reserved, refused, sent twice at once, and expired by the sweep.
      expect(outcome.holds).toMatchObject({ held: expect.any(Number), refused: expect.any(Number) });
      for (const count of [
        outcome.holds.held,
        outcome.holds.refused,
        outcome.holds.sentTwice,
        outcome.holds.expiredBySweep,
      ])
        expect(count).toBeGreaterThan(0);
    },
    180_000,
  );

  test('a weakened reserve (its check of available removed) is caught: holds beyond the balance', async () => {
    const day = chaosDay({ seed: 12, jobs: 400, users: 40 });
    const weakened = await runChaosDay(day, { stack: stack(), weakenReserveCheck: true });
    expect(new Set(weakened.violations.map((v) => v.kind)).has('holds_over_balance')).toBe(true);
  }, 180_000);

  test("a weakened core (the refund's check of its debit removed) is caught: a refund beyond its debit", async () => {
    const day = chaosDay({ seed: 11, jobs: 400, users: 40 });
    expect(day.jobs.some((j) => j.corrupted)).toBe(true);
    const weakened = await runChaosDay(day, { stack: stack(), weakenRefundCheck: true });
    const kinds = new Set(weakened.violations.map((v) => v.kind));
    expect(kinds.has('refund_exceeds_debit')).toBe(true);
    expect(kinds.has('unexpected_balance')).toBe(true);
  }, 180_000);

  test('a deliberately broken core (idempotency conditions removed) is caught, and the failure minimised', async () => {
    // Without holds: the minimiser shrinks the delivery history, and reserves happen before it.
    const day = chaosDay({ seed: 5, jobs: 60, users: 6 }, { holdRate: 0 });
    const broken = await runChaosDay(day, { stack: stack(), breakCore: true });
    const kinds = new Set(broken.violations.map((v) => v.kind));
    expect(kinds.has('drift') || kinds.has('unexpected_balance')).toBe(true);

    const minimal = await minimise(day, new Set(['drift']), { stack: stack(), breakCore: true }, 8);
    expect(minimal.batches.length).toBeLessThan(day.batches.length);
    const again = await runChaosDay(minimal, { stack: stack(), breakCore: true });
    expect(again.violations.some((v) => v.kind === 'drift')).toBe(true);
    expect(describeHistory(minimal)).toMatch(/video\.(rendered|failed)/);
  }, 300_000);
});
