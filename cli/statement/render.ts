/** A statement for people: text for the terminal, a self-contained HTML page to send a user. */
import { grouped, signedGrouped } from '../../shared/text/numbers';
import { printable } from '../../shared/text/printable';
import type { Statement } from './build';

function rangeText(s: Statement): string {
  if (!s.range.from && !s.range.to) return 'all time';
  return `${s.range.from ?? 'the beginning'} to ${s.range.to ?? 'now'}`;
}

function auditText(s: Statement): string {
  if (s.audit.status === 'too_long') return 'not audited: the history is longer than a statement reads';
  if (s.audit.matches)
    return `matches the audit (balance ${grouped(s.balance.remaining)} = the ledger's sum, every entry justified)`;
  const drift =
    s.audit.status === 'drift'
      ? `balance and ledger disagree${s.audit.difference ? ` by ${signedGrouped(s.audit.difference)}` : ' (hold figures)'}`
      : '';
  const unjustified =
    s.audit.unjustified > 0
      ? `${grouped(s.audit.unjustified)} unjustified entr${s.audit.unjustified === 1 ? 'y' : 'ies'}`
      : '';
  return `DOES NOT MATCH the audit: ${[drift, unjustified].filter(Boolean).join('; ')} (run \`reconciler audit\`)`;
}

export function statementText(s: Statement): string {
  const lines = [
    `statement for ${printable(s.userId)}, ${printable(rangeText(s))}`,
    `opening balance  ${grouped(s.opening).padStart(12)}`,
    ...s.entries.map(
      (e) =>
        `  ${printable(e.timestamp)}  ${signedGrouped(e.signed).padStart(10)}  → ${grouped(e.balanceAfter).padStart(10)}  ${printable(e.kind).padEnd(10)} job/ref ${printable(e.reference)}  event ${printable(e.eventId)}  ${printable(e.description)}`,
    ),
    ...(s.entries.length === 0 ? ['  (no ledger entries in this range)'] : []),
    `closing balance  ${grouped(s.closing).padStart(12)}`,
    s.holds.length === 0
      ? 'holds: none active'
      : `holds: ${grouped(s.holds.length)} active, ${grouped(s.balance.held)} credits held, ${grouped(s.balance.available)} available now`,
    ...s.holds.map(
      (h) =>
        `  job ${printable(h.jobId)}  ${grouped(h.credits)} credits, held ${printable(h.heldAt)}, expires ${printable(h.expiresAt)}${h.expired ? ' (expired, not held)' : ''}`,
    ),
    ...(s.holdsTruncated ? ['  … more holds than listed'] : []),
    auditText(s),
  ];
  return lines.join('\n');
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function statementHtml(s: Statement): string {
  const row = (cells: string[]) => `<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`;
  const entries = s.entries
    .map((e) =>
      row([
        e.timestamp,
        signedGrouped(e.signed),
        grouped(e.balanceAfter),
        e.kind,
        e.reference,
        e.eventId,
        e.description,
      ]),
    )
    .join('');
  const holds = s.holds.map((h) => row([h.jobId, grouped(h.credits), h.heldAt, h.expiresAt])).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Statement — ${escape(s.userId)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}th,td{text-align:left;padding:.25rem .7rem;border-bottom:1px solid #ddd}.ok{color:#1a7f37}.bad{color:#cf222e}</style></head>
<body><h1>Statement for ${escape(s.userId)}</h1><p>${escape(rangeText(s))}</p>
<p>Opening balance: <b>${grouped(s.opening)}</b></p>
<table><tr><th>time</th><th>amount</th><th>balance after</th><th>kind</th><th>job / reference</th><th>event</th><th>description</th></tr>${entries || '<tr><td colspan="7">no ledger entries in this range</td></tr>'}</table>
<p>Closing balance: <b>${grouped(s.closing)}</b></p>
<h2>Active holds</h2>${holds ? `<table><tr><th>job</th><th>credits</th><th>held</th><th>expires</th></tr>${holds}</table>` : '<p>none</p>'}
<p class="${s.audit.matches ? 'ok' : 'bad'}">${escape(auditText(s))}</p>
</body></html>
`;
}
