/**
 * The routing rules and retry policy the local EventBridge applies: the same ones terraform/ declares
 * (terraform/events.tf: rules video.rendered → debit and video.failed → refund on source
 * video.generation; variables.tf: target retry policy and Lambda async retries). tests/replay checks
 * this module against terraform/ so that the two cannot drift apart silently.
 */
import { DETAIL_TYPES, EVENT_SOURCE } from '../../shared/events/parse-video-event';
import type { RuleKey } from '../../shared/naming';

/** An EventBridge event pattern, the subset the reconciler uses: exact values per field, nested objects. */
export interface EventPattern {
  [field: string]: readonly (string | number | boolean | null)[] | EventPattern;
}

export interface RuleDefinition {
  /** The rule's key in shared/naming.ts (its name there comes from the workspace, as in Terraform). */
  key: RuleKey;
  eventPattern: EventPattern;
  /** The handler the rule's target invokes (a key of the targets given to the local bus). */
  target: string;
}

export const RULES: readonly RuleDefinition[] = Object.freeze([
  {
    key: 'video_rendered',
    eventPattern: { source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPES.rendered] },
    target: 'debit',
  },
  {
    key: 'video_failed',
    eventPattern: { source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPES.failed] },
    target: 'refund',
  },
]);

/** Terraform defaults (variables.tf): EventBridge target retry_policy and Lambda async invoke config. */
export const RETRY_POLICY = Object.freeze({
  /** aws_cloudwatch_event_target.retry_policy.maximum_retry_attempts (var.eventbridge_retry_attempts). */
  eventBridgeMaxRetryAttempts: 3,
  /** aws_cloudwatch_event_target.retry_policy.maximum_event_age_in_seconds. */
  eventBridgeMaxEventAgeSeconds: 3600,
  /** aws_lambda_function_event_invoke_config.maximum_retry_attempts (var.async_max_retry_attempts). */
  lambdaMaxRetryAttempts: 2,
});

function matchesValue(allowed: EventPattern[string], value: unknown): boolean {
  if (Array.isArray(allowed)) {
    // EventBridge matches an array field when any element matches.
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => allowed.includes(v as string | number | boolean | null));
  }
  if (typeof value !== 'object' || value === null) return false;
  return matchesPattern(allowed as EventPattern, value as Record<string, unknown>);
}

/** True when every field of the pattern matches the event (EventBridge's exact-match semantics). */
export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(
    ([field, allowed]) => Object.prototype.hasOwnProperty.call(event, field) && matchesValue(allowed, event[field]),
  );
}
