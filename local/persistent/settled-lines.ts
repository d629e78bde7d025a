/**
 * One short terminal line per event a handler settled or refused, so a producer sees its events land
 * without reading the JSON logs (those go to the log file). Wraps the deployed handlers
 * (LocalStackOptions.wrapTarget); what the handler returns or throws passes through unchanged.
 */
import type { DeliveredEvent, TargetHandler } from '../eventbridge/types';
import { grouped } from '../../shared/text/numbers';
import { printable } from '../../shared/text/printable';

function field(event: DeliveredEvent, name: string): string {
  const detail = event.detail as Record<string, unknown> | undefined;
  const value = detail && typeof detail === 'object' ? detail[name] : undefined;
  return typeof value === 'string' ? printable(value) : '?';
}

/** What one invocation came to, in one line (the response shapes of shared/lambda/settlement-handler.ts). */
export function settledLine(event: DeliveredEvent, outcome: { response?: unknown; error?: Error }): string {
  const head = `${printable(String(event['detail-type']))} user ${field(event, 'userId')} job ${field(event, 'jobId')}:`;
  if (outcome.error)
    return `${head} failed (${printable(outcome.error.message).slice(0, 120)}); Lambda retries, then the DLQ`;
  const response = (outcome.response ?? {}) as Record<string, unknown>;
  if (response.status === 'settled') {
    const credits = typeof response.credits === 'number' ? grouped(response.credits) : '?';
    return `${head} ${printable(String(response.outcome))} ${credits} credits${response.alreadyApplied ? ' (already applied: a duplicate)' : ''}`;
  }
  if (response.status === 'invalid' || response.status === 'held') {
    return `${head} ${response.status} (${printable(String(response.reason))}) → DLQ`;
  }
  return `${head} ${printable(JSON.stringify(response)).slice(0, 120)}`;
}

/** A wrapTarget for startLocalStack: the same for debit and refund (the line names the detail-type). */
export function reportingTarget(print: (line: string) => void) {
  return (handler: TargetHandler): TargetHandler =>
    async (event, context) => {
      try {
        const response = await handler(event, context);
        print(settledLine(event, { response }));
        return response;
      } catch (error) {
        print(settledLine(event, { error: error as Error }));
        throw error;
      }
    };
}
