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

/** An event that can never be applied as it is (schema, pricing, absurd values). */
export class InvalidEventError extends PermanentError {
  override readonly name = 'InvalidEventError';
  constructor(readonly reason: string, readonly details: string[] = []) {
    super(details.length > 0 ? `${reason}: ${details.join('; ')}` : reason);
  }
}

/** An operator request that contradicts what the ledger already holds under the same reference. */
export class ConflictingReferenceError extends PermanentError {
  override readonly name = 'ConflictingReferenceError';
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
