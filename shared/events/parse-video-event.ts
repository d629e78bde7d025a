/**
 * Turns whatever the platform delivered into a SettlementEvent, or throws InvalidEventError with a
 * reason a person can act on. Validation is the precompiled JSON Schema (docs/design.md#4-events); unknown extra
 * fields are allowed (bounded in depth and size by the schema) and ignored.
 *
 * What the SettlementEvent carries is inert: ids and the model match the alphabets of ./ids.ts (the
 * schema checks them), and free text (`reason`) has its control characters stripped here.
 */
import type { ErrorObject } from 'ajv';
import { InvalidEventError } from '../errors';
import type { EventKind, SettlementEvent } from '../ledger/types';
import { priceOf, type PriceBook } from '../pricing';
import { printable, stripControlCharacters } from '../text/printable';
import { firstNotCarriedInJson } from '../text/sqs-text';
import { schemaMessage } from './schema-messages';
import validateVideoEvent from './generated/validate-video-event.js';

export const EVENT_SOURCE = 'video.generation';
export const DETAIL_TYPES: Record<EventKind, string> = { rendered: 'video.rendered', failed: 'video.failed' };

/** At most this many schema errors are reported; the rest are counted. */
const MAX_REPORTED_ERRORS = 5;

export interface VideoEnvelope {
  version: string;
  id: string;
  'detail-type': 'video.rendered' | 'video.failed';
  source: string;
  account?: string;
  time: string;
  region?: string;
  resources?: string[];
  detail: {
    jobId: string;
    userId: string;
    seconds: number;
    model: string;
    credits?: number;
    reason?: string;
    /** The credits the producer reserved for this job (its reserve's answer): a hint, checked. */
    hold?: { credits: number };
    replay?: { count: number; originalEventId: string; dlqMessageId?: string };
    [extra: string]: unknown;
  };
}

export interface ParsedVideoEvent {
  envelope: VideoEnvelope;
  event: SettlementEvent;
  /** The price of a rendered job (quote or price book); 0 for failures, which never need one. */
  priceCredits: number;
}

function asObject(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch (error) {
    // The parser's message quotes the input: escaped, so the reason stays inert wherever it is shown.
    throw new InvalidEventError('event is not JSON', [printable((error as Error).message.slice(0, 200))]);
  }
}

/** A property name quoted in a reason is cut to this many characters (names may be 128 long, or longer when wrong). */
const MAX_QUOTED_NAME_CHARS = 40;

/**
 * One schema error as a line: the field's path and what is wrong with it; for a bad property name,
 * the name too (ajv gives only the object's path). Names come from the event: escaped.
 */
function describeSchemaError(e: ErrorObject): string {
  const allowed = e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : '';
  const name = e.propertyName ?? (typeof e.params?.propertyName === 'string' ? e.params.propertyName : undefined);
  const quoted =
    name === undefined
      ? ''
      : ` (property "${printable(name.slice(0, MAX_QUOTED_NAME_CHARS))}${name.length > MAX_QUOTED_NAME_CHARS ? '…' : ''}")`;
  return `${printable(e.instancePath || '(root)')} ${schemaMessage(e)}${allowed}${quoted}`;
}

export function validateEnvelope(raw: unknown): VideoEnvelope {
  const candidate = asObject(raw);
  if (!validateVideoEvent(candidate)) {
    // An `if` error only says which branch failed; the branch's own error beside it names the field.
    const errors = (validateVideoEvent.errors ?? []).filter((e) => e.keyword !== 'if');
    const shown = errors.slice(0, MAX_REPORTED_ERRORS).map(describeSchemaError);
    if (errors.length > MAX_REPORTED_ERRORS) shown.push(`and ${errors.length - MAX_REPORTED_ERRORS} more`);
    throw new InvalidEventError('event does not match the video event schema', shown);
  }
  return candidate as VideoEnvelope;
}

/**
 * Where the event holds a character SQS cannot carry (U+FFFE, U+FFFF, a lone surrogate), or
 * undefined. Such an event is refused at the door: were it valid, a failed delivery would have to go
 * through Lambda's or EventBridge's own DLQ write, which SQS would refuse, and the event be lost.
 * (The reconciler's own DLQ message escapes it: shared/dlq/invalid-event.ts.) The schema bounds the
 * depth, so the walk is short.
 */
function notCarriedAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') {
    const char = firstNotCarriedInJson(value);
    return char && `${printable(path || '(root)')} holds ${char}`;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const char = firstNotCarriedInJson(key);
    if (char) return `${printable(path || '(root)')} has a property name holding ${char}`;
    const found = notCarriedAt(item, `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * JSON has a -0, and the schema's `minimum: 0` accepts it; the ledger should only ever see 0.
 * (`-0 + 0` is `+0`; every other number is unchanged.)
 */
const withoutNegativeZero = (credits: number): number => credits + 0;

/**
 * @param expected the kind this handler serves; a misrouted event is invalid here (replay puts it
 *                 back on the bus, whose rules route it correctly).
 */
export function parseVideoEvent(raw: unknown, priceBook: PriceBook, expected?: EventKind): ParsedVideoEvent {
  const envelope = validateEnvelope(raw);
  const notCarried = notCarriedAt(envelope, '');
  if (notCarried) throw new InvalidEventError('event holds a character SQS cannot carry', [notCarried]);
  const kind: EventKind = envelope['detail-type'] === DETAIL_TYPES.rendered ? 'rendered' : 'failed';
  if (expected !== undefined && kind !== expected) {
    throw new InvalidEventError('event delivered to the wrong handler', [
      `${envelope['detail-type']} is not ${DETAIL_TYPES[expected]}`,
    ]);
  }
  const { detail } = envelope;
  const event: SettlementEvent = {
    eventId: detail.replay?.originalEventId ?? envelope.id,
    kind,
    jobId: detail.jobId,
    userId: detail.userId,
    seconds: detail.seconds,
    model: detail.model,
    ...(detail.credits === undefined ? {} : { quotedCredits: withoutNegativeZero(detail.credits) }),
    ...(detail.hold === undefined ? {} : { heldCredits: detail.hold.credits }),
    ...(detail.reason === undefined ? {} : { reason: stripControlCharacters(detail.reason) }),
  };
  const priceCredits = kind === 'rendered' ? priceOf(priceBook, event) : 0;
  return { envelope, event, priceCredits };
}
