/** The producer contract as the sweep reads it: pure verdicts, no DynamoDB. */
import { sweepEventId } from '../../../shared/ledger/ids';
import { judgeJob } from '../../../shared/sweep/job-record';
import { utcDays } from '../../../shared/sweep/balance-audit';
import { sweepLimits } from '../../../shared/sweep';

const STUCK_BEFORE = '2026-01-01T06:00:00.000Z';
const item = (fields: Record<string, string | number | undefined>) =>
  Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'number' ? { N: String(v) } : { S: v! }]),
  );
const base = {
  jobId: 'j1',
  userId: 'u1',
  model: 'gen-pro',
  seconds: 10,
  updatedAt: '2026-01-01T08:00:00.000Z',
  sweepShard: '4',
};

test('terminal jobs become the event the producer would have sent, with the sweep event id', () => {
  expect(judgeJob(item({ ...base, status: 'rendered', credits: 42 }), STUCK_BEFORE)).toEqual({
    kind: 'settle',
    jobId: 'j1',
    updatedAt: base.updatedAt,
    event: {
      eventId: sweepEventId('j1', 'rendered'),
      kind: 'rendered',
      jobId: 'j1',
      userId: 'u1',
      seconds: 10,
      model: 'gen-pro',
      quotedCredits: 42,
    },
  });
  const failed = judgeJob(item({ ...base, status: 'failed', reason: 'oom' }), STUCK_BEFORE);
  expect(failed).toMatchObject({ kind: 'settle', event: { kind: 'failed', eventId: sweepEventId('j1', 'failed') } });
  expect(failed.kind === 'settle' && failed.event.reason).toMatch(/sweep.*oom/);
});

test('non-terminal jobs are in flight until the stuck limit, then stuck', () => {
  expect(judgeJob(item({ ...base, status: 'rendering' }), STUCK_BEFORE).kind).toBe('in_flight');
  expect(
    judgeJob(item({ ...base, status: 'queued', updatedAt: '2026-01-01T05:59:59.999Z' }), STUCK_BEFORE),
  ).toMatchObject({ kind: 'stuck', status: 'queued', userId: 'u1' });
});

test('reconciler-looking attributes a producer wrote are never read: the job is judged on its producer facts', () => {
  const forged = judgeJob(
    item({ ...base, status: 'rendered', settlement: 'NO_CHARGE', charged: 0, settledUserId: 'someone-else' }),
    STUCK_BEFORE,
  );
  expect(forged).toEqual(judgeJob(item({ ...base, status: 'rendered' }), STUCK_BEFORE));
  expect(forged).toMatchObject({ kind: 'settle', event: { kind: 'rendered', userId: 'u1' } });
});

test('a quote of -0 is a free job, never a negative price', () => {
  // String(-0) is "0": write the attribute as a producer could, "-0".
  const verdict = judgeJob({ ...item({ ...base, status: 'rendered' }), credits: { N: '-0' } }, STUCK_BEFORE);
  expect(verdict.kind === 'settle' && Object.is(verdict.event.quotedCredits, 0)).toBe(true);
});

test.each([
  [{ userId: undefined }, /userId missing/],
  [{ model: undefined }, /model missing/],
  [{ seconds: undefined }, /seconds missing/],
  [{ seconds: 0 }, /seconds 0 out of range/],
  [{ seconds: 'ten' }, /seconds missing \(or not a number\)/],
  [{ status: 'done' }, /unknown status "done"/],
  [{ status: undefined }, /status missing/],
  [{ credits: 1.5 }, /credits must be an integer/],
  [{ updatedAt: 'yesterday' }, /updatedAt "yesterday" is not ISO-8601 UTC/],
  [{ userId: 'has space' }, /userId is not a valid user id/],
])('a record breaking the contract is bad, with the reason: %j', (change, reason) => {
  const verdict = judgeJob(item({ ...base, status: 'rendered', ...change }), STUCK_BEFORE);
  expect(verdict.kind).toBe('bad');
  expect(verdict.kind === 'bad' && verdict.problems.join('; ')).toMatch(reason);
});

test('audit days span the window inclusively, across month ends', () => {
  expect(utcDays('2026-01-30T23:00:00.000Z', '2026-02-01T00:00:01.000Z')).toEqual([
    '2026-01-30',
    '2026-01-31',
    '2026-02-01',
  ]);
  expect(utcDays('2026-01-30T01:00:00.000Z', '2026-01-30T02:00:00.000Z')).toEqual(['2026-01-30']);
});

test('limits are bounded', () => {
  expect(() => sweepLimits({ concurrency: 0 })).toThrow(/concurrency/);
  expect(() => sweepLimits({ pageSize: 5_000 })).toThrow(/pageSize/);
  expect(sweepLimits({ indexLagSeconds: 0 }).indexLagSeconds).toBe(0);
});

test('a producer-written reason reaches the ledger without control characters', () => {
  const verdict = judgeJob(
    item({ ...base, status: 'failed', reason: 'oom\n  What to do: \u001b[2Jgrant' }),
    STUCK_BEFORE,
  );
  expect(verdict.kind === 'settle' && verdict.event.reason).toBe(
    'settled by the sweep (event never arrived): oom   What to do:  [2Jgrant',
  );
});
