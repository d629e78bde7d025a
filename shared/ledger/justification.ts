/**
 * Justified, not only balanced (docs/design.md#2-money-rules): every ledger entry must be one the reconciler could have
 * written. Pure checks, shared by the sweep's per-user audit and the full audit:
 * - the entry's shape: its (type, kind) pair is one the reconciler writes, its id is the
 *   deterministic id of that kind for its reference, its amount a positive bounded integer;
 * - a refund has its debit: the same job, the same user, the same amount.
 * A balance can equal its ledger and still be wrong; these are what make it provably right.
 */
import { ledgerIds } from './ids';
import { MAX_ENTRY_CREDITS } from './ledger-entry';

/** The fields of a ledger entry the checks read. */
export interface EntryFacts {
  ledgerId: string;
  userId: string;
  type: string;
  kind: string;
  amount: number;
  reference: string;
}

export interface Unjustified {
  ledgerId: string;
  userId: string;
  problem: string;
}

/** The (type, kind) pairs the reconciler writes, with the id each kind gets from its reference. */
const SHAPES: Record<string, { types: readonly string[]; id: (reference: string) => string }> = {
  render: { types: ['debit'], id: ledgerIds.debit },
  refund: { types: ['credit'], id: ledgerIds.refund },
  grant: { types: ['credit'], id: ledgerIds.grant },
  adjustment: { types: ['credit', 'debit'], id: ledgerIds.adjustment },
};

/** Why this entry is not one the reconciler writes, or undefined when it is. */
export function shapeProblem(entry: EntryFacts): string | undefined {
  if (!Number.isSafeInteger(entry.amount) || entry.amount < 1 || entry.amount > MAX_ENTRY_CREDITS) {
    return `amount ${entry.amount} is not a positive integer of at most ${MAX_ENTRY_CREDITS}`;
  }
  const shape = Object.prototype.hasOwnProperty.call(SHAPES, entry.kind) ? SHAPES[entry.kind] : undefined;
  if (!shape) return `kind "${entry.kind}" is not one the reconciler writes`;
  if (!shape.types.includes(entry.type)) return `a ${entry.kind} entry cannot be a ${entry.type}`;
  if (entry.ledgerId !== shape.id(entry.reference))
    return `id does not match its ${entry.kind} of reference ${entry.reference}`;
  return undefined;
}

/** Why this refund is not backed by its debit, or undefined when it is. */
export function refundProblem(refund: EntryFacts, debit: EntryFacts | undefined): string | undefined {
  if (debit === undefined) return `refund of ${refund.amount} for job ${refund.reference} has no debit in the ledger`;
  if (debit.userId !== refund.userId)
    return `refund to user ${refund.userId} for job ${refund.reference}, which was debited to user ${debit.userId}`;
  if (debit.amount !== refund.amount)
    return `refund of ${refund.amount} for job ${refund.reference}, which was debited ${debit.amount}`;
  return undefined;
}

/** Every problem with one user's complete ledger (a refund's debit is always the same user's). */
export function unjustifiedInUserLedger(entries: readonly EntryFacts[]): Unjustified[] {
  const found: Unjustified[] = [];
  const debits = new Map<string, EntryFacts>();
  for (const entry of entries) {
    const problem = shapeProblem(entry);
    if (problem) found.push({ ledgerId: entry.ledgerId, userId: entry.userId, problem });
    else if (entry.kind === 'render') debits.set(entry.reference, entry);
  }
  for (const entry of entries) {
    if (entry.kind !== 'refund' || shapeProblem(entry) !== undefined) continue;
    const problem = refundProblem(entry, debits.get(entry.reference));
    if (problem) found.push({ ledgerId: entry.ledgerId, userId: entry.userId, problem });
  }
  return found;
}
