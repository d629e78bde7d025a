/**
 * The reconciler's own DLQ message for an event it refused: the event as body (exactly as received),
 * the reason in message attributes. `reconciler-kind` says which: `invalid_event` (it can never be
 * applied as it is) or `held_event` (valid, but held for a person: a debit beyond the overdraft
 * floor). Replay recognises both by `reconciler-kind`.
 *
 * An event that cannot be turned back into JSON text (nested too deep for JSON.stringify, or not
 * JSON data at all) still reaches the DLQ (security review M3): its body is then a placeholder with a
 * depth-limited, cut preview of the event, and the reason is `unserialisable event`, the original
 * reason following in the details. Throwing instead would fail the invocation, and the platform would
 * retry an event that can never succeed. The same placeholder stands in for an event too large for
 * an SQS message beside its attributes.
 *
 * Characters SQS cannot carry (U+FFFE, U+FFFF, raw control characters or lone surrogates in a text
 * event) are written as `\uXXXX` escapes (shared/text/sqs-text.ts): a JSON body still parses to the
 * event as received.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError, type RefusedEventKind } from '../errors';
import { sqsCarriable } from '../text/sqs-text';

export const INVALID_EVENT_KIND = 'invalid_event';
export const HELD_EVENT_KIND = 'held_event';
export const RECONCILER_KINDS: readonly RefusedEventKind[] = [INVALID_EVENT_KIND, HELD_EVENT_KIND];
export const ATTR = {
  kind: 'reconciler-kind',
  reason: 'reconciler-reason',
  details: 'reconciler-details',
  handler: 'reconciler-handler',
  rejectedAt: 'reconciler-rejected-at',
} as const;

const MAX_ATTRIBUTE_CHARS = 2_000;
/**
 * SQS takes 256 KiB per message, attributes included. Ours are at most 5 × 2,000 UTF-16 units, which
 * is at most 12,000 bytes each once escaped: 32 KiB stays free for them.
 */
const MAX_BODY_BYTES = 256 * 1024 - 32 * 1024;

/** The reason attribute of an event whose body could not be written as it was received. */
export const UNSERIALISABLE_EVENT_REASON = 'unserialisable event';
/** The placeholder body's only key: it is no event, so replay can never publish it. */
export const UNSERIALISABLE_BODY_KEY = 'reconciler-unserialisable-event';
/** The preview keeps this many levels of nesting (deeper values become PREVIEW_ELIDED) … */
const PREVIEW_MAX_DEPTH = 8;
/** … and at most this many characters of its JSON text. */
export const PREVIEW_MAX_CHARS = 16_384;
const PREVIEW_ELIDED = '…';

export interface InvalidEventMessage {
  rawEvent: unknown;
  /** Default `invalid_event`. */
  kind?: RefusedEventKind;
  reason: string;
  details: string[];
  handler: string;
  rejectedAt: Date;
}

/** The DLQ body and the reason attributes it goes with. */
export interface InvalidEventBody {
  body: string;
  reason: string;
  details: string[];
}

function errorLine(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'a value JSON cannot represent';
}

/** A copy of `value` that stops at PREVIEW_MAX_DEPTH levels: always small enough to stringify. */
function depthLimited(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= PREVIEW_MAX_DEPTH) return PREVIEW_ELIDED;
  if (Array.isArray(value)) return value.map((item) => depthLimited(item, depth + 1));
  // fromEntries defines own properties, so a `__proto__` key stays data.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, depthLimited(item, depth + 1)]));
}

function previewText(rawEvent: unknown): string {
  try {
    const text = JSON.stringify(depthLimited(rawEvent)) ?? 'null';
    return text.length > PREVIEW_MAX_CHARS ? `${text.slice(0, PREVIEW_MAX_CHARS)}${PREVIEW_ELIDED}` : text;
  } catch {
    return PREVIEW_ELIDED; // e.g. a getter that throws: nothing of it can be shown
  }
}

const sqsCarriableJson = (value: unknown) => sqsCarriable(JSON.stringify(value));

/** The placeholder: valid JSON, bounded, escaped by JSON.stringify, and never a video event. */
function placeholderBody(rawEvent: unknown, error: unknown): string {
  return sqsCarriableJson({
    [UNSERIALISABLE_BODY_KEY]: { error: errorLine(error).slice(0, 500), preview: previewText(rawEvent) },
  });
}

/**
 * The body for the DLQ: the event as received (text as it came, anything else as JSON, either with
 * the escapes SQS needs), or the placeholder when it cannot be written as JSON or is too large for
 * the DLQ. Never throws.
 */
export function invalidEventBody(rawEvent: unknown, reason: string, details: string[]): InvalidEventBody {
  try {
    const text = typeof rawEvent === 'string' ? rawEvent || '""' : (JSON.stringify(rawEvent) ?? 'null');
    const body = sqsCarriable(text);
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_BODY_BYTES) throw new RangeError(`${bytes} bytes, more than a DLQ message holds`);
    return { body, reason, details };
  } catch (error) {
    return {
      body: placeholderBody(rawEvent, error),
      reason: UNSERIALISABLE_EVENT_REASON,
      details: [
        `${reason}${details.length > 0 ? `: ${details.join('; ')}` : ''}`,
        `the event cannot be kept as it was received (${errorLine(error).slice(0, 200)})`,
      ],
    };
  }
}

/** At most MAX_ATTRIBUTE_CHARS, never ending in half of a surrogate pair (SQS refuses a lone one). */
function cut(value: string): string {
  const head = value.slice(0, MAX_ATTRIBUTE_CHARS);
  return /[\uD800-\uDBFF]$/.test(head) && value.length > head.length ? head.slice(0, -1) : head;
}

/** Sends the message; a failure to send is transient (the platform retries, and nothing is lost). */
export async function sendInvalidEventToDlq(
  sqs: SQSClient,
  dlqUrl: string,
  message: InvalidEventMessage,
): Promise<string | undefined> {
  const text = (value: string) => ({ DataType: 'String', StringValue: sqsCarriable(cut(value)) || '-' });
  const { body, reason, details } = invalidEventBody(message.rawEvent, message.reason, message.details);
  try {
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: body,
        MessageAttributes: {
          [ATTR.kind]: text(message.kind ?? INVALID_EVENT_KIND),
          [ATTR.reason]: text(reason),
          [ATTR.details]: text(details.join('; ') || reason),
          [ATTR.handler]: text(message.handler),
          [ATTR.rejectedAt]: text(message.rejectedAt.toISOString()),
        },
      }),
    );
    return MessageId;
  } catch (error) {
    throw new TransientError(`could not send invalid event to the DLQ: ${(error as Error).message}`, error);
  }
}
