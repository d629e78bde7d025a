/**
 * Did this DLQ message provably come from this workspace? (docs/design.md#5-bad-input-and-failures, security review H2, M1.)
 * Replay publishes with its own credentials, so whoever can write to the DLQ could otherwise launder
 * any event onto the bus. Pure: the expected origin is derived from the workspace's names
 * (shared/naming.ts), the bus its rules are on, and the region and account of its DLQ.
 *
 * What each shape must show (anything else is left in the DLQ, unverified, never published):
 *
 *   EventBridge target DLQ      RULE_ARN is one of the workspace's two event rules, on its bus, and
 *                               TARGET_ARN is that rule's target: its function's `live` alias.
 *                               SenderId is not checked: what EventBridge writes there is not
 *                               documented.
 *   Lambda destination record   requestContext.functionArn is the debit or refund function's `live`
 *                               alias (Lambda writes the qualified ARN it invoked), and SenderId,
 *                               when reported, is that function's role session.
 *   Lambda function DLQ         it names no function: SenderId, when reported, is the debit or
 *                               refund function's role session.
 *   the reconciler's own        reconciler-handler is debit or refund (the only functions that write
 *   refused-event message       refused events), and SenderId, when reported, is that function's role
 *                               session.
 *
 * A role session's SenderId is `AROA<role id>:<session name>`, and a Lambda's execution role session
 * is named after the function (not verified without an AWS account). SenderId is not reported by
 * emulators that do not know it; AWS reports it on every ReceiveMessage that asks and in every
 * Lambda SQS record. It cannot tell one role from another (a session name is the caller's choice):
 * the queue policy, which lets only these roles and rules write, is what it backs up.
 */
import { LIVE_ALIAS, arns, workspaceNames, type AccountScope } from '../naming';
import type { OriginClaims, RecognisedMessage } from '../dlq/message-shapes';
import type { DlqMessage } from './types';

export type SettlementFunction = 'debit' | 'refund';
const SETTLEMENT_FUNCTIONS: readonly SettlementFunction[] = ['debit', 'refund'];

export interface OriginRule {
  name: string;
  arn: string;
  /** The function the rule invokes, and the ARN its target must name (the `live` alias). */
  target: SettlementFunction;
  targetArn: string;
}

/** What a genuine message of this workspace names. */
export interface ExpectedOrigin {
  workspace: string;
  rules: readonly OriginRule[];
  functions: Readonly<Record<SettlementFunction, { name: string; liveArn: string }>>;
}

export type Provenance = { verified: true } | { verified: false; problem: string };

/** The bus name of an EventBusName that may be given as an ARN. */
export function busNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:events:[^:]*:\d*:event-bus\/(.+)$/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn;
}

export function expectedOrigin(workspace: string, busNameOrArn: string, scope: AccountScope): ExpectedOrigin {
  const names = workspaceNames(workspace);
  const bus = busNameOf(busNameOrArn);
  const functions = Object.fromEntries(
    SETTLEMENT_FUNCTIONS.map((f) => [
      f,
      {
        name: names.functions[f],
        liveArn: arns.function(scope, names.functions[f], LIVE_ALIAS),
      },
    ]),
  ) as ExpectedOrigin['functions'];
  const rules = Object.values(names.rules)
    .filter((rule) => !rule.onDefaultBus)
    .map((rule) => {
      const target = rule.target as SettlementFunction;
      return { name: rule.name, arn: arns.rule(scope, bus, rule.name), target, targetArn: functions[target].liveArn };
    });
  return Object.freeze({ workspace, rules: Object.freeze(rules), functions: Object.freeze(functions) });
}

/** A claimed value as it appears in a reason: quoted, bounded, or `missing`. */
const quoted = (value: string | undefined) => (value === undefined ? 'missing' : JSON.stringify(value.slice(0, 300)));
const unverified = (problem: string): Provenance => ({ verified: false, problem });
const VERIFIED: Provenance = Object.freeze({ verified: true });

/** A role session's SenderId, `AROA<id>:<session>`: the session name, or undefined for any other form. */
function sessionNameOf(senderId: string): string | undefined {
  return /^AROA[A-Z0-9]{1,128}:([^:]{1,64})$/.exec(senderId)?.[1];
}

/** SenderId, when reported, must be a role session named after one of `functions`. */
function checkSender(senderId: string | undefined, functions: readonly string[]): Provenance {
  if (senderId === undefined) return VERIFIED;
  const session = sessionNameOf(senderId);
  if (session !== undefined && functions.includes(session)) return VERIFIED;
  return unverified(
    `SenderId ${quoted(senderId)} is not a role session of ${functions.join(' or ')} (AROA…:<function name>)`,
  );
}

function checkTargetDeadLetter(claims: OriginClaims, origin: ExpectedOrigin): Provenance {
  const rule = origin.rules.find((r) => r.arn === claims.ruleArn);
  if (!rule)
    return unverified(
      `RULE_ARN ${quoted(claims.ruleArn)} is not one of this workspace's event rules (${origin.rules.map((r) => r.arn).join(', ')})`,
    );
  if (claims.targetArn !== rule.targetArn)
    return unverified(`TARGET_ARN ${quoted(claims.targetArn)} is not ${rule.targetArn}, the target of ${rule.name}`);
  return VERIFIED;
}

function checkDestinationRecord(message: DlqMessage, claims: OriginClaims, origin: ExpectedOrigin): Provenance {
  const fn = SETTLEMENT_FUNCTIONS.map((f) => origin.functions[f]).find((f) => f.liveArn === claims.functionArn);
  if (!fn) {
    return unverified(
      `requestContext.functionArn ${quoted(claims.functionArn)} is not this workspace's debit or refund function (${SETTLEMENT_FUNCTIONS.map((f) => origin.functions[f].liveArn).join(', ')})`,
    );
  }
  return checkSender(message.senderId, [fn.name]);
}

function checkReconcilerMessage(message: DlqMessage, claims: OriginClaims, origin: ExpectedOrigin): Provenance {
  const handler = SETTLEMENT_FUNCTIONS.find((f) => f === claims.handler);
  if (!handler)
    return unverified(
      `reconciler-handler ${quoted(claims.handler)} is not debit or refund (the only functions that write refused events)`,
    );
  return checkSender(message.senderId, [origin.functions[handler].name]);
}

/** Whether `message` (recognised as `recognition`) provably came from `origin`'s rules and functions. */
export function checkProvenance(
  message: DlqMessage,
  recognition: RecognisedMessage,
  origin: ExpectedOrigin,
): Provenance {
  switch (recognition.shape) {
    case 'eventbridge_target_dlq':
      return checkTargetDeadLetter(recognition.claims, origin);
    case 'lambda_destination':
      return checkDestinationRecord(message, recognition.claims, origin);
    case 'lambda_dlq':
      return checkSender(
        message.senderId,
        SETTLEMENT_FUNCTIONS.map((f) => origin.functions[f].name),
      );
    case 'reconciler_invalid':
      return checkReconcilerMessage(message, recognition.claims, origin);
  }
}
