/**
 * Lambda's SQS event source, locally: receives a batch from a queue (fauxqs) and shapes it exactly as
 * Lambda hands it to a function (Records[].messageId, receiptHandle, body, attributes,
 * messageAttributes{stringValue, dataType}, eventSource aws:sqs), then deletes what the function did
 * not list in batchItemFailures. Used by tests and the demo to drive functions/replay-dlq.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface LambdaSqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    { stringValue?: string; dataType: string; stringListValues: string[]; binaryListValues: string[] }
  >;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** `queueArn`: the queue the event source mapping reads (Lambda names it in every record). */
export function lambdaSqsRecord(
  message: Message,
  queueArn = 'arn:aws:sqs:us-east-1:123456789012:local-dlq',
  region = queueArn.split(':')[3] ?? 'us-east-1',
): LambdaSqsRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: { ...(message.Attributes ?? {}) } as Record<string, string>,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, v]) => [
        name,
        {
          ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
          dataType: v.DataType ?? 'String',
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export interface PollResult<R> {
  records: LambdaSqsRecord[];
  response: R;
  deleted: string[];
}

/**
 * One poll of the event source mapping: receive up to `batchSize` (≤ 10) messages, invoke, delete the
 * records not reported as failed (ReportBatchItemFailures). A thrown error deletes nothing.
 */
export async function pollQueueOnce<R extends { batchItemFailures?: { itemIdentifier: string }[] }>(
  sqs: SQSClient,
  queueUrl: string,
  handler: (event: { Records: LambdaSqsRecord[] }) => Promise<R>,
  batchSize = 10,
): Promise<PollResult<R> | undefined> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, batchSize),
      WaitTimeSeconds: 1,
      VisibilityTimeout: 30,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return undefined;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const records = Messages.map((m) => lambdaSqsRecord(m, Attributes?.QueueArn));
  const response = await handler({ Records: records });
  const failed = new Set((response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((r, i) => ({ Id: `d${i}`, ReceiptHandle: r.receiptHandle })),
      }),
    );
  }
  return { records, response, deleted: done.map((r) => r.messageId) };
}
