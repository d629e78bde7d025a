/** The demo's closing report: a short text summary and a self-contained HTML page with a chart. */
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
  /** Total remaining credits after each phase, for the chart. */
  timeline: { label: string; remaining: number }[];
}

export function textReport(r: DemoReport): string {
  const lines = [
    '',
    '════════════ credit-reconciler demo report ════════════',
    `seed ${r.seed} · ${r.users} users · ${r.jobs} jobs · ${r.deliveries} deliveries in ${r.durationSeconds.toFixed(1)} s (${r.eventsPerSecond.toFixed(0)} events/s)`,
    `granted ${r.totals.granted} · charged ${r.totals.charged} · refunded ${r.totals.refunded} · remaining ${r.totals.remaining}`,
    `outcomes: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(' · ')}`,
    `anomalies: ${Object.entries(r.anomalies).map(([k, v]) => `${k} ${v}`).join(' · ') || 'none'}`,
    `sweep: ${Object.entries(r.sweep).map(([k, v]) => `${k} ${v}`).join(' · ')}`,
    `holds: ${Object.entries(r.holds).map(([k, v]) => `${k} ${v}`).join(' · ')}`,
    `DLQ replay: ${Object.entries(r.replay).map(([k, v]) => `${k} ${v}`).join(' · ')}`,
    `bus policy: an outsider's ${r.busPolicy.attempted} events refused (${Object.entries(r.busPolicy.refused).map(([k, v]) => `${k} ${v}`).join(', ') || 'none refused!'}) · credits moved ${r.busPolicy.movedCredits} · ledger entries ${r.busPolicy.ledgerEntriesAdded}`,
    `balances vs the simulation's expectation: ${r.expectedMismatches === 0 ? 'all match' : `${r.expectedMismatches} MISMATCH(ES)`}`,
    `drift: ${r.drift}`,
    '═══════════════════════════════════════════════════════',
  ];
  return lines.join('\n');
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function barChart(title: string, data: [string, number][], color: string): string {
  const width = 640;
  const barHeight = 26;
  const max = Math.max(1, ...data.map(([, v]) => Math.abs(v)));
  const rows = data.map(([label, value], i) => {
    const w = Math.round((Math.abs(value) / max) * 380);
    const y = 30 + i * barHeight;
    return `<text x="0" y="${y + 17}" font-size="13">${escape(label)}</text>`
      + `<rect x="200" y="${y + 4}" width="${w}" height="${barHeight - 8}" fill="${color}" rx="3"/>`
      + `<text x="${206 + w}" y="${y + 17}" font-size="12" fill="#333">${value}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${40 + data.length * barHeight}" role="img" aria-label="${escape(title)}">`
    + `<text x="0" y="16" font-size="15" font-weight="bold">${escape(title)}</text>${rows}</svg>`;
}

export function htmlReport(r: DemoReport): string {
  const ok = r.drift === 0 && r.expectedMismatches === 0;
  const table = (rows: [string, string | number][]) => `<table>${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(String(v))}</td></tr>`).join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>credit-reconciler demo — seed ${r.seed}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:900px;color:#222}
.badge{display:inline-block;padding:.3rem .8rem;border-radius:1rem;color:#fff;background:${ok ? '#1a7f37' : '#cf222e'};font-weight:bold}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.25rem .8rem;border-bottom:1px solid #ddd}th{font-weight:600}</style></head>
<body><h1>credit-reconciler demo</h1>
<p><span class="badge">drift: ${r.drift}</span> &nbsp; balances vs expectation: <b>${r.expectedMismatches === 0 ? 'all match' : `${r.expectedMismatches} mismatches`}</b></p>
${table([['seed', r.seed], ['users', r.users], ['jobs', r.jobs], ['deliveries', r.deliveries], ['throughput', `${r.eventsPerSecond.toFixed(0)} events/s`],
    ['granted', r.totals.granted], ['charged', r.totals.charged], ['refunded', r.totals.refunded], ['remaining', r.totals.remaining]])}
${barChart('Events per outcome', Object.entries(r.outcomes), '#0969da')}
${barChart('Total remaining credits after each phase', r.timeline.map((t) => [t.label, t.remaining]), '#8250df')}
${barChart('Anomalies raised', Object.entries(r.anomalies).length > 0 ? Object.entries(r.anomalies) : [['none', 0]], '#bf8700')}
<h2>Sweep</h2>${table(Object.entries(r.sweep))}
<h2>Holds</h2>${table(Object.entries(r.holds))}
<h2>DLQ replay</h2>${table(Object.entries(r.replay))}
<h2>Bus policy: an outsider publishes</h2>${table([['events attempted', r.busPolicy.attempted], ...Object.entries(r.busPolicy.refused).map(([k, v]): [string, number] => [`refused: ${k}`, v]), ['credits moved', r.busPolicy.movedCredits], ['ledger entries added', r.busPolicy.ledgerEntriesAdded]])}
</body></html>
`;
}
