/**
 * The vocabulary of DLQ replay (docs/design.md#5-bad-input-and-failures). A DLQ message is reduced to what replay needs, whatever
 * read it (the CLI's ReceiveMessage, or Lambda's SQS event): no AWS SDK or Lambda types here.
 */

/** One message as it sits in the DLQ. */
export interface DlqMessage {
  messageId: string;
  body: string;
  /** Message attributes in string form (a Number attribute is its decimal text). */
  attributes: Readonly<Record<string, string>>;
  /** Present when the message was received from SQS (needed to delete or release it). */
  receiptHandle?: string;
  /** SQS ApproximateReceiveCount, when known. */
  receiveCount?: number;
  /** SQS SenderId (who sent it: `AROA…:<session>` for a role session), when the reader reported it. */
  senderId?: string;
}

/** What happened to one message. `remove` is true exactly when it may leave the DLQ. */
export type ReplayOutcome =
  | 'replayed' // accepted by the bus (and, in a drain, deleted from the DLQ)
  | 'would_replay' // dry run: would be replayed
  | 'dropped_invalid' // invalid, and the operator asked to drop invalid events
  | 'would_drop_invalid' // dry run of the above
  | 'left_invalid' // invalid under today's schema or pricing: left in the DLQ
  | 'left_too_many_replays' // replayed too many times already: left, never looped
  | 'left_unrecognised' // no known shape, or a record that carries no event: left
  | 'left_unverified' // not provably from this workspace's rules and functions: left, never published
  | 'failed'; // the bus (or the DLQ delete) refused it: left, retry later

export const OUTCOMES: readonly ReplayOutcome[] = [
  'replayed',
  'would_replay',
  'dropped_invalid',
  'would_drop_invalid',
  'left_invalid',
  'left_too_many_replays',
  'left_unrecognised',
  'left_unverified',
  'failed',
];

export interface MessageResult {
  messageId: string;
  /** The recognised DLQ shape, when there was one. */
  shape?: string;
  outcome: ReplayOutcome;
  /** True when the message may be deleted from the DLQ (its event was accepted, or it was dropped). */
  remove: boolean;
  /** Why it was left or failed, in words an operator can act on. */
  reason?: string;
  details?: string[];
  /** What to do about it, when there is something specific (e.g. "replay from the archive"). */
  hint?: string;
  /** The original event id (stable across replays) and the event's job, when known. */
  originalEventId?: string;
  jobId?: string;
  detailType?: string;
  /** The replay counter the re-published event carries (1 on the first replay). */
  replayCount?: number;
  /** Why the message went to the DLQ in the first place (error code / condition / reason). */
  failure?: string;
  /** The new EventBridge event id, when the bus accepted it. */
  newEventId?: string;
}

export type ReplaySummary = Record<ReplayOutcome, number> & { seen: number };

export function emptySummary(): ReplaySummary {
  return {
    seen: 0,
    replayed: 0,
    would_replay: 0,
    dropped_invalid: 0,
    would_drop_invalid: 0,
    left_invalid: 0,
    left_too_many_replays: 0,
    left_unrecognised: 0,
    left_unverified: 0,
    failed: 0,
  };
}

export function addToSummary(summary: ReplaySummary, result: MessageResult): void {
  summary.seen += 1;
  summary[result.outcome] += 1;
}

/** Messages that stay in the DLQ after a real run (what makes the exit code non-zero). */
export function leftCount(summary: ReplaySummary): number {
  return (
    summary.left_invalid +
    summary.left_too_many_replays +
    summary.left_unrecognised +
    summary.left_unverified +
    summary.failed
  );
}
