/**
 * The operator's drain: receive from the DLQ, replay (redeliver.ts), delete exactly what the bus
 * accepted, and report. Bounded in every direction: messages per run, receives per run, visibility
 * timeout, rate, and an abort signal (Ctrl-C) checked between batches, so a batch that was received is
 * always finished and no message is ever lost: a message leaves the DLQ only after its event was
 * accepted (or the operator asked to drop it as invalid).
 *
 * In a real run, messages that stay are kept invisible while the run lasts (so they are not counted
 * twice) and made visible again at the end, so that the queue looks as it did, minus what was
 * replayed. A dry run makes each batch visible again as soon as it is decided (L5): it never hides
 * the queue from a real run for longer than a batch. (Receiving still raises each message's
 * ApproximateReceiveCount; nothing can avoid that.)
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { assertInvariant } from '../errors';
import { workspaceNames } from '../naming';
import { replayMessages, type ReplayDeps } from './redeliver';
import {
  addToSummary,
  emptySummary,
  type DlqMessage,
  type MessageResult,
  type ReplayOutcome,
  type ReplaySummary,
} from './types';

/** SQS limits: messages per receive and entries per batch call. */
const SQS_MAX_BATCH = 10;
/** Upper bound on messages per run (`--max`). */
export const MAX_DRAIN_MESSAGES = 1_000_000;
export const DEFAULT_DRAIN_MESSAGES = 10_000;
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 300;
/** Results kept for the report (the summary counts all of them). */
export const MAX_REPORTED_RESULTS = 1_000;

export interface DrainOptions extends ReplayDeps {
  sqs: SQSClient;
  queueUrl: string;
  /** Stop after this many messages. 1..MAX_DRAIN_MESSAGES. */
  maxMessages: number;
  /** How long received messages stay hidden from other readers; longer than the run is best. */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive; an empty receive ends the run. */
  waitTimeSeconds?: number;
  /** Messages per second at most (undefined: as fast as the bus takes them). */
  ratePerSecond?: number;
  signal?: AbortSignal;
  /** Called once per message, in order, as soon as its fate is known. */
  onResult?: (result: MessageResult, summary: ReplaySummary) => void;
}

export type StopReason = 'empty' | 'max_messages' | 'aborted' | 'receive_limit';

/** A message id named by --drop-invalid that this run did not drop: not seen, or not an invalid message. */
export interface UndroppedId {
  messageId: string;
  /** What happened to it instead; absent when the run never saw it. */
  outcome?: ReplayOutcome;
}

export interface DrainReport {
  queueUrl: string;
  busName: string;
  dryRun: boolean;
  summary: ReplaySummary;
  /** The first MAX_REPORTED_RESULTS results, in order. */
  results: MessageResult[];
  resultsTruncated: boolean;
  stoppedBy: StopReason;
  /** Messages made visible again (everything received and not removed; a dry run's after each batch). */
  released: number;
  /** The ids of --drop-invalid that named no invalid message of this run (nothing was dropped for them). */
  undroppedIds: UndroppedId[];
  durationMs: number;
}

const DROPPED: ReadonlySet<ReplayOutcome | undefined> = new Set(['dropped_invalid', 'would_drop_invalid']);

/** The named ids that were not dropped (or, in a dry run, would not be), with what happened to each. */
function undropped(named: ReadonlySet<string>, seen: ReadonlyMap<string, ReplayOutcome>): UndroppedId[] {
  return [...named]
    .filter((id) => !DROPPED.has(seen.get(id)))
    .map((messageId) => {
      const outcome = seen.get(messageId);
      return { messageId, ...(outcome ? { outcome } : {}) };
    });
}

export async function resolveDlqUrl(sqs: SQSClient, workspace: string): Promise<string> {
  const { dlq } = workspaceNames(workspace);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: dlq }));
  assertInvariant(QueueUrl, `GetQueueUrl returned no URL for ${dlq}`);
  return QueueUrl;
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const n = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : 0);
  return {
    visible: n(Attributes.ApproximateNumberOfMessages),
    inFlight: n(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: n(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

/** An SQS ReceiveMessage message as replay sees it. */
export function dlqMessageFromSqs(message: Message): DlqMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  const receiveCount = Number(message.Attributes?.ApproximateReceiveCount);
  const senderId = message.Attributes?.SenderId;
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    attributes,
    ...(message.ReceiptHandle ? { receiptHandle: message.ReceiptHandle } : {}),
    ...(Number.isSafeInteger(receiveCount) ? { receiveCount } : {}),
    ...(senderId ? { senderId } : {}),
  };
}

function sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
  const waitMs = atMs - Date.now();
  if (waitMs <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, waitMs);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Deletes what may leave; returns the ids that could not be deleted, with the reason. */
async function deleteMessages(sqs: SQSClient, queueUrl: string, messages: DlqMessage[]): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  for (const group of chunks(messages, SQS_MAX_BATCH)) {
    const entries = group.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.receiptHandle! }));
    try {
      const response = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      for (const f of response.Failed ?? []) {
        const message = group[Number((f.Id ?? '').slice(1))];
        if (message) failed.set(message.messageId, `${f.Code ?? 'error'}: ${f.Message ?? ''}`);
      }
    } catch (error) {
      for (const m of group) failed.set(m.messageId, (error as Error).message);
    }
  }
  return failed;
}

/** Makes left messages visible again. Best effort: if it fails they reappear after the timeout anyway. */
interface Held {
  messageId: string;
  receiptHandle: string;
}

/** Makes messages visible again; returns, per message id, whether SQS confirmed it. */
async function release(sqs: SQSClient, queueUrl: string, held: Held[]): Promise<Map<string, boolean>> {
  const outcome = new Map<string, boolean>();
  for (const group of chunks(held, SQS_MAX_BATCH)) {
    for (const h of group) outcome.set(h.messageId, false);
    try {
      const response = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((h, i) => ({ Id: `r${i}`, ReceiptHandle: h.receiptHandle, VisibilityTimeout: 0 })),
        }),
      );
      for (const ok of response.Successful ?? []) {
        const h = group[Number((ok.Id ?? '').slice(1))];
        if (h) outcome.set(h.messageId, true);
      }
    } catch {
      // They become visible when the visibility timeout ends; nothing is lost.
    }
  }
  return outcome;
}

/** What a run has decided so far. */
interface RunState {
  summary: ReplaySummary;
  results: MessageResult[];
  /** Every message id this run has decided, with the receipt handle to release when it stayed. */
  decided: Map<string, string | undefined>;
  /** The outcome of every message --drop-invalid named, to report the ids that dropped nothing. */
  named: Map<string, ReplayOutcome>;
  /** Per message made visible again: whether SQS confirmed it (its last release). */
  visibleAgain: Map<string, boolean>;
}

async function releaseHeld(held: Held[], state: RunState, options: DrainOptions): Promise<void> {
  for (const [id, ok] of await release(options.sqs, options.queueUrl, held)) state.visibleAgain.set(id, ok);
}

/** The messages of a receive this run has not decided yet. A seen one keeps its newest handle, so it is released. */
function freshOf(received: readonly DlqMessage[], decided: Map<string, string | undefined>): DlqMessage[] {
  const fresh: DlqMessage[] = [];
  for (const m of received) {
    if (!decided.has(m.messageId)) fresh.push(m);
    // Seen before (its visibility ran out mid-run): keep the newest handle so it is released.
    else if (decided.get(m.messageId) !== undefined && m.receiptHandle) decided.set(m.messageId, m.receiptHandle);
  }
  return fresh;
}

/** Replays one batch, deletes what may leave, and records each result in order. */
async function decideBatch(fresh: DlqMessage[], state: RunState, options: DrainOptions): Promise<void> {
  // Until its fate is known a received message is one to release, should this batch throw.
  for (const m of fresh) state.decided.set(m.messageId, m.receiptHandle);
  const batchResults = await replayMessages(fresh, options);
  const removable = fresh.filter((_, i) => batchResults[i]!.remove);
  const notDeleted =
    options.dryRun || removable.length === 0
      ? new Map<string, string>()
      : await deleteMessages(options.sqs, options.queueUrl, removable);
  fresh.forEach((message, i) => {
    let result = batchResults[i]!;
    const deleteError = notDeleted.get(message.messageId);
    if (deleteError !== undefined) {
      result = {
        ...result,
        outcome: 'failed',
        remove: false,
        reason: `accepted by the bus but not deleted from the DLQ (${deleteError}); replaying it again is harmless`,
      };
    }
    state.decided.set(message.messageId, result.remove ? undefined : message.receiptHandle);
    if (options.dropInvalidIds.has(message.messageId)) state.named.set(message.messageId, result.outcome);
    addToSummary(state.summary, result);
    if (state.results.length < MAX_REPORTED_RESULTS) state.results.push(result);
    options.onResult?.(result, state.summary);
  });
}

/**
 * A dry run hides nothing for longer than it takes to decide a batch (security review L5): what it
 * received is made visible again at once, so a real run (an operator's, the replay-dlq function's)
 * never mistakes the messages a dry run is looking at for an empty queue.
 */
async function releaseNow(received: readonly DlqMessage[], state: RunState, options: DrainOptions): Promise<void> {
  await releaseHeld(
    received.filter((m): m is DlqMessage & Held => m.receiptHandle !== undefined),
    state,
    options,
  );
  for (const m of received) if (state.decided.has(m.messageId)) state.decided.set(m.messageId, undefined);
}

/** A dry run stops after this many receives in a row that brought only messages it had seen (it releases them, so they come back). */
const DRY_RUN_STALE_RECEIVES = 3;

/** Where a drain stands: messages decided, receives made, receives in a row that brought nothing new. */
interface DrainCounters {
  processed: number;
  receives: number;
  staleReceives: number;
}

/** Why the drain stops before its next receive, if it does (waiting first for the rate limit). */
async function stopBeforeReceive(
  options: DrainOptions,
  counters: DrainCounters,
  maxReceives: number,
  startedAt: number,
): Promise<StopReason | undefined> {
  const { signal } = options;
  if (signal?.aborted) return 'aborted';
  if (counters.processed >= options.maxMessages) return 'max_messages';
  if (counters.receives >= maxReceives) return 'receive_limit';
  if (options.ratePerSecond !== undefined) {
    await sleepUntil(startedAt + (counters.processed * 1000) / options.ratePerSecond, signal);
    if (signal?.aborted) return 'aborted';
  }
  return undefined;
}

async function receiveBatch(options: DrainOptions, wanted: number): Promise<DlqMessage[]> {
  const response = await options.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: Math.min(SQS_MAX_BATCH, wanted),
      VisibilityTimeout: options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      WaitTimeSeconds: options.waitTimeSeconds ?? 1,
      MessageAttributeNames: ['All'],
      // SenderId: who wrote the message, which provenance checks (security review H2).
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SenderId'],
    }),
  );
  return (response.Messages ?? []).map(dlqMessageFromSqs);
}

/** Receives and decides batch after batch until a stop reason; the caller releases what stayed. */
async function drainLoop(options: DrainOptions, state: RunState, startedAt: number): Promise<StopReason> {
  const maxReceives = Math.ceil(options.maxMessages / SQS_MAX_BATCH) * 3 + 10;
  const counters: DrainCounters = { processed: 0, receives: 0, staleReceives: 0 };
  for (;;) {
    const stop = await stopBeforeReceive(options, counters, maxReceives, startedAt);
    if (stop) return stop;
    counters.receives += 1;
    const received = await receiveBatch(options, options.maxMessages - counters.processed);
    if (received.length === 0) return 'empty';
    const fresh = freshOf(received, state.decided);
    if (fresh.length > 0) {
      counters.staleReceives = 0;
      await decideBatch(fresh, state, options);
      counters.processed += fresh.length;
    } else counters.staleReceives += 1;
    if (options.dryRun) await releaseNow(received, state, options);
    // Only messages this run already decided came back: everything has been seen once.
    if (counters.staleReceives >= (options.dryRun ? DRY_RUN_STALE_RECEIVES : 1)) return 'empty';
  }
}

export async function drainDlq(options: DrainOptions): Promise<DrainReport> {
  const { queueUrl, maxMessages } = options;
  assertInvariant(
    Number.isSafeInteger(maxMessages) && maxMessages >= 1 && maxMessages <= MAX_DRAIN_MESSAGES,
    `maxMessages must be 1..${MAX_DRAIN_MESSAGES}`,
  );
  assertInvariant(
    options.ratePerSecond === undefined || (options.ratePerSecond > 0 && options.ratePerSecond <= 10_000),
    'ratePerSecond must be in (0, 10000]',
  );
  const startedAt = Date.now();
  const state: RunState = {
    summary: emptySummary(),
    results: [],
    decided: new Map(),
    named: new Map(),
    visibleAgain: new Map(),
  };
  let stoppedBy: StopReason;
  try {
    stoppedBy = await drainLoop(options, state, startedAt);
  } finally {
    // Runs on success, abort and error alike: what stayed becomes visible again.
    const held = [...state.decided]
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([messageId, receiptHandle]) => ({ messageId, receiptHandle }));
    await releaseHeld(held, state, options);
  }
  const { summary, results, named } = state;
  const released = [...state.visibleAgain.values()].filter(Boolean).length;
  return {
    queueUrl,
    busName: options.busName,
    dryRun: options.dryRun,
    summary,
    results,
    resultsTruncated: summary.seen > results.length,
    stoppedBy,
    released,
    undroppedIds: undropped(options.dropInvalidIds, named),
    durationMs: Date.now() - startedAt,
  };
}
