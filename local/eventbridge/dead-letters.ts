/**
 * The dead letters the local EventBridge writes, in AWS's shapes and sent as who sends them in AWS:
 * EventBridge's target DLQ message (the event, with RULE_ARN / TARGET_ARN / ERROR_* attributes), and
 * for a function that failed every attempt Lambda's on-failure destination record or its
 * dead-letter message. A send that fails is counted (InvocationsFailedToBeSentToDLQ / DeadLetterErrors).
 */
import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { BusWorld } from './bus-world';
import type { RuleDefinition } from './rules';
import type { DeliveredEvent, DlqSender, LocalEventBridgeOptions, LocalEventBridgeStats } from './types';

const ERROR_MESSAGE_MAX_BYTES = 1_024;
const str = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || '-' });
const num = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });
const cut = (text: string) => Buffer.from(text, 'utf8').subarray(0, ERROR_MESSAGE_MAX_BYTES).toString('utf8');

export interface DeadLetters {
  /** EventBridge gave up delivering to the rule's target (retries exhausted, or no such function). */
  targetFailed(
    rule: RuleDefinition,
    event: DeliveredEvent,
    failure: { code: string; message: string; attempts: number },
  ): Promise<void>;
  /** Lambda gave up on an asynchronous invocation after `attempts`. */
  invocationFailed(
    target: string,
    event: DeliveredEvent,
    invocation: { requestId: string; attempts: number; error: Error | undefined },
  ): Promise<void>;
}

export function deadLetters(
  world: BusWorld,
  options: Pick<LocalEventBridgeOptions, 'sqs' | 'sqsFor' | 'dlqUrl' | 'lambdaOnFailure'>,
  stats: LocalEventBridgeStats,
): DeadLetters {
  const sqsFor: (sender: DlqSender) => SQSClient = options.sqsFor ?? (() => options.sqs);
  async function send(
    sender: DlqSender,
    body: string,
    attributes?: Record<string, MessageAttributeValue>,
  ): Promise<void> {
    try {
      await sqsFor(sender).send(
        new SendMessageCommand({
          QueueUrl: options.dlqUrl,
          MessageBody: body,
          ...(attributes ? { MessageAttributes: attributes } : {}),
        }),
      );
      stats.sentToDlq += 1;
    } catch {
      stats.failedToSendToDlq += 1;
    }
  }
  return {
    targetFailed: (rule, event, failure) =>
      send({ kind: 'eventbridge' }, JSON.stringify(event), {
        RULE_ARN: str(world.ruleArn(rule)),
        TARGET_ARN: str(world.functionArn(rule.target)),
        ERROR_CODE: str(failure.code),
        ERROR_MESSAGE: str(failure.message),
        EXHAUSTED_RETRY_CONDITION: str('MaximumRetryAttempts'),
        RETRY_ATTEMPTS: num(failure.attempts),
      }),
    invocationFailed: async (target, event, { requestId, attempts, error }) => {
      const errorMessage = error?.message ?? 'unknown error';
      if (options.lambdaOnFailure === 'dead_letter_queue') {
        // Function DLQ: the payload unmodified; RequestID, ErrorCode (3-digit HTTP code), ErrorMessage (≤ 1 KB).
        return send(world.lambdaSender(target), JSON.stringify(event), {
          RequestID: str(requestId),
          ErrorCode: num(200),
          ErrorMessage: str(cut(errorMessage)),
        });
      }
      // On-failure destination: the invocation record (Node.js runtimes report `trace`).
      return send(
        world.lambdaSender(target),
        JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: {
            requestId,
            functionArn: world.functionArn(target),
            condition: 'RetriesExhausted',
            approximateInvokeCount: attempts,
          },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
          responsePayload: {
            errorType: error?.name ?? 'Error',
            errorMessage,
            trace: (error?.stack ?? '').split('\n').slice(0, 10),
          },
        }),
      );
    },
  };
}
