/**
 * Named errors. Callers branch on the class, never on message text:
 * - PermanentError: retrying cannot help (bad input, conflicting operator request).
 * - TransientError: retrying may help (throttling, conflicts, network); thrown after our own retries
 *   so that the platform's retry policy and finally the DLQ take over.
 * - InvariantViolation: the books contradict themselves; never swallowed.
 */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** How a refused event is kept in the DLQ: `reconciler-kind` of the message (shared/dlq). */
export type RefusedEventKind = 'invalid_event' | 'held_event';

/**
 * An event the reconciler will not apply as it is. It goes to the DLQ with the reason attached and
 * the invocation succeeds (docs/design.md#5-bad-input-and-failures): retrying could not help, and nothing is dropped.
 */
export abstract class RefusedEventError extends PermanentError {
  abstract readonly dlqKind: RefusedEventKind;
  constructor(
    readonly reason: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${reason}: ${details.join('; ')}` : reason);
  }
}

/** An event that can never be applied as it is (schema, pricing, absurd values). */
export class InvalidEventError extends RefusedEventError {
  override readonly name = 'InvalidEventError';
  readonly dlqKind = 'invalid_event';
}

/**
 * A valid debit that would take a balance below the workspace's overdraft floor: not written, held
 * in the DLQ for a person (grant or adjust, then replay), never dropped.
 */
export class OverdraftFloorError extends RefusedEventError {
  override readonly name = 'OverdraftFloorError';
  readonly dlqKind = 'held_event';
}

/** An operator request that contradicts what the ledger already holds under the same reference. */
export class ConflictingReferenceError extends PermanentError {
  override readonly name = 'ConflictingReferenceError';
}

/** A request (a producer's reserve) that cannot be served as it is: the caller is told why, nothing changes. */
export class InvalidRequestError extends PermanentError {
  override readonly name = 'InvalidRequestError';
}

/** Bad CLI arguments or operator input. */
export class UsageError extends PermanentError {
  override readonly name = 'UsageError';
}

export class ConfigError extends PermanentError {
  override readonly name = 'ConfigError';
}

export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/** Tiger-style assertion: an impossible state stops the work loudly. */
export function assertInvariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
