/**
 * `make bench`: runs every benchmark, one after another, each in its own process (no shared heap, JIT
 * or sockets), then writes bench/results.json (one object: when, on what machine, every section) and
 * bench/RESULTS.md (the Markdown tables docs/development/performance.md links to), and prints
 * the Markdown.
 *
 *   npx tsx bench/run-all.ts                 # every bench, then the report (a few minutes on 2 cores)
 *   npx tsx bench/run-all.ts --report-only   # rebuild the report from bench/results/*.json
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType, arch } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { endToEndMarkdown, type EndToEndResult } from './support/e2e-report';
import {
  coldStartMarkdown,
  doneWhen,
  doneWhenMarkdown,
  networkMarkdown,
  type ColdStartResult,
  type NetworkResult,
} from './support/issue16-report';

const root = join(import.meta.dirname, '..');
const RESULTS_DIR = join(import.meta.dirname, 'results');

/** Sizes chosen so the whole run stays around 4 minutes on 2 cores (DynamoDB Local shares them). */
const LEDGER_EVENTS = 1500;
const REPLAY_MESSAGES = 2000;
const MEMORY_EVENTS = 3000;
const HOLD_RESERVES = 1000;
/** The latency model's settings (bench/README.md); override with BENCH_LATENCY_MS=2,5,10 BENCH_LATENCY_SIGMA=0.5. */
const LATENCY_MEDIANS_MS = process.env.BENCH_LATENCY_MS ?? '2,5,10';
const LATENCY_SIGMA = Number(process.env.BENCH_LATENCY_SIGMA ?? '0.5');
const COLD_START_RUNS = 21;
/** End to end runs at the latency model's middle setting, the one the Done-when ratios are judged on. */
const E2E_LATENCY_MS = '5';
const E2E_EVENTS = 300;

interface Bench {
  name: string;
  file: string;
  args: string[];
  json: string;
}
const BENCHES: Bench[] = [
  { name: 'ledger', file: 'bench/ledger.bench.ts', args: ['--events', String(LEDGER_EVENTS)], json: 'ledger.json' },
  { name: 'sweep', file: 'bench/sweep.bench.ts', args: [], json: 'sweep.json' },
  { name: 'replay', file: 'bench/replay.bench.ts', args: [String(REPLAY_MESSAGES)], json: 'replay.json' },
  {
    name: 'memory',
    file: 'bench/handler-memory.bench.ts',
    args: ['--events', String(MEMORY_EVENTS)],
    json: 'memory.json',
  },
  { name: 'holds', file: 'bench/holds.bench.ts', args: ['--reserves', String(HOLD_RESERVES)], json: 'holds.json' },
  {
    name: 'network',
    file: 'bench/network.bench.ts',
    args: ['--latency', LATENCY_MEDIANS_MS, '--sigma', String(LATENCY_SIGMA)],
    json: 'network.json',
  },
  {
    name: 'coldstart',
    file: 'bench/coldstart.bench.ts',
    args: ['--runs', String(COLD_START_RUNS)],
    json: 'coldstart.json',
  },
  {
    name: 'e2e',
    file: 'bench/e2e.bench.ts',
    args: ['--latency', E2E_LATENCY_MS, '--sigma', String(LATENCY_SIGMA), '--events', String(E2E_EVENTS)],
    json: 'e2e.json',
  },
];

// ---- the shapes of the four JSON files (what the report reads) ----
interface LedgerResult {
  measuredAt: string;
  events: number;
  rows: { concurrency: number; ours: number; baseline: number; ratio: number }[];
  paths: Record<'ours' | 'baseline', { common: number; duplicate: number }>;
  bundles: { name: string; bundleBytes: number; zipBytes: number; importMs: number }[];
}
interface SweepRow {
  settledJobs: number;
  stragglers: number;
  sweepMs: number;
  sweepRequests: number;
  indexItemsRead: number;
  settled: number;
  naiveScanRequests: number;
  naiveScanMs: number;
}
interface SweepResult {
  measuredAt: string;
  note: string;
  rows: SweepRow[];
  ratio: { requests: number; time: number; naiveScanRequests: number; naiveScanTime: number };
}
interface ReplayResult {
  measuredAt: string;
  messages: number;
  drainMs: number;
  messagesPerSecond: number;
  endToEndSettledMs: number;
  endToEndSettledPerSecond: number;
  putEventsRequests: number;
  handlerInvocations: number;
  handlerErrors: number;
  summary: { replayed: number; failed: number };
}
interface HoldsResult {
  measuredAt: string;
  reserves: number;
  rows: Record<string, { writes: number; reads: number; requests: number; perSecond: number }>;
}
interface MemoryResult {
  measuredAt: string;
  handler: string;
  events: number;
  lambdaMemoryMb: number;
  nodeOptions: string;
  /** The median run's; every run's in peakRssRunsMiB (older results have one run and no list). */
  peakRssMiB: number;
  runs?: number;
  peakRssRunsMiB?: number[];
  rssBeforeImportMiB: number;
  rssAfterImportMiB: number;
  rssAfterRunMiB: number;
  heapLiveAfterImportMiB: number;
  heapLiveAfterRunMiB: number;
  emptyNodePeakRssMiB: number;
  /** Older results have neither. */
  cpuMsPerEvent?: number;
  steadyCpuMsPerEvent?: number;
  notDeployed?: MemoryFigures & {
    flag: string;
    peakRssRunsMiB: number[];
    cpuMsPerEvent: number;
    steadyCpuMsPerEvent: number;
  };
}
type MemoryFigures = Pick<
  MemoryResult,
  | 'peakRssMiB'
  | 'rssBeforeImportMiB'
  | 'rssAfterImportMiB'
  | 'rssAfterRunMiB'
  | 'heapLiveAfterImportMiB'
  | 'heapLiveAfterRunMiB'
>;

/** One row of the memory table: a variant's median run. */
function memoryRow(
  name: string,
  m: MemoryFigures,
  runs: number[],
  cpu: { all?: number; steady?: number },
  emptyNode: number,
) {
  return [
    name,
    f1(m.peakRssMiB),
    runs.map(f1).join(', '),
    f1(m.rssBeforeImportMiB),
    f1(m.rssAfterImportMiB),
    f1(m.rssAfterRunMiB),
    `${f1(m.heapLiveAfterImportMiB)} → ${f1(m.heapLiveAfterRunMiB)}`,
    cpu.all === undefined ? '—' : `${cpu.all.toFixed(2)} / ${cpu.steady?.toFixed(2) ?? '—'}`,
    f1(emptyNode),
  ];
}

/** Runs one bench as `npx tsx <file>`, streaming its output with a prefix; identical lines past the third are counted, not printed. */
function runBench(bench: Bench): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    process.stdout.write(`\n=== ${bench.name}: npx tsx ${[bench.file, ...bench.args].join(' ')}\n`);
    const child = spawn('npx', ['tsx', bench.file, ...bench.args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen = new Map<string, number>();
    const stream = (source: NodeJS.ReadableStream, target: NodeJS.WriteStream) => {
      let pending = '';
      const emit = (line: string) => {
        const count = (seen.get(line) ?? 0) + 1;
        seen.set(line, count);
        if (count <= 3 || line.trim() === '') target.write(`[${bench.name}] ${line}\n`);
      };
      source.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(emit);
      });
      source.on('end', () => {
        if (pending) emit(pending);
      });
    };
    stream(child.stdout, process.stdout);
    stream(child.stderr, process.stderr);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const [line, count] of seen) {
        if (count > 3 && line.trim() !== '')
          process.stderr.write(
            `[${bench.name}] (the line "${line.slice(0, 100)}" was printed ${count} times; ${count - 3} not shown)\n`,
          );
      }
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0)
        return reject(
          new Error(`${bench.name} bench failed (${signal ?? `exit code ${code}`}) after ${seconds.toFixed(0)} s`),
        );
      process.stdout.write(`=== ${bench.name}: done in ${seconds.toFixed(0)} s\n`);
      resolve(seconds);
    });
  });
}

function readResult<T extends { measuredAt: string }>(bench: Bench, notBefore?: number): T {
  const path = join(RESULTS_DIR, bench.json);
  if (!existsSync(path)) throw new Error(`${bench.name}: ${path} is missing (run the bench first)`);
  const result = JSON.parse(readFileSync(path, 'utf8')) as T;
  if (notBefore !== undefined && Date.parse(result.measuredAt) < notBefore) {
    throw new Error(`${bench.name}: ${path} was measured at ${result.measuredAt}, before this run started`);
  }
  return result;
}

function machine() {
  const cpuList = cpus();
  let osName = `${osType()} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) osName = `${pretty} (${osType()} ${release()})`;
  } catch {
    /* not Linux: keep os.type() */
  }
  const cpuModel = (cpuList[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const ramGiB = +(totalmem() / 1024 ** 3).toFixed(1);
  return {
    cpuModel,
    cpuCount: cpuList.length,
    ramGiB,
    node: process.version,
    os: osName,
    arch: arch(),
    summary: `${cpuList.length} × ${cpuModel}, ${ramGiB} GiB RAM, Node ${process.version}, ${osName} ${arch()}`,
  };
}

// ---- Markdown ----
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const x = (n: number) => `${n.toFixed(2)}×`;
function table(header: string[], rows: (string | number)[][], align: ('l' | 'r')[]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, sep, ...rows.map((r) => r.map(String))].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

type ReportInput = {
  measuredAt: string;
  machine: ReturnType<typeof machine>;
  totalSeconds?: number;
  ledger: LedgerResult;
  sweep: SweepResult;
  replay: ReplayResult;
  memory: MemoryResult;
  holds: HoldsResult;
};

/** When and where, then requests per event, events/s and bundles: the handler against the baseline. */
function handlerSections(r: ReportInput): string[] {
  const { ledger } = r;
  const date = `${r.measuredAt.slice(0, 10)} ${r.measuredAt.slice(11, 16)} UTC`;
  const c1 = ledger.rows.find((row) => row.concurrency === 1);
  const baselineName = 'Powertools-style baseline';
  return [
    `Measured ${date} on ${r.machine.summary}.`,
    `Every number comes from one \`make bench\` run${r.totalSeconds ? ` (${(r.totalSeconds / 60).toFixed(1)} min)` : ''} against DynamoDB Local (in memory) on the same machine, so absolute`,
    'figures are local ones; the comparisons (ours vs the baseline in the same run, 1k vs 100k settled jobs) are the point.',
    '',
    '**DynamoDB requests per event** (HTTP requests counted by an SDK middleware, at concurrency 8)',
    '',
    table(
      ['path', 'ours', baselineName],
      [
        ['common: new `video.rendered` job', f1(ledger.paths.ours.common), f1(ledger.paths.baseline.common)],
        ['duplicate: the same event again', f1(ledger.paths.ours.duplicate), f1(ledger.paths.baseline.duplicate)],
      ],
      ['l', 'r', 'r'],
    ),
    '',
    `**Events/s** (${f0(ledger.events)} new events per run${c1 ? `, ${f0(Math.min(ledger.events, 400))} at concurrency 1` : ''}; both in the same run on the same DynamoDB Local)`,
    '',
    table(
      ['concurrency', 'ours', baselineName, 'ratio'],
      ledger.rows.map((row) => [row.concurrency, f0(row.ours), f0(row.baseline), x(row.ratio)]),
      ['r', 'r', 'r', 'r'],
    ),
    '',
    '**Bundles** (esbuild, minified ESM, AWS SDK bundled; import = median of 15 fresh `node` processes importing the bundle)',
    '',
    table(
      ['bundle', 'index.mjs KiB', 'zip KiB (incl. source map)', 'median import ms'],
      ledger.bundles.map((b) => [
        b.name,
        f1(b.bundleBytes / 1024),
        b.zipBytes > 0 ? f1(b.zipBytes / 1024) : '—',
        f1(b.importMs),
      ]),
      ['l', 'r', 'r', 'r'],
    ),
    '',
  ];
}

/** Memory of a handler process. */
function memorySection(memory: MemoryResult): string[] {
  const runs = memory.peakRssRunsMiB ?? [memory.peakRssMiB];
  return [
    `**Memory of a handler process** (fresh \`node\` importing \`dist/${memory.handler}/index.mjs\`, ${f0(memory.events)} valid events invoked one after another; Lambda gives it ${memory.lambdaMemoryMb} MB, and it runs with \`NODE_OPTIONS=${memory.nodeOptions}\`: docs/development/performance.md#handler-memory; ${runs.length} such processes one after another${memory.notDeployed ? `, each followed by one with \`${memory.notDeployed.flag}\` added` : ''}; the figures are the median run's by peak RSS; CPU = the process's user + system time per event, over all the events and over the last third, when V8 has compiled what they run)`,
    '',
    table(
      [
        'handler',
        'peak RSS MiB',
        'peak RSS of each run',
        'RSS before import',
        'RSS after import',
        `RSS after ${f0(memory.events)} events`,
        'live heap after GC: import → run',
        'CPU ms per event: all / last third',
        'empty `node` peak RSS',
      ],
      [
        memoryRow(
          memory.handler,
          memory,
          runs,
          { all: memory.cpuMsPerEvent, steady: memory.steadyCpuMsPerEvent },
          memory.emptyNodePeakRssMiB,
        ),
        ...(memory.notDeployed
          ? [
              memoryRow(
                `${memory.handler} with \`${memory.notDeployed.flag}\` added (measured, not deployed)`,
                memory.notDeployed,
                memory.notDeployed.peakRssRunsMiB,
                { all: memory.notDeployed.cpuMsPerEvent, steady: memory.notDeployed.steadyCpuMsPerEvent },
                memory.emptyNodePeakRssMiB,
              ),
            ]
          : []),
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  ];
}

/** The sweep against settled history, DLQ replay, and holds. */
function historySections(r: ReportInput): string[] {
  const { sweep, replay, holds } = r;
  const first = sweep.rows[0]!;
  const last = sweep.rows.at(-1)!;
  return [
    `**Sweep cost vs settled history** (one sweep over ${first.stragglers} stragglers; median of the sweep runs per size; naive = full-table Scan of Jobs)`,
    '',
    table(
      ['settled jobs', 'sweep requests', 'sweep ms', 'naive Scan requests', 'naive Scan ms'],
      [
        ...sweep.rows.map((row) => [
          f0(row.settledJobs),
          f0(row.sweepRequests),
          f0(row.sweepMs),
          f0(row.naiveScanRequests),
          f0(row.naiveScanMs),
        ]),
        [
          `ratio ${f0(last.settledJobs / 1000)}k / ${f0(first.settledJobs / 1000)}k`,
          x(sweep.ratio.requests),
          x(sweep.ratio.time),
          x(sweep.ratio.naiveScanRequests),
          x(sweep.ratio.naiveScanTime),
        ],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    `**DLQ replay throughput** (${f0(replay.messages)} messages, all four DLQ shapes, fauxqs → local EventBridge → real handlers → DynamoDB Local)`,
    '',
    table(
      [
        'messages',
        'drain ms',
        'drained msg/s',
        'PutEvents requests',
        'settled end-to-end ms',
        'settled events/s',
        'handler errors',
      ],
      [
        [
          f0(replay.messages),
          f0(replay.drainMs),
          f0(replay.messagesPerSecond),
          f0(replay.putEventsRequests),
          f0(replay.endToEndSettledMs),
          f0(replay.endToEndSettledPerSecond),
          f0(replay.handlerErrors),
        ],
      ],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `**Holds** (DynamoDB requests per operation, writes and reads counted apart; ${f0(holds.reserves)} reserves at concurrency 8; a transaction returns no item values, so a reserve reads the balance once for its exact \`availableAfter\`)`,
    '',
    table(
      ['operation', 'writes', 'reads', 'requests', 'ops/s'],
      Object.entries(holds.rows).map(([name, row]) => [
        name,
        f2(row.writes),
        f2(row.reads),
        f2(row.requests),
        f0(row.perSecond),
      ]),
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
  ];
}

function markdown(r: ReportInput): string {
  return [...handlerSections(r), ...memorySection(r.memory), ...historySections(r)].join('\n');
}

function uptimeLoad(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown (no uptime command)';
  }
}

interface PreviousRun {
  measuredAt: string;
  totalSeconds?: number;
  benchSeconds?: Record<string, number>;
  /** `uptime` at the end of that run. */
  load?: string;
}
function previousRun(sections: { measuredAt: string }[]): PreviousRun | undefined {
  const path = join(import.meta.dirname, 'results.json');
  if (!existsSync(path)) return undefined;
  const run = JSON.parse(readFileSync(path, 'utf8')) as PreviousRun;
  const start = Date.parse(run.measuredAt);
  const end = start + (run.totalSeconds ?? 0) * 1000 + 1000;
  return sections.every((s) => Date.parse(s.measuredAt) >= start && Date.parse(s.measuredAt) <= end) ? run : undefined;
}

async function main(): Promise<void> {
  const reportOnly = process.argv.includes('--report-only');
  const started = Date.now();
  const durations: Record<string, number> = {};
  if (!reportOnly) {
    for (const bench of BENCHES) durations[bench.name] = Math.round(await runBench(bench));
  }
  const notBefore = reportOnly ? undefined : started;
  const [ledgerB, sweepB, replayB, memoryB, holdsB, networkB, coldB, e2eB] = BENCHES as [
    Bench,
    Bench,
    Bench,
    Bench,
    Bench,
    Bench,
    Bench,
    Bench,
  ];
  const ledger = readResult<LedgerResult>(ledgerB, notBefore);
  const sweep = readResult<SweepResult>(sweepB, notBefore);
  const replay = readResult<ReplayResult>(replayB, notBefore);
  const memory = readResult<MemoryResult>(memoryB, notBefore);
  const holds = readResult<HoldsResult>(holdsB, notBefore);
  const network = readResult<NetworkResult>(networkB, notBefore);
  const coldStart = readResult<ColdStartResult>(coldB, notBefore);
  const endToEnd = readResult<EndToEndResult>(e2eB, notBefore);
  const checks = doneWhen(network, coldStart, ledger.paths.ours.common, memory.peakRssMiB, memory.peakRssRunsMiB);
  // --report-only keeps the run's own date, timings and load when every section still comes from that run.
  const previous = reportOnly
    ? previousRun([ledger, sweep, replay, memory, holds, network, coldStart, endToEnd])
    : undefined;
  const totalSeconds = reportOnly ? previous?.totalSeconds : Math.round((Date.now() - started) / 1000);
  const report = {
    measuredAt: reportOnly ? (previous?.measuredAt ?? ledger.measuredAt) : new Date(started).toISOString(),
    machine: machine(),
    dynamodb: 'DynamoDB Local (in memory) on the same machine',
    settings: {
      ledgerEvents: LEDGER_EVENTS,
      replayMessages: REPLAY_MESSAGES,
      memoryEvents: MEMORY_EVENTS,
      holdReserves: HOLD_RESERVES,
    },
    ...(totalSeconds !== undefined
      ? { totalSeconds, benchSeconds: reportOnly ? previous?.benchSeconds : durations }
      : {}),
    // The load is the run's: uptime now would describe the machine at report time, not while measuring.
    load: reportOnly ? (previous?.load ?? 'not recorded (report rebuilt from sections of another run)') : uptimeLoad(),
    ledger,
    sweep,
    replay,
    memory,
    holds,
    network,
    coldStart,
    endToEnd,
    doneWhen: checks,
  };
  writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = [
    markdown(report),
    `Load while measuring (\`uptime\` at the end of the run, 2 cores shared with other work): ${report.load}.`,
    '',
    doneWhenMarkdown(checks),
    '',
    networkMarkdown(network),
    '',
    coldStartMarkdown(coldStart),
    '',
    endToEndMarkdown(endToEnd),
    '',
  ].join('\n');
  writeFileSync(join(import.meta.dirname, 'RESULTS.md'), `# Benchmark results\n\n${md}`);
  process.stdout.write(`\nwrote bench/results.json and bench/RESULTS.md\n\n${md}`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
