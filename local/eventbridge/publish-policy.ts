/**
 * The bus policy, locally (security review H1): only the listed publishers may put events of
 * `source: video.generation` on the bus. Anyone else's entry is refused with AccessDeniedException,
 * as an explicit deny in a bus's resource-based policy answers, and goes nowhere: no rule sees it.
 *
 * Publishers are told apart by the access key id their request is signed with (local/sigv4.ts); the
 * local stack allows the producer's key and the replay key. In AWS the policy names role ARNs
 * (terraform/, the other half of this change). Whether AWS refuses such an entry alone or the whole
 * PutEvents request is not verified without an AWS account; replay treats both as `failed`.
 */
import { EVENT_SOURCE } from '../../shared/events/parse-video-event';

export interface PublishPolicy {
  /** The source only the allowed publishers may put. */
  source: string;
  /** Access key ids allowed to put it. */
  allowed: ReadonlySet<string>;
}

export function publishPolicy(allowedAccessKeyIds: readonly string[], source: string = EVENT_SOURCE): PublishPolicy {
  return Object.freeze({ source, allowed: new Set(allowedAccessKeyIds) });
}

export interface PolicyRefusal {
  ErrorCode: 'AccessDeniedException';
  ErrorMessage: string;
}

/** The refusal of one entry, or undefined when the policy lets `caller` put it. */
export function refusalOf(
  policy: PublishPolicy | undefined,
  caller: string | undefined,
  source: unknown,
  busArn: string,
): PolicyRefusal | undefined {
  if (!policy || source !== policy.source || (caller !== undefined && policy.allowed.has(caller))) return undefined;
  const who = caller === undefined ? 'an unsigned caller' : `User with access key ${caller}`;
  return {
    ErrorCode: 'AccessDeniedException',
    ErrorMessage: `${who} is not authorized to perform: events:PutEvents on resource: ${busArn} with an explicit deny in a resource-based policy (source ${policy.source})`,
  };
}
