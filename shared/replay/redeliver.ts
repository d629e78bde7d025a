/**
 * Re-delivery: decides, per DLQ message, whether its event goes back on the bus, and puts the ones
 * that do with EventBridge PutEvents. Never deletes anything itself: it says which messages may leave
 * the DLQ (`remove`), and the caller (the drain loop, or Lambda's SQS integration) removes them.
 *
 * Decisions, in order (each states what it requires):
 *   unrecognised shape                       → left_unrecognised
 *   not provably from this workspace         → left_unverified (provenance.ts; never published, never dropped)
 *   invalid under today's schema and pricing → left_invalid (dropped_invalid when the operator named its id)
 *   replay counter already at the maximum    → left_too_many_replays (an automatic drain cannot loop)
 *   otherwise                                → published; replayed iff the bus accepted that entry
 * The published event keeps source, detail-type, detail, resources and time, and carries
 * detail.replay = {count, originalEventId, dlqMessageId}; parseVideoEvent settles it under
 * originalEventId, so a replayed event is recognised as the same event by the ledger.
 *
 * One message never stops a batch (docs/design.md#5-bad-input-and-failures, security review M3): whatever goes wrong while one
 * message is planned becomes that message's `failed` result, and the others go on. Only options that
 * are wrong for the whole batch (a bug in the caller) throw.
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { InvalidEventError, assertInvariant } from '../errors';
import { DLQ_MESSAGE_ID_MAX_LENGTH, isDlqMessageId } from '../events/ids';
import { parseVideoEvent } from '../events/parse-video-event';
import type { PriceBook } from '../pricing';
import { describeFailure, recogniseMessage, type RecognisedMessage } from '../dlq/message-shapes';
import { checkProvenance, type ExpectedOrigin } from './provenance';
import type { DlqMessage, MessageResult } from './types';

/** PutEvents limits (EventBridge quotas): entries per request, and total entry size per request. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
/** The schema caps detail.replay.count at 100; the configurable maximum lives below it. */
export const MAX_REPLAYS_LIMIT = 100;
export const DEFAULT_MAX_REPLAYS = 5;
/** Entry size counts a Time parameter as 14 bytes (EventBridge's documented calculation). */
const TIME_BYTES = 14;

export interface ReplayOptions {
  /** The bus the events go back on (name or ARN). */
  busName: string;
  priceBook: PriceBook;
  /** An event whose replay counter already reached this is left, not re-published. 1..MAX_REPLAYS_LIMIT. */
  maxReplays: number;
  /** Decide and report only: nothing is published and nothing may be removed. */
  dryRun: boolean;
  /**
   * The invalid messages the operator decided to remove, by message id (`--drop-invalid <id>`):
   * never "all", since one run can hold money events next to the junk (security review L8).
   */
  dropInvalidIds: ReadonlySet<string>;
  /** This workspace's rules and functions: only a message that provably came from them is published. */
  origin: ExpectedOrigin;
}

/** What an operator should do with a message of unverified origin. */
export const UNVERIFIED_HINT =
  'do not publish it by hand: find out who wrote it to the DLQ (CloudTrail sqs:SendMessage on the queue, the queue policy), then delete it by hand';

export interface ReplayDeps extends ReplayOptions {
  eventBridge: EventBridgeClient;
}

type Plan =
  | { kind: 'publish'; entry: PutEventsRequestEntry; sizeBytes: number; result: MessageResult }
  | { kind: 'decided'; result: MessageResult };

const utf8Bytes = (value: string | undefined) => (value === undefined ? 0 : Buffer.byteLength(value, 'utf8'));

/** EventBridge's documented PutEventsRequestEntry size (Time 14 bytes; UTF-8 bytes of the rest). */
export function entrySizeBytes(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time ? TIME_BYTES : 0) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + utf8Bytes(r), 0)
  );
}

/** Options that are wrong for every message (a bug in the caller, not a property of a message). */
export function assertReplayOptions(options: ReplayOptions): void {
  assertInvariant(
    Number.isSafeInteger(options.maxReplays) && options.maxReplays >= 1 && options.maxReplays <= MAX_REPLAYS_LIMIT,
    `maxReplays must be 1..${MAX_REPLAYS_LIMIT}, got ${options.maxReplays}`,
  );
}

/** Not a DLQ shape we know (or no event inside): left for a person, with what could be read of it. */
function unrecognisedResult(
  message: DlqMessage,
  recognition: Extract<ReturnType<typeof recogniseMessage>, { recognised: false }>,
): Plan {
  return {
    kind: 'decided',
    result: {
      messageId: message.messageId,
      outcome: 'left_unrecognised',
      remove: false,
      reason: recognition.reason,
      ...(recognition.hint ? { hint: recognition.hint } : {}),
      ...(recognition.eventIds ? { details: recognition.eventIds.map((id) => `event ${id}`) } : {}),
    },
  };
}

/** Invalid under today's schema and prices: left (with what to do), or dropped when named by id. */
function invalidResult(
  message: DlqMessage,
  base: MessageResult,
  event: unknown,
  error: InvalidEventError,
  options: ReplayOptions,
): Plan {
  const outcome = !options.dropInvalidIds.has(message.messageId)
    ? 'left_invalid'
    : options.dryRun
      ? 'would_drop_invalid'
      : 'dropped_invalid';
  return {
    kind: 'decided',
    result: {
      ...base,
      ...eventIdentity(event),
      outcome,
      remove: outcome === 'dropped_invalid',
      reason: error.reason,
      details: error.details,
      ...(outcome === 'left_invalid'
        ? { hint: `fix the producer, or once understood drop it by its id: --drop-invalid ${message.messageId}` }
        : {}),
    },
  };
}

/** The entry that puts the event back on the bus, its replay count one higher. */
function replayEntry(
  message: DlqMessage,
  parsed: ReturnType<typeof parseVideoEvent>,
  replayCount: number,
  busName: string,
): PutEventsRequestEntry {
  const { envelope, event } = parsed;
  const detail = {
    ...envelope.detail,
    replay: { count: replayCount, originalEventId: event.eventId, ...dlqMessageIdOf(message) },
  };
  const time = new Date(envelope.time);
  return {
    Source: envelope.source,
    DetailType: envelope['detail-type'],
    Detail: JSON.stringify(detail),
    ...(envelope.resources && envelope.resources.length > 0 ? { Resources: [...envelope.resources] } : {}),
    ...(Number.isNaN(time.getTime()) ? {} : { Time: time }),
    EventBusName: busName,
  };
}

/** A valid event: replayed (or not, past the replay limit or too large to publish). */
function replayPlan(
  message: DlqMessage,
  base: MessageResult,
  parsed: ReturnType<typeof parseVideoEvent>,
  options: ReplayOptions,
): Plan {
  const { envelope, event } = parsed;
  const previousCount = envelope.detail.replay?.count ?? 0;
  const identity = { originalEventId: event.eventId, jobId: event.jobId, detailType: envelope['detail-type'] };
  if (previousCount >= options.maxReplays) {
    return {
      kind: 'decided',
      result: {
        ...base,
        ...identity,
        outcome: 'left_too_many_replays',
        remove: false,
        replayCount: previousCount,
        reason: `already replayed ${previousCount} time(s); the maximum is ${options.maxReplays}`,
        hint: 'find out why it keeps failing (logs for this eventId) before raising --max-replays',
      },
    };
  }
  const replayCount = previousCount + 1;
  const entry = replayEntry(message, parsed, replayCount, options.busName);
  const sizeBytes = entrySizeBytes(entry);
  const result: MessageResult = { ...base, ...identity, replayCount };
  if (sizeBytes > PUT_EVENTS_MAX_BYTES) {
    return {
      kind: 'decided',
      result: {
        ...result,
        outcome: 'failed',
        reason: `event too large to publish (${sizeBytes} bytes > ${PUT_EVENTS_MAX_BYTES})`,
      },
    };
  }
  if (options.dryRun) return { kind: 'decided', result: { ...result, outcome: 'would_replay' } };
  return { kind: 'publish', entry, sizeBytes, result };
}

/** Decides what to do with one message. Pure (given the price book). */
export function planMessage(message: DlqMessage, options: ReplayOptions): Plan {
  assertReplayOptions(options);
  const recognition = recogniseMessage(message);
  if (!recognition.recognised) return unrecognisedResult(message, recognition);
  const base: MessageResult = {
    messageId: message.messageId,
    shape: recognition.shape,
    outcome: 'failed',
    remove: false,
    failure: describeFailure(recognition.shape, recognition.failure),
  };
  const provenance = checkProvenance(message, recognition, options.origin);
  if (!provenance.verified) return unverifiedResult(message, base, recognition, provenance.problem);
  let parsed: ReturnType<typeof parseVideoEvent>;
  try {
    parsed = parseVideoEvent(recognition.event, options.priceBook);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    return invalidResult(message, base, recognition.event, error, options);
  }
  return replayPlan(message, base, parsed, options);
}

/**
 * Left in the DLQ: what it claims to be is shown (escaped by the CLI), nothing of it is acted on.
 * The SenderId (an IAM unique id: `aws iam list-roles` / `list-users` name its owner) helps find who wrote it.
 */
function unverifiedResult(
  message: DlqMessage,
  base: MessageResult,
  recognition: RecognisedMessage,
  problem: string,
): Plan {
  return {
    kind: 'decided',
    result: {
      ...base,
      ...eventIdentity(recognition.event),
      outcome: 'left_unverified',
      remove: false,
      reason: `unverified origin: ${problem}`,
      details: [
        `sent by ${message.senderId === undefined ? 'a sender SQS did not report' : `SenderId ${message.senderId.slice(0, 200)}`}`,
      ],
      hint: UNVERIFIED_HINT,
    },
  };
}

/**
 * The DLQ message id the replayed event carries, for tracing. It is cut to the schema's bound and
 * left out when it is not an id the schema accepts: a replayed event must never become invalid
 * because of the queue's id (SQS ids are UUIDs, so this only drops ids from elsewhere).
 */
function dlqMessageIdOf(message: DlqMessage): { dlqMessageId?: string } {
  const id = message.messageId.slice(0, DLQ_MESSAGE_ID_MAX_LENGTH);
  return isDlqMessageId(id) ? { dlqMessageId: id } : {};
}

function eventIdentity(event: unknown): Partial<MessageResult> {
  if (typeof event !== 'object' || event === null) return {};
  const e = event as {
    id?: unknown;
    'detail-type'?: unknown;
    detail?: { jobId?: unknown; replay?: { originalEventId?: unknown } };
  };
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 128) : undefined);
  const originalEventId = str(e.detail?.replay?.originalEventId) ?? str(e.id);
  const jobId = str(e.detail?.jobId);
  const detailType = str(e['detail-type']);
  return {
    ...(originalEventId ? { originalEventId } : {}),
    ...(jobId ? { jobId } : {}),
    ...(detailType ? { detailType } : {}),
  };
}

/** Splits publishable plans into PutEvents requests: at most 10 entries and 256 KB each, in order. */
export function chunkForPutEvents<T extends { sizeBytes: number }>(items: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    assertInvariant(item.sizeBytes <= PUT_EVENTS_MAX_BYTES, 'an oversized entry reached chunking');
    if (current.length === PUT_EVENTS_MAX_ENTRIES || bytes + item.sizeBytes > PUT_EVENTS_MAX_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.sizeBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Any thrown value as one line; never throws itself (a thrown null or undefined included). */
function errorText(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  let message: string;
  try {
    message = typeof e.message === 'string' ? e.message : String(error);
  } catch {
    message = 'a value that cannot be converted to text'; // e.g. an object without a prototype
  }
  return `${name}: ${message.slice(0, 500)}`;
}

/** Publishes one chunk; every entry comes back accepted (with its new id) or failed (with the reason). */
async function publishChunk(
  eventBridge: EventBridgeClient,
  chunk: Extract<Plan, { kind: 'publish' }>[],
): Promise<MessageResult[]> {
  let entries: PutEventsResultEntry[];
  try {
    const response = await eventBridge.send(new PutEventsCommand({ Entries: chunk.map((p) => p.entry) }));
    entries = response.Entries ?? [];
  } catch (error) {
    // The whole request failed: nothing in it is known to be accepted, so everything stays.
    return chunk.map((p) => ({
      ...p.result,
      outcome: 'failed',
      remove: false,
      reason: `PutEvents failed: ${errorText(error)}`,
    }));
  }
  return chunk.map((p, i) => {
    const answer = entries[i];
    if (answer?.EventId && !answer.ErrorCode)
      return { ...p.result, outcome: 'replayed', remove: true, newEventId: answer.EventId };
    const reason = answer?.ErrorCode
      ? `${answer.ErrorCode}: ${answer.ErrorMessage ?? 'no message'}`
      : 'PutEvents returned no entry for it';
    return { ...p.result, outcome: 'failed', remove: false, reason: `the bus refused it (${reason})` };
  });
}

/** What can still be said about a message whose planning threw: its shape and event identity, if they can be read. */
function identityOf(message: DlqMessage): Partial<MessageResult> {
  try {
    const recognition = recogniseMessage(message);
    return recognition.recognised ? { shape: recognition.shape, ...eventIdentity(recognition.event) } : {};
  } catch {
    return {};
  }
}

/**
 * planMessage for one message of a batch: an error while planning it (a value too deep to
 * stringify, a corrupt price book, a bug that only this message reaches) becomes its own `failed`
 * result, left in the DLQ with the reason, so that the rest of the batch is still replayed.
 */
function planInIsolation(message: DlqMessage, options: ReplayOptions): Plan {
  try {
    return planMessage(message, options);
  } catch (error) {
    return {
      kind: 'decided',
      result: {
        messageId: message.messageId,
        ...identityOf(message),
        outcome: 'failed',
        remove: false,
        reason: `could not be planned (${errorText(error)})`,
        hint: 'it stays in the DLQ; look at it with `aws sqs receive-message` and report the error: replaying again will fail the same way',
      },
    };
  }
}

/**
 * Decides and (unless dry-run) publishes a batch of DLQ messages. Results come back in input order,
 * one per message. Throws only on a bug that concerns the whole batch (its options, or a result that
 * breaks the removal rules); anything else, AWS errors included, becomes that message's `failed` result.
 */
export async function replayMessages(messages: readonly DlqMessage[], deps: ReplayDeps): Promise<MessageResult[]> {
  assertReplayOptions(deps);
  const plans = messages.map((m) => planInIsolation(m, deps));
  const results: (MessageResult | undefined)[] = plans.map((p) => (p.kind === 'decided' ? p.result : undefined));
  const toPublish = plans
    .map((plan, index) => ({ plan, index, sizeBytes: plan.kind === 'publish' ? plan.sizeBytes : 0 }))
    .filter(
      (item): item is { plan: Extract<Plan, { kind: 'publish' }>; index: number; sizeBytes: number } =>
        item.plan.kind === 'publish',
    );
  for (const chunk of chunkForPutEvents(toPublish)) {
    const published = await publishChunk(
      deps.eventBridge,
      chunk.map((c) => c.plan),
    );
    chunk.forEach((c, i) => {
      results[c.index] = published[i];
    });
  }
  return results.map((r, i) => {
    assertInvariant(r !== undefined, `no result for message ${messages[i]?.messageId}`);
    assertInvariant(
      !r.remove || r.outcome === 'replayed' || r.outcome === 'dropped_invalid',
      `message ${r.messageId} marked removable with outcome ${r.outcome}`,
    );
    assertInvariant(!(deps.dryRun && r.remove), 'a dry run marked a message removable');
    return r;
  });
}
