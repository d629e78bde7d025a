/** The demo's closing report: a short text summary and a self-contained HTML page with a chart. */
import { grouped, signedGrouped } from '../shared/text/numbers';
import type { PhaseMark } from '../sim/run-day';

/** A user whose balance is not what it must be: by the audit (ledger sum) or by the simulation. */
export interface WrongBalance {
  userId: string;
  balance: number;
  expected: number;
  difference: number;
  source: 'audit (ledger sum)' | 'simulation expectation';
}

export interface DemoReport {
  seed: number;
  users: number;
  jobs: number;
  deliveries: number;
  durationSeconds: number;
  eventsPerSecond: number;
  outcomes: Record<string, number>;
  anomalies: Record<string, number>;
  totals: { granted: number; charged: number; refunded: number; remaining: number };
  sweep: Record<string, number>;
  /** Reserves answered, and how the holds ended. */
  holds: Record<string, number>;
  replay: Record<string, number>;
  /** The bus policy at work: an unlisted publisher's entries, how they were refused, what moved. */
  busPolicy: { attempted: number; refused: Record<string, number>; movedCredits: number; ledgerEntriesAdded: number };
  drift: number;
  expectedMismatches: number;
  /** Total remaining credits, events handled and time taken per phase, for the charts. */
  timeline: PhaseMark[];
  /** Every wrong balance found (empty when all is well). */
  wrong: WrongBalance[];
}

const pairs = (record: Record<string, number>) => Object.entries(record).map(([k, v]) => `${k} ${grouped(v)}`);
const rate = (m: PhaseMark) => (m.seconds > 0 ? m.events / m.seconds : 0);
/** Wrong balances listed in the text report (the HTML lists them all). */
const MAX_WRONG_LISTED = 20;

export function textReport(r: DemoReport): string {
  const lines = [
    '',
    '════════════ credit-reconciler demo report ════════════',
    `seed ${r.seed} · ${grouped(r.users)} users · ${grouped(r.jobs)} jobs · ${grouped(r.deliveries)} deliveries in ${r.durationSeconds.toFixed(1)} s (${grouped(r.eventsPerSecond)} events/s)`,
    `granted ${grouped(r.totals.granted)} · charged ${grouped(r.totals.charged)} · refunded ${grouped(r.totals.refunded)} · remaining ${grouped(r.totals.remaining)}`,
    `outcomes: ${pairs(r.outcomes).join(' · ')}`,
    `anomalies: ${pairs(r.anomalies).join(' · ') || 'none'}`,
    `sweep: ${pairs(r.sweep).join(' · ')}`,
    `holds: ${pairs(r.holds).join(' · ')}`,
    `DLQ replay: ${pairs(r.replay).join(' · ')}`,
    `bus policy: an outsider's ${grouped(r.busPolicy.attempted)} events refused (${pairs(r.busPolicy.refused).join(', ') || 'none refused!'}) · credits moved ${grouped(r.busPolicy.movedCredits)} · ledger entries ${grouped(r.busPolicy.ledgerEntriesAdded)}`,
    `phases: ${r.timeline.map((m) => `${m.label} ${grouped(m.events)} events in ${m.seconds.toFixed(1)} s`).join(' · ')}`,
    `balances vs the simulation's expectation: ${r.expectedMismatches === 0 ? 'all match' : `${grouped(r.expectedMismatches)} MISMATCH(ES)`}`,
    `drift: ${grouped(r.drift)}`,
    ...r.wrong
      .slice(0, MAX_WRONG_LISTED)
      .map(
        (w) =>
          `  WRONG ${w.userId}: balance ${grouped(w.balance)}, ${w.source} ${grouped(w.expected)} (off by ${signedGrouped(w.difference)})`,
      ),
    ...(r.wrong.length > MAX_WRONG_LISTED
      ? [`  … and ${grouped(r.wrong.length - MAX_WRONG_LISTED)} more (in the HTML report)`]
      : []),
    '═══════════════════════════════════════════════════════',
  ];
  return lines.join('\n');
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function barChart(title: string, data: [string, number][], color: string): string {
  const width = 640;
  const barHeight = 26;
  const max = Math.max(1, ...data.map(([, v]) => Math.abs(v)));
  const rows = data
    .map(([label, value], i) => {
      const w = Math.round((Math.abs(value) / max) * 380);
      const y = 30 + i * barHeight;
      return (
        `<text x="0" y="${y + 17}" font-size="13">${escape(label)}</text>` +
        `<rect x="200" y="${y + 4}" width="${w}" height="${barHeight - 8}" fill="${color}" rx="3"/>` +
        `<text x="${206 + w}" y="${y + 17}" font-size="12" fill="#333">${grouped(value)}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${40 + data.length * barHeight}" role="img" aria-label="${escape(title)}">` +
    `<text x="0" y="16" font-size="15" font-weight="bold">${escape(title)}</text>${rows}</svg>`
  );
}

const cell = (v: string | number) => escape(typeof v === 'number' ? grouped(v) : v);
const table = (rows: [string, string | number][]) =>
  `<table>${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${cell(v)}</td></tr>`).join('')}</table>`;

/** Which users are wrong and by how much: the first thing a reader of a failed run needs. */
function wrongSection(r: DemoReport): string {
  if (r.wrong.length === 0) return '';
  const rows = r.wrong
    .map(
      (w) =>
        `<tr><td>${escape(w.userId)}</td><td class="n">${grouped(w.balance)}</td><td class="n">${grouped(w.expected)}</td><td class="n bad">${escape(signedGrouped(w.difference))}</td><td>${escape(w.source)}</td></tr>`,
    )
    .join('');
  return `<h2 class="bad">What is wrong: ${grouped(r.wrong.length)} balance(s)</h2>
<table><tr><th>user</th><th>balance</th><th>should be</th><th>off by</th><th>found by</th></tr>${rows}</table>`;
}

function phaseSection(r: DemoReport): string {
  const rows = r.timeline
    .map(
      (m) =>
        `<tr><td>${escape(m.label.replace(/^after /, ''))}</td><td class="n">${grouped(m.events)}</td><td class="n">${m.seconds.toFixed(2)}</td><td class="n">${grouped(rate(m))}</td><td class="n">${grouped(m.remaining)}</td></tr>`,
    )
    .join('');
  return `${barChart(
    'Events per second in each phase',
    r.timeline.map((m) => [m.label.replace(/^after /, ''), Math.round(rate(m))]),
    '#1a7f37',
  )}
<table><tr><th>phase</th><th>events</th><th>seconds</th><th>events/s</th><th>remaining after</th></tr>${rows}</table>`;
}

export function htmlReport(r: DemoReport): string {
  const ok = r.drift === 0 && r.expectedMismatches === 0 && r.wrong.length === 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>credit-reconciler demo — seed ${r.seed}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:900px;color:#222}
.badge{display:inline-block;padding:.3rem .8rem;border-radius:1rem;color:#fff;background:${ok ? '#1a7f37' : '#cf222e'};font-weight:bold}
.bad{color:#cf222e}.n{text-align:right;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.25rem .8rem;border-bottom:1px solid #ddd}th{font-weight:600}</style></head>
<body><h1>credit-reconciler demo</h1>
<p><span class="badge">drift: ${grouped(r.drift)}</span> &nbsp; balances vs expectation: <b>${r.expectedMismatches === 0 ? 'all match' : `${grouped(r.expectedMismatches)} mismatches`}</b></p>
${wrongSection(r)}
${table([
  ['seed', String(r.seed)],
  ['users', r.users],
  ['jobs', r.jobs],
  ['deliveries', r.deliveries],
  ['throughput', `${grouped(r.eventsPerSecond)} events/s`],
  ['granted', r.totals.granted],
  ['charged', r.totals.charged],
  ['refunded', r.totals.refunded],
  ['remaining', r.totals.remaining],
])}
<h2>Phases</h2>${phaseSection(r)}
${barChart('Events per outcome', Object.entries(r.outcomes), '#0969da')}
${barChart(
  'Total remaining credits after each phase',
  r.timeline.map((t) => [t.label, t.remaining]),
  '#8250df',
)}
${barChart('Anomalies raised', Object.entries(r.anomalies).length > 0 ? Object.entries(r.anomalies) : [['none', 0]], '#bf8700')}
<h2>Sweep</h2>${table(Object.entries(r.sweep))}
<h2>Holds</h2>${table(Object.entries(r.holds))}
<h2>DLQ replay</h2>${table(Object.entries(r.replay))}
<h2>Bus policy: an outsider publishes</h2>${table([['events attempted', r.busPolicy.attempted], ...Object.entries(r.busPolicy.refused).map(([k, v]): [string, number] => [`refused: ${k}`, v]), ['credits moved', r.busPolicy.movedCredits], ['ledger entries added', r.busPolicy.ledgerEntriesAdded]])}
</body></html>
`;
}
