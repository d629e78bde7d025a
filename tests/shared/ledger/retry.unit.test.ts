import { backoffDelayMs, transientKind, withRetries } from '../../../shared/ledger/retry';
import { TransientError } from '../../../shared/errors';
import { conflictError, lostReplyError, throttlingError } from '../../support/faults';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

const noSleep = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, sleep: async () => undefined, random: () => 0.5 };

describe('retry classification and bounds', () => {
  test('conflicts and throttling did not apply; lost replies may have', () => {
    expect(transientKind(conflictError())).toBe('not_applied');
    expect(transientKind(throttlingError())).toBe('not_applied');
    expect(transientKind(lostReplyError())).toBe('maybe_applied');
    expect(transientKind(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }))).toBe('maybe_applied');
  });
  test('a condition failure is an answer, not a fault', () => {
    const cancelled = new TransactionCanceledException({
      message: 'x',
      $metadata: {},
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
    });
    expect(transientKind(cancelled)).toBeUndefined();
    expect(transientKind(new Error('validation'))).toBeUndefined();
  });
  test('backoff is jittered and capped', () => {
    expect(backoffDelayMs({ ...noSleep, random: () => 0.999 }, 20)).toBeLessThan(100);
    expect(backoffDelayMs({ ...noSleep, random: () => 0 }, 3)).toBe(0);
    expect(backoffDelayMs({ ...noSleep, random: () => 0.5 }, 1)).toBe(10);
  });
  test('gives up after maxAttempts with a TransientError that keeps the cause', async () => {
    let calls = 0;
    const run = withRetries(noSleep, 'op', async () => {
      calls++;
      throw throttlingError();
    });
    await expect(run).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(4);
  });
  test('permanent errors are not retried', async () => {
    let calls = 0;
    await expect(
      withRetries(noSleep, 'op', async () => {
        calls++;
        throw new Error('bad');
      }),
    ).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
  test('reports the attempts it took', async () => {
    let calls = 0;
    const report = await withRetries(noSleep, 'op', async () => {
      if (++calls < 3) throw conflictError();
      return 'ok';
    });
    expect(report).toEqual({ value: 'ok', attempts: 3, maybeAppliedBefore: false });
  });
});

describe('transient classification, case by case', () => {
  test.each([
    ['ProvisionedThroughputExceededException', 'not_applied'],
    ['RequestLimitExceeded', 'not_applied'],
    ['TransactionConflictException', 'not_applied'],
    ['TransactionInProgressException', 'not_applied'],
    ['InternalServerError', 'maybe_applied'],
    ['ServiceUnavailable', 'maybe_applied'],
    ['TimeoutError', 'maybe_applied'],
  ])('%s → %s', (name, kind) => {
    expect(transientKind(Object.assign(new Error('x'), { name }))).toBe(kind);
  });
  test('a network code on the cause counts; 4xx without a known name does not', () => {
    expect(transientKind(Object.assign(new Error('wrapped'), { cause: { code: 'EPIPE' } }))).toBe('maybe_applied');
    expect(
      transientKind(
        Object.assign(new Error('bad request'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBeUndefined();
  });
  test('cancellations: only transient reason codes are retried', () => {
    const cancelled = (codes: (string | undefined)[]) =>
      new TransactionCanceledException({
        message: 'x',
        $metadata: {},
        CancellationReasons: codes.map((Code) => ({ Code })),
      });
    expect(transientKind(cancelled(['ThrottlingError', 'None']))).toBe('not_applied');
    expect(transientKind(cancelled(['ValidationError', 'None']))).toBeUndefined();
    expect(transientKind(cancelled([undefined]))).toBeUndefined();
    expect(transientKind(Object.assign(new Error('x'), { name: 'TransactionCanceledException' }))).toBeUndefined();
  });
  test('non-errors are never transient', () => {
    expect(transientKind('boom')).toBeUndefined();
    expect(transientKind(null)).toBeUndefined();
  });
});
