/**
 * Reads a Jobs item found on one of the sweep's indexes against the producer contract
 * (docs/contract/producer.md) and says what the sweep should do with it, if the job is not settled yet
 * (the caller looks that up in the reconciler's own Settlements table: whatever reconciler-looking
 * attributes a producer wrote on its job are never read). Pure. A record that breaks the contract
 * is reported, never guessed at and never fatal.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SettlementEvent } from '../ledger/types';
import { sweepEventId } from '../ledger/ids';
import { ID_PATTERN, MODEL_PATTERN } from '../events/ids';
import { MAX_PRICE_CREDITS } from '../pricing';
import { stripControlCharacters } from '../text/printable';

export const TERMINAL_STATUSES = ['rendered', 'failed'] as const;
export const IN_FLIGHT_STATUSES = ['queued', 'rendering'] as const;

const ID = new RegExp(ID_PATTERN);
const MODEL = new RegExp(MODEL_PATTERN);
const ISO_UTC_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const MAX_SECONDS = 86_400;
const MAX_REASON_CHARS = 2_048;

/** The key of an item on the unsettled index: where a page (or a resumed run) starts after it. */
export type IndexKey = Record<string, AttributeValue>;

export type JobVerdict =
  /** Terminal and unsettled: settle it as its (lost) event would have. */
  | { kind: 'settle'; jobId: string; event: SettlementEvent; updatedAt: string }
  /** Not terminal yet and not older than the stuck limit: leave it alone. */
  | { kind: 'in_flight'; jobId: string; updatedAt: string }
  /** Not terminal, and no progress for longer than the stuck limit: report, never settle. */
  | { kind: 'stuck'; jobId: string; userId: string; status: string; updatedAt: string }
  /** Breaks the producer contract: report with the reason. */
  | { kind: 'bad'; jobId: string; problems: string[] };

export const str = (v: AttributeValue | undefined): string | undefined => (v && 'S' in v ? v.S : undefined);
const num = (v: AttributeValue | undefined): number | undefined =>
  v && 'N' in v && v.N !== undefined ? Number(v.N) : undefined;

/**
 * @param stuckBeforeIso  a non-terminal job whose updatedAt sorts before this is stuck
 */
export function judgeJob(item: Record<string, AttributeValue>, stuckBeforeIso: string): JobVerdict {
  const jobId = str(item.jobId) ?? '(no jobId)';
  const problems: string[] = [];
  if (!ID.test(jobId)) problems.push('jobId is not a valid job id');

  const status = str(item.status);
  const updatedAt = str(item.updatedAt) ?? '';
  if (!ISO_UTC_PATTERN.test(updatedAt) || Number.isNaN(Date.parse(updatedAt)))
    problems.push(`updatedAt "${updatedAt.slice(0, 40)}" is not ISO-8601 UTC`);
  const userId = str(item.userId);
  if (userId === undefined) problems.push('userId missing');
  else if (!ID.test(userId)) problems.push('userId is not a valid user id');
  const model = str(item.model);
  if (model === undefined) problems.push('model missing');
  else if (!MODEL.test(model)) problems.push('model is not a valid model name');
  const seconds = num(item.seconds);
  if (seconds === undefined) problems.push('seconds missing (or not a number)');
  else if (!(seconds > 0 && seconds <= MAX_SECONDS))
    problems.push(`seconds ${seconds} out of range (0, ${MAX_SECONDS}]`);
  // -0 is 0: a quote of "-0" is a free job, never a negative price.
  const quoted = num(item.credits);
  const credits = quoted === 0 ? 0 : quoted;
  if (
    item.credits !== undefined &&
    (credits === undefined || !Number.isSafeInteger(credits) || credits < 0 || credits > MAX_PRICE_CREDITS)
  ) {
    problems.push(`credits must be an integer in [0, ${MAX_PRICE_CREDITS}]`);
  }
  const isTerminal = (TERMINAL_STATUSES as readonly string[]).includes(status ?? '');
  const isInFlight = (IN_FLIGHT_STATUSES as readonly string[]).includes(status ?? '');
  if (!isTerminal && !isInFlight)
    problems.push(status === undefined ? 'status missing' : `unknown status "${status.slice(0, 40)}"`);
  if (problems.length > 0) return { kind: 'bad', jobId: jobId.slice(0, 128), problems };

  if (isInFlight) {
    return updatedAt < stuckBeforeIso
      ? { kind: 'stuck', jobId, userId: userId!, status: status!, updatedAt }
      : { kind: 'in_flight', jobId, updatedAt };
  }
  const kind = status === 'rendered' ? 'rendered' : 'failed';
  // Producer-written free text: stripped of control characters like an event's reason.
  const rawReason = str(item.reason);
  const reason = rawReason === undefined ? undefined : stripControlCharacters(rawReason);
  const event: SettlementEvent = {
    eventId: sweepEventId(jobId, kind),
    kind,
    jobId,
    userId: userId!,
    seconds: seconds!,
    model: model!,
    ...(credits === undefined ? {} : { quotedCredits: credits }),
    ...(kind === 'failed'
      ? {
          reason: `settled by the sweep (event never arrived)${reason ? `: ${reason.slice(0, MAX_REASON_CHARS)}` : ''}`,
        }
      : {}),
  };
  return { kind: 'settle', jobId, event, updatedAt };
}

/** The key of an item on an index, for ExclusiveStartKey (table key + the index's key). */
export function indexKeyOf(
  item: Record<string, AttributeValue>,
  shardAttribute: ShardAttribute = 'sweepShard',
): IndexKey {
  const rangeAttribute = shardAttribute === 'holdShard' ? 'holdExpiresAt' : 'updatedAt';
  return { jobId: item.jobId!, [shardAttribute]: item[shardAttribute]!, [rangeAttribute]: item[rangeAttribute]! };
}

/** The shard key of each sweep index: Jobs `unsettled` and `debited`, Settlements `holdsDue`. */
export type ShardAttribute = 'sweepShard' | 'debitedShard' | 'holdShard';
