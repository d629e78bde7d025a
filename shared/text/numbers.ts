/**
 * Numbers for people: thousands separators (878,696), whole numbers rounded. The one home for that
 * formatting, used by the CLI's human output, the demo's reports and the statement; JSON output keeps
 * raw numbers and never passes through here.
 */
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const SIGNED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, signDisplay: 'exceptZero' });

export function grouped(n: number): string {
  return GROUPED.format(n);
}

/** With its sign: +1,200 / -50 / 0 (ledger amounts, differences). */
export function signedGrouped(n: number): string {
  return SIGNED.format(n);
}
