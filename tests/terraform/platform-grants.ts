/**
 * What a handler's role holds for AWS itself rather than for the handler's code: no SDK call in the
 * code sends these, so the recording cannot see them, and the least-privilege comparison allows
 * exactly these (each on the resource it names). Everything else a role holds must be something
 * the recording shows the code sending (tests/terraform/role-needs.json). There is no KMS or X-Ray
 * grant: the tables and queues use AWS-owned keys and tracing is off.
 */
import type { Needed } from '../support/sdk-recorder';

export interface PlatformGrant extends Needed {
  why: string;
}

/** The role's on-failure destination: resolved against the function's module call (`var.on_failure_destination_arn`). */
export const ON_FAILURE_DESTINATION = '${var.on_failure_destination_arn}';

const LOGS: PlatformGrant[] = ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
  action,
  resource: 'log-group:own',
  why: "the Lambda runtime writes the function's logs to its own log group",
}));
const ON_FAILURE: PlatformGrant = {
  action: 'sqs:SendMessage',
  resource: ON_FAILURE_DESTINATION,
  why: "Lambda sends a failed asynchronous invocation to the on-failure destination with the function's role",
};
const EVENT_SOURCE_MAPPING: PlatformGrant[] = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map(
  (action) => ({
    action,
    resource: 'queue:dlq',
    why: "the SQS event source mapping polls and deletes with the function's role (the code never calls SQS)",
  }),
);

export const PLATFORM_GRANTS: Record<string, readonly PlatformGrant[]> = {
  debit: [...LOGS, ON_FAILURE],
  refund: [...LOGS, ON_FAILURE],
  sweep: [...LOGS, ON_FAILURE],
  'replay-dlq': [...LOGS, ON_FAILURE, ...EVENT_SOURCE_MAPPING],
  // Invoked synchronously only: no on-failure destination.
  reserve: [...LOGS],
};
