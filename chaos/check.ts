/**
 * Every invariant the design names, checked against the books after a chaos run.
 * Each violation has a kind, so the minimiser can keep "the same failure" while it shrinks.
 */
import { DEFAULT_PRICE_BOOK, priceOf } from '../shared/pricing';
import { NEW_MODEL, NEW_MODEL_PRICE, type Day } from '../sim/simulation';
import type { DayResult } from '../sim/run-day';

export type ViolationKind =
  | 'drift'
  | 'unjustified'
  | 'unexpected_balance'
  | 'wrong_charge'
  | 'double_entry'
  | 'refund_exceeds_debit'
  | 'bug_unreported'
  | 'dlq_not_empty'
  | 'holds_over_balance'
  | 'refused_wrongly'
  | 'hold_not_ended'
  | 'hold_wrong_end';

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

const PRICES = { ...DEFAULT_PRICE_BOOK, [NEW_MODEL]: NEW_MODEL_PRICE };
const MAX_REPORTED = 20;

export function checkInvariants(day: Day, result: DayResult): Violation[] {
  const violations: Violation[] = [];

  // 1. Each user's balance equals the sum of their ledger, and every entry is one the reconciler writes.
  for (const d of result.audit.drift)
    violations.push({ kind: 'drift', detail: `${d.userId}: balance ${d.remaining}, ledger ${d.ledgerSum}` });
  for (const u of result.audit.unjustified)
    violations.push({ kind: 'unjustified', detail: `${u.ledgerId}: ${u.problem}` });

  // 2. …and what the simulated day says it must be.
  for (const [userId, expected] of result.expected) {
    const actual = result.balances.get(userId) ?? 0;
    if (actual !== expected)
      violations.push({ kind: 'unexpected_balance', detail: `${userId}: balance ${actual}, expected ${expected}` });
  }

  // 3. No job has two entries of one kind (ledger ids are unique by construction; this catches a
  //    second charge under another id).
  const entriesByJob = new Map<string, { render: number[]; refund: number[] }>();
  for (const e of result.ledger) {
    if (e.kind !== 'render' && e.kind !== 'refund') continue;
    const entry = entriesByJob.get(e.reference) ?? { render: [], refund: [] };
    entry[e.kind].push(e.amount);
    entriesByJob.set(e.reference, entry);
  }
  for (const [jobId, entries] of entriesByJob) {
    if (entries.render.length > 1 || entries.refund.length > 1)
      violations.push({
        kind: 'double_entry',
        detail: `${jobId}: ${entries.render.length} debits, ${entries.refund.length} refunds`,
      });
  }

  // 4. A rendered job is charged its price exactly once; a failed (or refunded, or stuck, or refused
  //    at reserve and never started) job nets zero whether or not its failure event arrived; no
  //    refund exceeds its debit (or has none).
  for (const job of day.jobs) {
    const entries = entriesByJob.get(job.jobId) ?? { render: [], refund: [] };
    const debited = entries.render.reduce((s, a) => s + a, 0);
    const refunded = entries.refund.reduce((s, a) => s + a, 0);
    if (refunded > debited)
      violations.push({
        kind: 'refund_exceeds_debit',
        detail: `${job.jobId}: refunded ${refunded}, debited ${debited}`,
      });
    const net = debited - refunded;
    const expected =
      job.fate === 'rendered' && !result.reserves.refused.has(job.jobId)
        ? priceOf(PRICES, { model: job.model, seconds: job.seconds, quotedCredits: job.quote })
        : 0;
    if (net !== expected)
      violations.push({
        kind: 'wrong_charge',
        detail: `${job.jobId} (${job.fate}${job.lost ? ', lost' : ''}): net charge ${net}, expected ${expected}`,
      });
  }

  // 5. A settlement bug is refused and told to a person, never absorbed: the sweep reports each as
  //    an error (the refund has no debit behind it) or, when the event's quote contradicts the
  //    settlement's amount, as a conflicting record.
  const bugs = day.jobs.filter((j) => j.corrupted).length;
  const reported = result.sweep.result.errors.count + result.sweep.result.anomalies.conflicting_duplicate.count;
  if (reported < bugs)
    violations.push({
      kind: 'bug_unreported',
      detail: `${bugs} corrupted settlements, ${reported} reported by the sweep`,
    });

  // 6. After the replay, only truly invalid events, and the events of corrupted settlements (refused
  //    on purpose, for a person), stay in the DLQ.
  const corrupted = new Set(day.jobs.filter((j) => j.corrupted).map((j) => j.jobId));
  for (const left of result.dlqLeft) {
    const body = JSON.parse(left.body) as {
      detail?: { jobId?: string };
      requestPayload?: { detail?: { jobId?: string } };
    };
    const jobId = String(body.detail?.jobId ?? body.requestPayload?.detail?.jobId ?? '');
    if (!jobId.startsWith('bad-') && !corrupted.has(jobId))
      violations.push({
        kind: 'dlq_not_empty',
        detail: `left in the DLQ: ${left.reason ?? 'no reason'} ${left.body.slice(0, 160)}`,
      });
  }
  checkHolds(day, result, violations);
  return violations;
}

/** How a job's hold may end, by its fate (a failure delivered before its render releases the hold). */
const HOLD_ENDS: Record<string, readonly string[]> = {
  rendered: ['CAPTURED'],
  failed: ['RELEASED'],
  rendered_then_failed: ['CAPTURED', 'RELEASED'],
  stuck: ['EXPIRED'],
};

/**
 * A job whose event (or the sweep) settled it only after its hold had expired is charged as a plain
 * debit, never against the stale hold, and its hold ends EXPIRED (holds contract). A slow run (a
 * loaded machine) gets there when its sweep comes after the holds' expiry; the charge itself is
 * checked by the ledger invariants above.
 */
export function settledAfterExpiry(result: DayResult, jobId: string, state: string): boolean {
  const times = result.holdTimes.get(jobId);
  return state === 'EXPIRED' && times?.settledAt !== undefined && times.settledAt >= times.expiresAt;
}

/**
 * 7. Holds: reserves ran before any render, so no user's holds may exceed their opening balance
 *    (available never negative through holds), and a refusal is right only when the hold truly did
 *    not fit. Every hold ends by its expiry plus one sweep: captured, released or expired as its
 *    job's fate says, and nothing is left held (Σ active holds == held is the audit's, above).
 */
function checkHolds(day: Day, result: DayResult, violations: Violation[]): void {
  const heldByUser = new Map<string, number>();
  for (const [jobId, answer] of result.reserves.answers) {
    if (answer.status === 'held') heldByUser.set(answer.userId, (heldByUser.get(answer.userId) ?? 0) + answer.credits);
    else if (answer.status !== 'refused' || answer.reason !== 'insufficient_credits')
      violations.push({ kind: 'refused_wrongly', detail: `${jobId}: ${answer.status}` });
  }
  for (const [userId, held] of heldByUser) {
    const opening = day.openings.get(userId) ?? 0;
    if (held > opening)
      violations.push({
        kind: 'holds_over_balance',
        detail: `${userId}: ${held} credits held on an opening balance of ${opening}`,
      });
  }
  for (const [jobId, answer] of result.reserves.answers) {
    if (answer.status !== 'refused' || answer.reason !== 'insufficient_credits') continue;
    const fitted = (day.openings.get(answer.userId) ?? 0) - (heldByUser.get(answer.userId) ?? 0) >= answer.requested;
    if (fitted)
      violations.push({
        kind: 'refused_wrongly',
        detail: `${jobId}: refused ${answer.requested} while the user's holds left room for it`,
      });
  }
  for (const job of day.jobs) {
    const answer = result.reserves.answers.get(job.jobId);
    if (answer?.status !== 'held') continue;
    const state = result.holds.get(job.jobId) ?? 'none';
    if (state === 'ACTIVE')
      violations.push({
        kind: 'hold_not_ended',
        detail: `${job.jobId} (${job.fate}): still ACTIVE after its expiry and a sweep`,
      });
    else if (!HOLD_ENDS[job.fate]!.includes(state) && !settledAfterExpiry(result, job.jobId, state))
      violations.push({
        kind: 'hold_wrong_end',
        detail: `${job.jobId} (${job.fate}${job.lost ? ', lost' : ''}): hold ${state}`,
      });
  }
  for (const [userId, held] of result.held) {
    if (held !== 0)
      violations.push({
        kind: 'hold_not_ended',
        detail: `${userId}: ${held} credits still held at the end of the day`,
      });
  }
}

export function describeViolations(violations: Violation[]): string {
  const byKind = new Map<string, number>();
  for (const v of violations) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
  return [
    `${violations.length} violation(s): ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    ...violations.slice(0, MAX_REPORTED).map((v) => `  ${v.kind}: ${v.detail}`),
    ...(violations.length > MAX_REPORTED ? [`  … and ${violations.length - MAX_REPORTED} more`] : []),
  ].join('\n');
}
