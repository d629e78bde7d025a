/** The errors DynamoDB (or the network) really produces, built with the SDK's own classes. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

export function conflictError(): TransactionCanceledException {
  return new TransactionCanceledException({
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
      { Code: 'None' },
    ],
  });
}

export function throttlingError(): Error {
  return Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });
}

export function lostReplyError(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
