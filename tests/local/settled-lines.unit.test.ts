/** make local's terminal line per event: what the handler's answer (or error) came to, nothing raw. */
import type { DeliveredEvent, LocalLambdaContext } from '../../local/eventbridge/types';
import { reportingTarget, settledLine } from '../../local/persistent/settled-lines';

const event = (detail: Record<string, unknown>, detailType = 'video.rendered') =>
  ({ id: 'e-1', source: 'video.generation', 'detail-type': detailType, detail }) as unknown as DeliveredEvent;
const context = {} as LocalLambdaContext;
const rendered = event({ jobId: 'job-7', userId: 'user-42', seconds: 1_200, model: 'gen-pro' });

describe('settledLine', () => {
  test('a settled event: the outcome and grouped credits, who and which job', () => {
    expect(
      settledLine(rendered, {
        response: { status: 'settled', outcome: 'debited', credits: 3_600, alreadyApplied: false },
      }),
    ).toBe('video.rendered user user-42 job job-7: debited 3,600 credits');
  });

  test('a duplicate says so', () => {
    expect(
      settledLine(rendered, {
        response: { status: 'settled', outcome: 'duplicate', credits: 0, alreadyApplied: true },
      }),
    ).toContain('(already applied: a duplicate)');
  });

  test('an invalid or held event names its reason and the DLQ', () => {
    expect(
      settledLine(rendered, {
        response: { status: 'invalid', reason: 'unknown model and no quoted credits', details: [] },
      }),
    ).toBe('video.rendered user user-42 job job-7: invalid (unknown model and no quoted credits) → DLQ');
    expect(
      settledLine(rendered, { response: { status: 'held', reason: 'beyond the overdraft floor', details: [] } }),
    ).toContain('held (beyond the overdraft floor) → DLQ');
  });

  test('a thrown error: the platform retries it', () => {
    expect(
      settledLine(event({ jobId: 'j', userId: 'u' }, 'video.failed'), { error: new Error('ThrottlingException') }),
    ).toBe('video.failed user u job j: failed (ThrottlingException); Lambda retries, then the DLQ');
  });

  test("a producer's control characters never reach the terminal; missing fields show as ?", () => {
    const line = settledLine(event({ jobId: 'j\u001b[2J', userId: 42 }), {
      response: { status: 'settled', outcome: 'debited', credits: 1 },
    });
    expect(line).not.toContain('\u001b');
    expect(line).toContain('user ?');
  });
});

describe('reportingTarget', () => {
  test('prints one line and passes the answer through unchanged', async () => {
    const lines: string[] = [];
    const answer = { status: 'settled', outcome: 'refunded', credits: 5, alreadyApplied: false };
    const wrapped = reportingTarget((line) => lines.push(line))(async () => answer);
    await expect(wrapped(rendered, context)).resolves.toBe(answer);
    expect(lines).toEqual(['video.rendered user user-42 job job-7: refunded 5 credits']);
  });

  test('prints the failure and rethrows the same error (the bus must still see it fail)', async () => {
    const lines: string[] = [];
    const boom = new Error('boom');
    const wrapped = reportingTarget((line) => lines.push(line))(async () => {
      throw boom;
    });
    await expect(wrapped(rendered, context)).rejects.toBe(boom);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('failed (boom)');
  });
});
