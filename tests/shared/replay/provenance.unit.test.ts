/**
 * shared/replay/provenance.ts (pure): a DLQ message is published only when it provably came from this
 * workspace's rules and functions (security review H2, M1). Each genuine fixture passes; each way of
 * forging one fails, with a reason naming what did not match.
 */
import { recogniseMessage, type RecognisedMessage } from '../../../shared/dlq/message-shapes';
import { busNameOf, checkProvenance, expectedOrigin } from '../../../shared/replay/provenance';
import type { DlqMessage } from '../../../shared/replay/types';
import { DEFAULT_SCOPE, fixtureMessage, fixtureNames, loadFixture } from '../../support/replay-stack';

const origin = expectedOrigin('prod', 'cc-reconciler-events-prod', DEFAULT_SCOPE);
const ACCOUNT = DEFAULT_SCOPE.accountId;
const RENDERED_RULE = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/cc-reconciler-events-prod/cc-reconciler-video-rendered-prod`;
const FAILED_RULE = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/cc-reconciler-events-prod/cc-reconciler-video-failed-prod`;
const DEBIT_LIVE = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:cc-agent-reconciler-debit-prod:live`;
const REFUND_LIVE = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:cc-agent-reconciler-refund-prod:live`;
const DEBIT_SESSION = 'AROAEXAMPLEDEBITROLE1:cc-agent-reconciler-debit-prod';
const REFUND_SESSION = 'AROAEXAMPLEREFUNDROL1:cc-agent-reconciler-refund-prod';

function judge(message: DlqMessage) {
  const recognition = recogniseMessage(message);
  expect(recognition.recognised).toBe(true);
  return checkProvenance(message, recognition as RecognisedMessage, origin);
}
const problemOf = (message: DlqMessage) => {
  const p = judge(message);
  return p.verified ? undefined : p.problem;
};
/** A fixture's message with some of its parts replaced. */
function variant(
  name: string,
  change: { attributes?: Record<string, string | undefined>; senderId?: string | null; body?: (b: any) => void },
): DlqMessage {
  const m = fixtureMessage(loadFixture(name));
  const attributes = { ...m.attributes };
  for (const [k, v] of Object.entries(change.attributes ?? {})) {
    if (v === undefined) delete attributes[k];
    else attributes[k] = v;
  }
  const body = JSON.parse(m.body);
  change.body?.(body);
  const { senderId, ...rest } = m;
  const sender = change.senderId === null ? {} : { senderId: change.senderId ?? senderId };
  return { ...rest, attributes, body: JSON.stringify(body), ...sender };
}

test("the expected origin: both event rules on the workspace's bus, targets and functions on their live alias", () => {
  expect(origin.rules).toEqual([
    { name: 'cc-reconciler-video-rendered-prod', arn: RENDERED_RULE, target: 'debit', targetArn: DEBIT_LIVE },
    { name: 'cc-reconciler-video-failed-prod', arn: FAILED_RULE, target: 'refund', targetArn: REFUND_LIVE },
  ]);
  expect(origin.functions).toEqual({
    debit: { name: 'cc-agent-reconciler-debit-prod', liveArn: DEBIT_LIVE },
    refund: { name: 'cc-agent-reconciler-refund-prod', liveArn: REFUND_LIVE },
  });
  // The bus may be given as an ARN (EVENT_BUS_NAME accepts both).
  expect(
    expectedOrigin('prod', `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/cc-reconciler-events-prod`, DEFAULT_SCOPE),
  ).toEqual(origin);
  expect(busNameOf('default')).toBe('default');
});

test.each(fixtureNames().filter((n) => loadFixture(n).shape !== null))('the genuine fixture %s is verified', (name) => {
  expect(judge(fixtureMessage(loadFixture(name)))).toEqual({ verified: true });
});

describe('EventBridge target DLQ: RULE_ARN one of our two rules, TARGET_ARN its live alias', () => {
  test.each([
    ['no RULE_ARN at all', { RULE_ARN: undefined }, /^RULE_ARN missing is not one of this workspace's event rules/],
    [
      "the sweep schedule's rule (its failures are not ours)",
      { RULE_ARN: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/cc-reconciler-sweep-schedule-prod` },
      /RULE_ARN "arn:.*sweep-schedule-prod" is not one/,
    ],
    [
      "another workspace's rule",
      { RULE_ARN: RENDERED_RULE.replace(/prod/g, 'staging') },
      /is not one of this workspace's event rules/,
    ],
    [
      'our rule name on the default bus',
      { RULE_ARN: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/cc-reconciler-video-rendered-prod` },
      /is not one/,
    ],
    ['our rule in another account', { RULE_ARN: RENDERED_RULE.replace(ACCOUNT, '999999999999') }, /is not one/],
    ['our rule in another region', { RULE_ARN: RENDERED_RULE.replace('eu-west-1', 'us-east-1') }, /is not one/],
    ['our rule with a trailing space', { RULE_ARN: `${RENDERED_RULE} ` }, /is not one/],
    [
      'the right rule, the other function',
      { TARGET_ARN: REFUND_LIVE },
      /^TARGET_ARN ".*refund-prod:live" is not .*debit-prod:live, the target of cc-reconciler-video-rendered-prod$/,
    ],
    ['the right rule, $LATEST', { TARGET_ARN: DEBIT_LIVE.replace(':live', ':$LATEST') }, /^TARGET_ARN/],
    ['the right rule, the unqualified function', { TARGET_ARN: DEBIT_LIVE.replace(':live', '') }, /^TARGET_ARN/],
    ['the right rule, no TARGET_ARN', { TARGET_ARN: undefined }, /^TARGET_ARN missing/],
  ])('%s is unverified', (_, attributes, why) => {
    expect(problemOf(variant('eventbridge-target-dlq', { attributes }))).toMatch(why);
  });

  test("the other rule with its own target is genuine too; SenderId is not looked at (EventBridge's is undocumented)", () => {
    expect(
      judge(
        variant('eventbridge-target-dlq', {
          attributes: { RULE_ARN: FAILED_RULE, TARGET_ARN: REFUND_LIVE },
          senderId: 'AIDAANYONE',
        }),
      ),
    ).toEqual({ verified: true });
  });
});

describe('Lambda destination record: functionArn our debit or refund live alias, SenderId its role session', () => {
  const withArn = (arn: unknown) => (b: any) => {
    b.requestContext.functionArn = arn;
  };
  test.each([
    ['the unqualified function ARN', withArn(DEBIT_LIVE.replace(':live', ''))],
    ['$LATEST', withArn(DEBIT_LIVE.replace(':live', ':$LATEST'))],
    ['version 7', withArn(DEBIT_LIVE.replace(':live', ':7'))],
    ["another workspace's debit", withArn(DEBIT_LIVE.replace(/prod/g, 'staging'))],
    ['our replay-dlq function', withArn(DEBIT_LIVE.replace('debit', 'replay-dlq'))],
    ['another account', withArn(DEBIT_LIVE.replace(ACCOUNT, '999999999999'))],
    [
      'no functionArn',
      (b: any) => {
        delete b.requestContext.functionArn;
      },
    ],
    ['a functionArn that is not text', withArn(42)],
  ])('%s is unverified', (_, body) => {
    expect(problemOf(variant('lambda-destination', { body }))).toMatch(
      /^requestContext\.functionArn .* is not this workspace's debit or refund function/,
    );
  });

  test.each([
    ["the other function's role session", REFUND_SESSION],
    ['an IAM user', 'AIDAEXAMPLEUSER00001'],
    ['a federated user named like the function', `${ACCOUNT}:cc-agent-reconciler-debit-prod`],
    ['a session of a longer name', 'AROAEXAMPLE:cc-agent-reconciler-debit-prod-evil'],
    ['a session with a colon in its name', 'AROAEXAMPLE:x:cc-agent-reconciler-debit-prod'],
  ])('our function ARN sent by %s is unverified', (_, senderId) => {
    expect(problemOf(variant('lambda-destination', { senderId }))).toMatch(
      /^SenderId ".*" is not a role session of cc-agent-reconciler-debit-prod \(AROA…:<function name>\)$/,
    );
  });

  test("the function's own role session, or no SenderId reported, is verified", () => {
    expect(judge(variant('lambda-destination', { senderId: DEBIT_SESSION }))).toEqual({ verified: true });
    expect(judge(variant('lambda-destination', { senderId: null }))).toEqual({ verified: true });
    expect(judge(variant('lambda-destination', { body: withArn(REFUND_LIVE), senderId: REFUND_SESSION }))).toEqual({
      verified: true,
    });
  });
});

describe('Lambda function DLQ: SenderId a debit or refund role session', () => {
  test.each([
    ['debit', DEBIT_SESSION],
    ['refund', REFUND_SESSION],
  ])("sent by %s's role: verified", (_, senderId) => {
    expect(judge(variant('lambda-dlq', { senderId }))).toEqual({ verified: true });
  });
  test('no SenderId reported: nothing to check', () => {
    expect(judge(variant('lambda-dlq', { senderId: null }))).toEqual({ verified: true });
  });
  test.each([
    ['an outsider', 'AIDAOUTSIDER0000001'],
    ["the sweep's role", 'AROAEXAMPLESWEEP0001:cc-agent-reconciler-sweep-prod'],
    ["another workspace's debit role", 'AROAEXAMPLE:cc-agent-reconciler-debit-staging'],
  ])('sent by %s: unverified', (_, senderId) => {
    expect(problemOf(variant('lambda-dlq', { senderId }))).toMatch(
      /is not a role session of cc-agent-reconciler-debit-prod or cc-agent-reconciler-refund-prod/,
    );
  });
});

describe("the reconciler's own refused-event message: reconciler-handler debit or refund, sent by that function", () => {
  test.each([
    ['sweep', /^reconciler-handler "sweep" is not debit or refund/],
    ['replay-dlq', /^reconciler-handler "replay-dlq" is not debit or refund/],
    [undefined, /^reconciler-handler missing is not debit or refund/],
  ])('handler %s is unverified', (handler, why) => {
    expect(problemOf(variant('reconciler-invalid', { attributes: { 'reconciler-handler': handler } }))).toMatch(why);
  });

  test.each([
    ['from an outside sender', 'AIDAOUTSIDER0000001'],
    ['from the debit role while it says refund wrote it', DEBIT_SESSION],
  ])('our own shape %s is unverified', (_, senderId) => {
    expect(problemOf(variant('reconciler-invalid', { senderId }))).toMatch(
      /^SenderId ".*" is not a role session of cc-agent-reconciler-refund-prod/,
    );
  });

  test('from the refund role, or with no SenderId reported, it is verified', () => {
    expect(judge(variant('reconciler-invalid', { senderId: REFUND_SESSION }))).toEqual({ verified: true });
    expect(judge(variant('reconciler-invalid', { senderId: null }))).toEqual({ verified: true });
  });
});

test('claims are compared exactly as written: nothing is trimmed, decoded or case-folded', () => {
  expect(
    problemOf(variant('eventbridge-target-dlq', { attributes: { RULE_ARN: RENDERED_RULE.toUpperCase() } })),
  ).toMatch(/is not one/);
  expect(problemOf(variant('reconciler-invalid', { attributes: { 'reconciler-handler': 'Refund' } }))).toMatch(
    /is not debit or refund/,
  );
  // A long forged value is quoted bounded in the reason.
  expect(
    problemOf(variant('eventbridge-target-dlq', { attributes: { RULE_ARN: 'x'.repeat(5000) } }))!.length,
  ).toBeLessThan(600);
});
