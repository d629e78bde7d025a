/**
 * What a run found, and the one rule of which findings need a person: the alert is sent and the
 * CLI exits non-zero for exactly the same results (settled stragglers and recovered refunds alone
 * are news, not trouble: they are in the alert but need no one).
 */
import type { SweepResult } from './types';

/** A count plus the first few examples: what a summary and an alert can show without growing unbounded. */
export interface Sample<T> {
  count: number;
  first: T[];
}

export class Tally<T> {
  count = 0;
  readonly first: T[] = [];
  constructor(private readonly keep: number) {}
  add(item: T): void {
    this.count++;
    if (this.first.length < this.keep) this.first.push(item);
  }
  /** Counts findings that were not listed one by one (a report that kept only its first few). */
  addUnlisted(count: number): void {
    this.count += count;
  }
  toJSON(): Sample<T> {
    return { count: this.count, first: [...this.first] };
  }
}

/** Findings a person must act on. */
export function needsAttention(result: SweepResult): boolean {
  return (
    result.drift.count > 0 ||
    result.unjustified.count > 0 ||
    result.stuck.count > 0 ||
    result.badRecords.count > 0 ||
    result.held.count > 0 ||
    result.errors.count > 0 ||
    result.audit.unaudited.count > 0 ||
    result.audit.gapBefore !== undefined ||
    result.audit.watermarkReset !== undefined ||
    Object.values(result.anomalies).some((a) => a.count > 0)
  );
}

/** True when the run found something worth telling (and an alert goes out): trouble, or money the sweep moved. */
export function hasFindings(result: SweepResult): boolean {
  return needsAttention(result) || result.stragglers.count > 0 || result.backstop.refunds.count > 0;
}
