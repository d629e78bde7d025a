/** Deterministic ledger ids: the idempotency of every money write comes from these (docs/design.md#2-money-rules). */
export const ledgerIds = {
  debit: (jobId: string) => `job#${jobId}#debit`,
  refund: (jobId: string) => `job#${jobId}#refund`,
  grant: (reference: string) => `grant#${reference}`,
  adjustment: (reference: string) => `adjust#${reference}`,
};

/** The eventId the sweep uses when it settles a job whose event never came. */
export function sweepEventId(jobId: string, kind: 'rendered' | 'failed'): string {
  return `sweep:${jobId}:${kind}`;
}
