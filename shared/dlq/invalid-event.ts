/**
 * The reconciler's own DLQ message for an event it refused: the event as body (exactly as received),
 * the reason in message attributes. `reconciler-kind` says which: `invalid_event` (it can never be
 * applied as it is) or `held_event` (valid, but held for a person: a debit beyond the overdraft
 * floor). Replay recognises both by `reconciler-kind`.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError, type RefusedEventKind } from '../errors';

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

export interface InvalidEventMessage {
  rawEvent: unknown;
  /** Default `invalid_event`. */
  kind?: RefusedEventKind;
  reason: string;
  details: string[];
  handler: string;
  rejectedAt: Date;
}

export function invalidEventBody(rawEvent: unknown): string {
  if (typeof rawEvent === 'string') return rawEvent.length > 0 ? rawEvent : '""';
  const json = JSON.stringify(rawEvent);
  return json === undefined ? 'null' : json;
}

/** Sends the message; a failure to send is transient (the platform retries, and nothing is lost). */
export async function sendInvalidEventToDlq(sqs: SQSClient, dlqUrl: string, message: InvalidEventMessage): Promise<string | undefined> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, MAX_ATTRIBUTE_CHARS) || '-' });
  try {
    const { MessageId } = await sqs.send(new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: invalidEventBody(message.rawEvent),
      MessageAttributes: {
        [ATTR.kind]: text(message.kind ?? INVALID_EVENT_KIND),
        [ATTR.reason]: text(message.reason),
        [ATTR.details]: text(message.details.join('; ') || message.reason),
        [ATTR.handler]: text(message.handler),
        [ATTR.rejectedAt]: text(message.rejectedAt.toISOString()),
      },
    }));
    return MessageId;
  } catch (error) {
    throw new TransientError(`could not send invalid event to the DLQ: ${(error as Error).message}`, error);
  }
}
