/**
 * The callers of the local stack, each with its own access key: what IAM principals are in AWS. The
 * local SQS reports a message's SenderId from the key that sent it (as SQS does from the caller's
 * identity), and the local EventBridge's bus policy allows publishers by key. Nothing here is a
 * secret: the local servers only tell the keys apart, they verify no signature.
 *
 * SenderIds follow AWS's forms: an IAM user's unique id (`AIDA…`), or a role session's
 * `AROA…:<session name>`; a Lambda function's execution role session is named after the function,
 * so what a function sends carries `AROA…:<function name>` (not verified without an AWS account).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_LOCAL_CREDENTIALS, type LocalCredentials } from '../shared/aws/clients';

export interface LocalPrincipal {
  /** Who it is, in words (for messages and the demo). */
  label: string;
  credentials: Readonly<LocalCredentials>;
  /** What SQS reports as SenderId for a message this principal sent. */
  senderId: string;
}

const principal = (
  label: string,
  accessKeyId: string,
  senderId: string,
  secretAccessKey = 'local-secret',
): LocalPrincipal => Object.freeze({ label, credentials: { accessKeyId, secretAccessKey }, senderId });

/**
 * The operator's CLI and the replay-dlq function: the clients' default key on loopback, so that
 * `npx reconciler replay-dlq` / `smoke` against the local stack are this principal (in AWS the bus
 * policy allows the replay role and the ops/smoke role, H1).
 */
export const REPLAY = principal(
  'replay (operator CLI, replay-dlq)',
  DEFAULT_LOCAL_CREDENTIALS.accessKeyId,
  'AIDALOCALREPLAY00000',
  DEFAULT_LOCAL_CREDENTIALS.secretAccessKey,
);
/** The video pipeline: the one producer the bus policy lets publish `source: video.generation`. */
export const PRODUCER = principal('producer (video pipeline)', 'LOCALPRODUCER0000001', 'AIDALOCALPRODUCER000');
/** Anyone else in the account: may call the APIs, is not on the bus policy's list. */
export const OUTSIDER = principal('outsider (not on the bus policy)', 'LOCALOUTSIDER0000001', 'AIDALOCALOUTSIDER000');
/**
 * EventBridge itself, writing a target's dead letters. What AWS reports as SenderId for those is not
 * documented, so replay does not check it (it checks RULE_ARN and TARGET_ARN instead).
 */
export const EVENTBRIDGE_SERVICE = principal(
  'EventBridge (target dead letters)',
  'LOCALEVENTBRIDGE0001',
  'AIDALOCALEVENTBRIDGE',
);

const tag = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length).toUpperCase();

/** A function's execution role, as the function (or Lambda on its behalf) uses it: session name = function name. */
export function functionRole(functionName: string): LocalPrincipal {
  return principal(
    `role of ${functionName}`,
    `LOCALROLE${tag(functionName, 11)}`,
    `AROALOCAL${tag(`role:${functionName}`, 12)}:${functionName}`,
  );
}

/** The fixed principals every local stack knows. */
export const BASE_PRINCIPALS: readonly LocalPrincipal[] = Object.freeze([
  REPLAY,
  PRODUCER,
  OUTSIDER,
  EVENTBRIDGE_SERVICE,
]);
