/**
 * Recognises every shape of message the reconciler's DLQ can hold (docs/design.md#5-bad-input-and-failures) and extracts the
 * original EventBridge event from it. Pure: no I/O, no clock. The shapes, as AWS documents them:
 *
 * 1. EventBridge rule-target DLQ ("Using dead-letter queues to process undelivered events"): the
 *    body is the event exactly as EventBridge would have delivered it; message attributes RULE_ARN,
 *    TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS.
 * 2. Lambda asynchronous-invocation on-failure destination (SQS): the body is an invocation record
 *    {version, timestamp, requestContext{requestId, functionArn, condition, approximateInvokeCount},
 *    requestPayload (the event), responseContext{statusCode, executedVersion, functionError},
 *    responsePayload{errorMessage, errorType, stackTrace}}.
 * 3. Lambda function dead-letter queue (DeadLetterConfig): the body is the event payload unmodified;
 *    attributes RequestID (String), ErrorCode (Number, 3-digit HTTP code), ErrorMessage (String, ≤ 1 KB).
 * 4. The reconciler's own refused-event message (shared/dlq/invalid-event.ts): the body is the event
 *    as received; attributes reconciler-kind = invalid_event | held_event, reconciler-reason, …
 *
 * A failure record of EventBridge's newer bus type (event-busv2 subscriber DLQ: {version, busArn,
 * subscriberArn, errorCode, …, failedMessages[{eventId, …}]}) carries event ids but no event: it is
 * reported, with the ids, as unrecognised and pointed at the bus archive. So is anything else.
 */
import { ATTR as RECONCILER_ATTR, RECONCILER_KINDS } from './invalid-event';
import type { DlqMessage } from '../replay/types';

export type ShapeName = 'eventbridge_target_dlq' | 'lambda_destination' | 'lambda_dlq' | 'reconciler_invalid';

export const SHAPE_LABEL: Record<ShapeName, string> = {
  eventbridge_target_dlq: 'EventBridge target DLQ message',
  lambda_destination: 'Lambda on-failure destination record',
  lambda_dlq: 'Lambda function dead-letter message',
  reconciler_invalid: 'reconciler invalid-event message',
};

/** Why the message reached the DLQ, as the shape reports it (all optional: AWS may omit any). */
export interface FailureInfo {
  /** ERROR_CODE, ErrorCode, the destination's condition, or reconciler-reason. */
  code?: string;
  message?: string;
  /** RETRY_ATTEMPTS, or approximateInvokeCount. */
  attempts?: number;
  /** EXHAUSTED_RETRY_CONDITION, or the destination's condition. */
  condition?: string;
  /** The rule / target / function / handler that failed. */
  origin?: string;
  requestId?: string;
}

/**
 * Where the message says it came from, exactly as written (untrusted: anyone who can write to the
 * queue writes these). provenance.ts compares them with this workspace's rules and functions.
 */
export interface OriginClaims {
  /** EventBridge target DLQ: RULE_ARN and TARGET_ARN. */
  ruleArn?: string;
  targetArn?: string;
  /** Lambda destination record: requestContext.functionArn. */
  functionArn?: string;
  /** The reconciler's own message: reconciler-handler. */
  handler?: string;
}

export interface RecognisedMessage {
  recognised: true;
  shape: ShapeName;
  /** The original event: a parsed JSON value, or the raw text when the body was not JSON. */
  event: unknown;
  failure: FailureInfo;
  claims: OriginClaims;
}

export interface UnrecognisedMessage {
  recognised: false;
  reason: string;
  hint?: string;
  /** Event ids a failure record names without carrying the events (newer bus type). */
  eventIds?: string[];
}

export type Recognition = RecognisedMessage | UnrecognisedMessage;

/** Bodies larger than this are not parsed (SQS allows 1 MiB; nothing we publish comes close). */
export const MAX_BODY_CHARS = 1_048_576;
/** At most this many event ids are quoted from a failure record. */
const MAX_EVENT_IDS = 100;
/** Text quoted from attributes and payloads is cut to this length. */
const MAX_TEXT_CHARS = 1_024;

export const EVENTBRIDGE_DLQ_ATTRIBUTES = [
  'RULE_ARN',
  'TARGET_ARN',
  'ERROR_CODE',
  'ERROR_MESSAGE',
  'EXHAUSTED_RETRY_CONDITION',
  'RETRY_ATTEMPTS',
] as const;
export const LAMBDA_DLQ_ATTRIBUTES = ['RequestID', 'ErrorCode', 'ErrorMessage'] as const;
/** Destination record conditions that mean "the function never succeeded" (anything but Success). */
const SUCCESS_CONDITION = 'Success';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, MAX_TEXT_CHARS) : undefined;
const count = (value: unknown): number | undefined => {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  if (body.length > MAX_BODY_CHARS) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Drops undefined fields so that results compare and print cleanly. */
function compact<T extends object>(info: T): T {
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as T;
}

/** A claim as written, when it is a string (cut only to keep it bounded; never normalised). */
const claim = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.slice(0, MAX_TEXT_CHARS) : undefined;

function recogniseReconcilerInvalid(message: DlqMessage): Recognition {
  const parsed = parseJson(message.body);
  const a = message.attributes;
  return {
    recognised: true,
    shape: 'reconciler_invalid',
    // The reconciler stores the event exactly as received, which may not be JSON at all: keep the text.
    event: parsed.ok ? parsed.value : message.body,
    failure: compact({
      code: text(a[RECONCILER_ATTR.reason]),
      message: text(a[RECONCILER_ATTR.details]),
      origin: text(a[RECONCILER_ATTR.handler]),
    }),
    claims: compact({ handler: claim(a[RECONCILER_ATTR.handler]) }),
  };
}

function recogniseBodyIsEvent(
  message: DlqMessage,
  shape: 'eventbridge_target_dlq' | 'lambda_dlq',
  failure: FailureInfo,
  claims: OriginClaims = {},
): Recognition {
  const parsed = parseJson(message.body);
  if (!parsed.ok || !isObject(parsed.value)) {
    return {
      recognised: false,
      reason: `${SHAPE_LABEL[shape]} whose body is not a JSON event`,
      hint: 'inspect it with `aws sqs receive-message`; it cannot be replayed',
    };
  }
  return { recognised: true, shape, event: parsed.value, failure: compact(failure), claims: compact(claims) };
}

function recogniseDestinationRecord(record: Json): Recognition {
  const context = record.requestContext as Json;
  const condition = text(context.condition);
  if (condition === SUCCESS_CONDITION) {
    return {
      recognised: false,
      reason: 'a Lambda on-success destination record (the invocation succeeded)',
      hint: 'the on-success destination should not point at the DLQ; delete the message by hand',
    };
  }
  const response = isObject(record.responsePayload) ? record.responsePayload : {};
  const responseContext = isObject(record.responseContext) ? record.responseContext : {};
  const errorType = text(response.errorType) ?? text(responseContext.functionError);
  return {
    recognised: true,
    shape: 'lambda_destination',
    event: record.requestPayload,
    failure: compact({
      code: errorType,
      message:
        text(response.errorMessage) ??
        (typeof record.responsePayload === 'string' ? text(record.responsePayload) : undefined),
      attempts: count(context.approximateInvokeCount),
      condition,
      origin: text(context.functionArn),
      requestId: text(context.requestId),
    }),
    claims: compact({ functionArn: claim(context.functionArn) }),
  };
}

function isDestinationRecord(value: unknown): value is Json {
  return (
    isObject(value) && isObject(value.requestContext) && 'requestPayload' in value && typeof value.version === 'string'
  );
}

function isBusFailureRecord(value: unknown): value is Json & { failedMessages: unknown[] } {
  return isObject(value) && typeof value.busArn === 'string' && Array.isArray(value.failedMessages);
}

export function recogniseMessage(message: DlqMessage): Recognition {
  const a = message.attributes;

  if ((RECONCILER_KINDS as readonly string[]).includes(a[RECONCILER_ATTR.kind] ?? ''))
    return recogniseReconcilerInvalid(message);

  if (EVENTBRIDGE_DLQ_ATTRIBUTES.some((name) => a[name] !== undefined)) {
    return recogniseBodyIsEvent(
      message,
      'eventbridge_target_dlq',
      {
        code: text(a.ERROR_CODE),
        message: text(a.ERROR_MESSAGE),
        attempts: count(a.RETRY_ATTEMPTS),
        condition: text(a.EXHAUSTED_RETRY_CONDITION),
        origin: text(a.TARGET_ARN) ?? text(a.RULE_ARN),
      },
      { ruleArn: claim(a.RULE_ARN), targetArn: claim(a.TARGET_ARN) },
    );
  }

  if (a.RequestID !== undefined && (a.ErrorCode !== undefined || a.ErrorMessage !== undefined)) {
    return recogniseBodyIsEvent(message, 'lambda_dlq', {
      code: text(a.ErrorCode),
      message: text(a.ErrorMessage),
      requestId: text(a.RequestID),
    });
  }

  const parsed = parseJson(message.body);
  if (!parsed.ok) {
    return {
      recognised: false,
      reason:
        message.body.length > MAX_BODY_CHARS
          ? `body larger than ${MAX_BODY_CHARS} characters`
          : 'body is not JSON and carries no known DLQ attributes',
    };
  }
  if (isDestinationRecord(parsed.value)) return recogniseDestinationRecord(parsed.value);
  if (isBusFailureRecord(parsed.value)) {
    const eventIds = parsed.value.failedMessages
      .map((m) => (isObject(m) ? text(m.eventId) : undefined))
      .filter((id): id is string => id !== undefined)
      .slice(0, MAX_EVENT_IDS);
    return {
      recognised: false,
      reason: `an EventBridge bus failure record (${text(parsed.value.errorCode) ?? 'no error code'}): it names ${parsed.value.failedMessages.length} event(s) but carries none`,
      hint: 'replay these event ids from the event bus archive (aws events start-replay), then delete this message by hand',
      eventIds,
    };
  }
  if (isObject(parsed.value) && 'detail-type' in parsed.value && 'detail' in parsed.value) {
    return {
      recognised: false,
      reason: 'a bare event with no DLQ attributes (not written by EventBridge, Lambda or the reconciler)',
      hint: 'if you put it there by hand, publish it to the bus yourself',
    };
  }
  return { recognised: false, reason: 'no known DLQ message shape' };
}

/** One line describing why a recognised message was dead-lettered. */
export function describeFailure(shape: ShapeName, failure: FailureInfo): string {
  const parts = [
    failure.code,
    failure.condition,
    failure.attempts === undefined ? undefined : `${failure.attempts} attempt(s)`,
    failure.message,
  ].filter((p): p is string => p !== undefined);
  return `${SHAPE_LABEL[shape]}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`.slice(0, MAX_TEXT_CHARS);
}
