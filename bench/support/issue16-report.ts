/**
 * The issue-16 part of bench/RESULTS.md: the reference and latency-model table, cold start, and the
 * Done-when ratios each marked met / not met from the numbers of the same run.
 */
interface Side {
  eventsPerSecond: number;
  requestsPerEvent: number;
  p50Ms: number;
  p99Ms: number;
  /** DynamoDB Local's CPU while this side ran, % of one core; null (JSON's NaN) when not measured. */
  emulatorCpuPercent?: number | null;
}
interface NetworkRow {
  concurrency: number;
  events: number;
  reference: Side;
  ours: Side;
  baseline: Side;
  oursOfReference: number;
  oursOverBaseline: number;
}
interface NetworkSetting {
  label: string;
  model: { medianMs: number; sigma: number; description: string } | null;
  rows: NetworkRow[];
}
export interface NetworkResult {
  measuredAt: string;
  sigma: number;
  mediansMs: number[];
  /** Databases the users were spread over, on a warmed DynamoDB Local (older results: one, cold). */
  databases?: number;
  settings: NetworkSetting[];
}
interface FirstEvent {
  firstEventMs: number;
  sinceProcessStartMs: number;
  importMs: number;
  secondEventMs: number;
}
export interface ColdStartResult {
  measuredAt: string;
  runs: number;
  bundles: { name: string; bundleBytes: number; top: { name: string; bytes: number }[]; importMs: number }[];
  firstEvent: Record<'debit' | 'baseline', FirstEvent>;
  firstEventHttps: Record<'debit' | 'baseline', FirstEvent>;
  firstEventAt5ms: Record<'debit' | 'baseline', FirstEvent>;
  ratios: {
    debitBundleBytes: number;
    importOfBaseline: number;
    firstEventOfBaseline: number;
    firstEventOfBaselineAt5ms: number;
    firstEventOfBaselineHttps: number;
  };
}
export interface Check {
  goal: string;
  measured: string;
  met: boolean;
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const x = (n: number) => `${n.toFixed(2)}×`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const cpu = (side: Side) =>
  side.emulatorCpuPercent === undefined || side.emulatorCpuPercent === null || Number.isNaN(side.emulatorCpuPercent)
    ? '—'
    : f0(side.emulatorCpuPercent);

/** The latency model's middle setting (5 ms by default): the one the Done-when ratios are judged on. */
export function middleSetting(network: NetworkResult): NetworkSetting {
  const modelled = network.settings.filter((s) => s.model !== null);
  return modelled[Math.floor((modelled.length - 1) / 2)]!;
}

export function networkMarkdown(network: NetworkResult): string {
  const spread = network.databases
    ? `users spread over ${network.databases} databases of one DynamoDB Local, warmed first: `
    : '';
  const lines = [
    `**Ours vs the raw-transaction reference and the baseline, straight to DynamoDB Local and under the latency model** (reference = the same \`TransactWriteItems\`, built by \`shared/ledger/transactions.ts\`, sent with nothing else; ${spread}latency per event in ms; emulator CPU = DynamoDB Local's JVM while each side ran, % of one core: near 100 it set the pace, [performance.md](../docs/development/performance.md#the-emulators-ceiling))`,
    '',
    row([
      'network',
      'concurrency',
      'events',
      'reference ev/s',
      'ours ev/s',
      'baseline ev/s',
      'ours / reference',
      'ours / baseline',
      'ours p50 / p99',
      'baseline p50 / p99',
      'reference p50 / p99',
      'emulator CPU % ref / ours / base',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const setting of network.settings) {
    const name = setting.model
      ? `+${setting.model.medianMs} ms median (σ ${setting.model.sigma})`
      : 'DynamoDB Local, no delay';
    for (const r of setting.rows) {
      lines.push(
        row([
          name,
          r.concurrency,
          r.events,
          f0(r.reference.eventsPerSecond),
          f0(r.ours.eventsPerSecond),
          f0(r.baseline.eventsPerSecond),
          x(r.oursOfReference),
          x(r.oursOverBaseline),
          `${f1(r.ours.p50Ms)} / ${f1(r.ours.p99Ms)}`,
          `${f1(r.baseline.p50Ms)} / ${f1(r.baseline.p99Ms)}`,
          `${f1(r.reference.p50Ms)} / ${f1(r.reference.p99Ms)}`,
          `${cpu(r.reference)} / ${cpu(r.ours)} / ${cpu(r.baseline)}`,
        ]),
      );
    }
  }
  return lines.join('\n');
}

export function coldStartMarkdown(cold: ColdStartResult): string {
  const kib = (b: number) => f1(b / 1024);
  const lines = [
    `**Cold start per bundle** (median of ${cold.runs} fresh \`node\` processes; top = esbuild metafile bytes in the output per package)`,
    '',
    row(['bundle', 'index.mjs KiB', 'median import ms', 'top contributors (KiB)']),
    row(['---', '---:', '---:', '---']),
    ...cold.bundles.map((b) =>
      row([b.name, kib(b.bundleBytes), f1(b.importMs), b.top.map((t) => `${t.name} ${kib(t.bytes)}`).join(', ')]),
    ),
    '',
    '**Time to the first answered event** (fresh process: import + first invocation, a new job, as Lambda INIT + first invoke; median ms)',
    '',
    row(['bundle', 'network', 'import', 'import + first event', 'since process start', 'second (warm) event']),
    row(['---', '---', '---:', '---:', '---:', '---:']),
  ];
  for (const [network, results] of [
    ['DynamoDB Local, http', cold.firstEvent],
    ['DynamoDB Local, https (as Lambda)', cold.firstEventHttps],
    ['+5 ms median model, http', cold.firstEventAt5ms],
  ] as const) {
    for (const name of ['debit', 'baseline'] as const) {
      const r = results[name];
      lines.push(
        row([
          name === 'debit' ? 'debit' : 'baseline-debit',
          network,
          f1(r.importMs),
          f1(r.firstEventMs),
          f1(r.sinceProcessStartMs),
          f1(r.secondEventMs),
        ]),
      );
    }
  }
  return lines.join('\n');
}

/**
 * The goals, including the peak RSS of a handler process (bench/handler-memory.bench.ts,
 * which runs it under the heap flags Lambda passes for the function's memory).
 */
export function doneWhen(
  network: NetworkResult,
  cold: ColdStartResult,
  requestsPerEvent: number,
  peakRssMiB: number,
  peakRssRunsMiB: readonly number[] = [],
): Check[] {
  const direct = network.settings.find((s) => s.model === null)!;
  const middle = middleSetting(network);
  const at = (s: NetworkSetting, c: number) => s.rows.find((r) => r.concurrency === c)!;
  const checks: Check[] = direct.rows.map((r) => ({
    goal: `ours ≥ 0.9× the reference, concurrency ${r.concurrency} (DynamoDB Local)`,
    measured: x(r.oursOfReference),
    met: r.oursOfReference >= 0.9,
  }));
  checks.push(
    ...middle.rows.map((r) => ({
      goal: `ours ≥ 0.9× the reference, concurrency ${r.concurrency} (+${middle.model!.medianMs} ms model)`,
      measured: x(r.oursOfReference),
      met: r.oursOfReference >= 0.9,
    })),
  );
  for (const [c, goal] of [
    [1, 3],
    [8, 2.5],
  ] as const) {
    const r = at(middle, c);
    checks.push({
      goal: `+${middle.model!.medianMs} ms model: ours ≥ ${goal}× the baseline's events/s, concurrency ${c}`,
      measured:
        cpu(r.ours) === '—'
          ? x(r.oursOverBaseline)
          : `${x(r.oursOverBaseline)} (emulator ${cpu(r.ours)} % of a core in ours' turns)`,
      met: r.oursOverBaseline >= goal,
    });
    checks.push({
      goal: `+${middle.model!.medianMs} ms model: ours p99 < baseline p50, concurrency ${c}`,
      measured: `${f1(r.ours.p99Ms)} vs ${f1(r.baseline.p50Ms)} ms`,
      met: r.ours.p99Ms < r.baseline.p50Ms,
    });
  }
  checks.push(
    {
      goal: 'debit bundle ≤ 350 KB minified (350,000 bytes)',
      measured: `${f0(cold.ratios.debitBundleBytes)} bytes`,
      met: cold.ratios.debitBundleBytes <= 350_000,
    },
    {
      goal: "debit median import ≤ 0.4× the baseline's",
      measured: x(cold.ratios.importOfBaseline),
      met: cold.ratios.importOfBaseline <= 0.4,
    },
    // Judged over https: Lambda reaches DynamoDB that way, and plain http sends the SDK down a path
    // (import("node:http")) no function takes (bench/support/tls-front.ts). Both rows are in the table.
    {
      goal: "debit time to first answered event ≤ 0.5× the baseline's (DynamoDB Local over https)",
      measured: x(cold.ratios.firstEventOfBaselineHttps),
      met: cold.ratios.firstEventOfBaselineHttps <= 0.5,
    },
    {
      goal: '1.0 DynamoDB request per event on the common path',
      measured: f1(requestsPerEvent),
      met: requestsPerEvent === 1,
    },
    {
      goal: 'peak RSS of a handler process ≤ 100 MiB after 3,000 events',
      measured:
        peakRssRunsMiB.length > 1
          ? `${f1(peakRssMiB)} MiB (median of ${peakRssRunsMiB.length} runs: ${peakRssRunsMiB.map(f1).join(', ')})`
          : `${f1(peakRssMiB)} MiB`,
      met: peakRssMiB <= 100,
    },
  );
  return checks;
}

export function doneWhenMarkdown(checks: Check[]): string {
  return [
    `**Done when (issue 16), from this run**: ${checks.filter((c) => c.met).length} of ${checks.length} met`,
    '',
    row(['goal', 'measured', '']),
    row(['---', '---:', '---']),
    ...checks.map((c) => row([c.goal, c.measured, c.met ? 'met' : '**not met**'])),
  ].join('\n');
}
