/**
 * Peak memory of a handler process: a fresh Node process (bench/support/memory-handler.mjs) imports
 * the BUILT debit bundle (dist/debit/index.mjs, the file Lambda runs), reads its configuration from
 * the environment like Lambda, and handles N valid video.rendered envelopes one after another against
 * DynamoDB Local. Reports the process's peak RSS (process.resourceUsage().maxRSS) and RSS before
 * import, after import and after the run, next to the peak RSS of an empty Node process on the same
 * machine. The child runs with the function's NODE_OPTIONS and the flags Lambda's bootstrap adds
 * (bench/support/lambda-node.ts), so the figure is what a Lambda container of that size would see.
 * One run's peak moves by ±6 MiB from run to run on the same code (measured: 90–103 MiB), so the
 * child runs --runs times (each with its own jobs) and the peak reported is the median run's, with
 * every run's peak beside it. Each run is followed by one with `--jitless` added to NODE_OPTIONS, which is
 * not deployed: it shows what V8's compilers cost in memory and what they save in CPU per event
 * (docs/development/performance.md#handler-memory says why the functions keep them). Writes
 * bench/results/memory.json.
 *
 *   npx tsx bench/handler-memory.bench.ts [--events N] [--runs N]   # defaults 2000, 3
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { grantCredits } from '../shared/ledger/manual-entries';
import { createTables } from '../local/tables';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';
import { forEachBounded } from '../shared/pool';
import { lambdaProcess } from './support/lambda-node';

const root = join(import.meta.dirname, '..');
const BUNDLE = join(root, 'dist', 'debit', 'index.mjs');
const CHILD = join(import.meta.dirname, 'support', 'memory-handler.mjs');
const RESULTS = join(import.meta.dirname, 'results', 'memory.json');
const numberArg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = numberArg('events', 2000);
const RUNS = numberArg('runs', 3);
const USERS = 50;
/** What Terraform gives every function: the child gets its NODE_OPTIONS and the flags Lambda adds to them. */
const LAMBDA = lambdaProcess(readFileSync(join(root, 'terraform', 'variables.tf'), 'utf8'));
const LAMBDA_MEMORY_MB = LAMBDA.memoryMb;
const NODE_ARGS = LAMBDA.args;

/** The function as deployed, and the same with a flag added that is measured but not deployed. */
const VARIANTS = [
  { name: 'deployed', nodeOptions: LAMBDA.nodeOptions },
  { name: '--jitless', nodeOptions: `${LAMBDA.nodeOptions} --jitless` },
] as const;
type Variant = (typeof VARIANTS)[number];

/** The environment the handler process gets: exactly what Lambda would set, plus local endpoints. */
function handlerEnv(endpoint: string, tables: TableNames, nodeOptions: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    // The function's own (terraform/locals.tf node_options), not the Makefile's --enable-source-maps.
    NODE_OPTIONS: nodeOptions,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    // Never contacted: every event is valid, so nothing goes to the DLQ.
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
    JOBS_TABLE: tables.jobs,
    CREDITS_TABLE: tables.credits,
    LEDGER_TABLE: tables.ledger,
    SETTLEMENTS_TABLE: tables.settlements,
    DLQ_URL: 'http://127.0.0.1:9/123456789012/memory-bench-dlq',
    WORKSPACE: 'bench',
    LOG_LEVEL: 'silent',
  };
}

interface Snapshot {
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}
interface ChildResult {
  bundle: string;
  events: number;
  outcomes: Record<string, number>;
  importMs: number;
  firstInvokeMs: number;
  runMs: number;
  cpuMsPerEvent: number;
  /** Over the last third of the events, when V8 has compiled what they run: a warm container. */
  steadyCpuMsPerEvent: number;
  eventsPerSecond: number;
  beforeImport: Snapshot;
  afterImport: Snapshot;
  afterRun: Snapshot;
  retainedAfterImport: Snapshot;
  retainedAfterRun: Snapshot;
  peakRssMiB: number;
  rssSamples: { events: number; rssMiB: number }[];
}

function runChild(env: NodeJS.ProcessEnv, prefix: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, CHILD, BUNDLE, String(EVENTS), String(USERS), prefix], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`handler process exited with code ${code}`));
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`handler process printed no result: ${stdout.slice(-500)}`));
      }
    });
  });
}

/** Peak RSS of a Node process that does nothing: the floor under every figure above. */
function emptyNodePeakMiB(): number {
  const out = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], {
    env: { PATH: process.env.PATH, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return +(Number(out) / 1024).toFixed(1);
}

/** The users one run's events charge (the child names them `<prefix>-user-<i>`), each with enough credits. */
async function grantUsers(client: DynamoDBClient, tables: TableNames, prefix: string): Promise<void> {
  await forEachBounded(
    Array.from({ length: USERS }, (_, i) => i),
    8,
    (i) =>
      grantCredits(
        { dynamodb: client, tables },
        { userId: `${prefix}-user-${i}`, credits: 1_000_000, reference: `${prefix}-open-${i}`, description: 'bench' },
      ),
  );
}

/**
 * RUNS rounds of fresh handler processes one after another, one per variant in each round (so a change
 * in the machine's load falls on both), each on its own users and jobs; every one must debit all its events.
 */
async function runAll(
  endpoint: string,
  client: DynamoDBClient,
  tables: TableNames,
): Promise<Map<Variant, ChildResult[]>> {
  const runs = new Map<Variant, ChildResult[]>(VARIANTS.map((v) => [v, []]));
  for (let r = 1; r <= RUNS; r++) {
    for (const [i, variant] of VARIANTS.entries()) {
      const prefix = `mem${r}v${i}`;
      await grantUsers(client, tables, prefix);
      process.stderr.write(
        `handler process ${r}/${RUNS} (${variant.name}): ${EVENTS} video.rendered events through dist/debit/index.mjs…\n`,
      );
      const run = await runChild(handlerEnv(endpoint, tables, variant.nodeOptions), prefix);
      if (run.outcomes.debited !== EVENTS)
        throw new Error(`run ${r} (${variant.name}): expected ${EVENTS} debits, got ${JSON.stringify(run.outcomes)}`);
      runs.get(variant)!.push(run);
    }
  }
  return runs;
}

/** The run whose peak RSS is the median (the lower middle one for an even count). */
function medianRun(runs: ChildResult[]): ChildResult {
  const sorted = [...runs].sort((a, b) => a.peakRssMiB - b.peakRssMiB);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** memory.json: the deployed variant's median run (what the goal is judged on), the other variant beside it. */
function memoryResult(runsByVariant: Map<Variant, ChildResult[]>, emptyNode: number) {
  const runs = runsByVariant.get(VARIANTS[0])!;
  const run = medianRun(runs);
  const jitlessRuns = runsByVariant.get(VARIANTS[1])!;
  const jitless = medianRun(jitlessRuns);
  return {
    measuredAt: new Date().toISOString(),
    node: process.version,
    handler: 'debit',
    bundle: 'dist/debit/index.mjs',
    events: EVENTS,
    users: USERS,
    lambdaMemoryMb: LAMBDA_MEMORY_MB,
    nodeArgs: NODE_ARGS,
    nodeOptions: LAMBDA.nodeOptions,
    runs: RUNS,
    peakRssRunsMiB: runs.map((r) => r.peakRssMiB),
    note: "median of the runs by peak RSS, every run a fresh Node process with the function's NODE_OPTIONS and the flags Lambda's bootstrap adds for this memory size, LOG_LEVEL=silent (gc() only after import and after the peak is read), events invoked sequentially against DynamoDB Local; peak = process.resourceUsage().maxRSS",
    peakRssMiB: run.peakRssMiB,
    rssBeforeImportMiB: run.beforeImport.rssMiB,
    rssAfterImportMiB: run.afterImport.rssMiB,
    rssAfterRunMiB: run.afterRun.rssMiB,
    heapUsedAfterImportMiB: run.afterImport.heapUsedMiB,
    heapUsedAfterRunMiB: run.afterRun.heapUsedMiB,
    heapLiveAfterImportMiB: run.retainedAfterImport.heapUsedMiB,
    heapLiveAfterRunMiB: run.retainedAfterRun.heapUsedMiB,
    emptyNodePeakRssMiB: emptyNode,
    importMs: run.importMs,
    firstInvokeMs: run.firstInvokeMs,
    runMs: run.runMs,
    cpuMsPerEvent: run.cpuMsPerEvent,
    steadyCpuMsPerEvent: run.steadyCpuMsPerEvent,
    eventsPerSecond: run.eventsPerSecond,
    notDeployed: {
      flag: '--jitless',
      nodeOptions: VARIANTS[1].nodeOptions,
      peakRssMiB: jitless.peakRssMiB,
      peakRssRunsMiB: jitlessRuns.map((r) => r.peakRssMiB),
      rssAfterImportMiB: jitless.afterImport.rssMiB,
      rssAfterRunMiB: jitless.afterRun.rssMiB,
      heapLiveAfterImportMiB: jitless.retainedAfterImport.heapUsedMiB,
      heapLiveAfterRunMiB: jitless.retainedAfterRun.heapUsedMiB,
      rssBeforeImportMiB: jitless.beforeImport.rssMiB,
      cpuMsPerEvent: jitless.cpuMsPerEvent,
      steadyCpuMsPerEvent: jitless.steadyCpuMsPerEvent,
      eventsPerSecond: jitless.eventsPerSecond,
    },
    outcomes: run.outcomes,
    rssSamples: run.rssSamples,
  };
}

function printSummary(result: ReturnType<typeof memoryResult>): void {
  console.log(
    `\npeak RSS of a debit handler process after ${result.events} events: ${result.peakRssMiB} MiB, median of ${result.runs} runs (${result.peakRssRunsMiB.join(', ')}) (Lambda memory ${result.lambdaMemoryMb} MB: ${NODE_ARGS.join(' ')}, NODE_OPTIONS=${LAMBDA.nodeOptions})`,
  );
  console.log(
    `  RSS before import ${result.rssBeforeImportMiB} MiB, after import ${result.rssAfterImportMiB} MiB, after the run ${result.rssAfterRunMiB} MiB`,
  );
  console.log(
    `  heap used after import ${result.heapUsedAfterImportMiB} MiB, after the run ${result.heapUsedAfterRunMiB} MiB; empty Node process peak ${result.emptyNodePeakRssMiB} MiB`,
  );
  console.log(
    `  live heap after a full GC: ${result.heapLiveAfterImportMiB} MiB after import, ${result.heapLiveAfterRunMiB} MiB after the run`,
  );
  console.log(
    `  import ${result.importMs} ms, first invoke ${result.firstInvokeMs} ms, ${result.eventsPerSecond} events/s sequential, ${result.cpuMsPerEvent} ms CPU per event (${result.steadyCpuMsPerEvent} over the last third)`,
  );
  console.log(
    `  with --jitless (not deployed): peak ${result.notDeployed.peakRssMiB} MiB (${result.notDeployed.peakRssRunsMiB.join(', ')}), ${result.notDeployed.cpuMsPerEvent} ms CPU per event (${result.notDeployed.steadyCpuMsPerEvent} over the last third), ${result.notDeployed.eventsPerSecond} events/s`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(BUNDLE)) {
    process.stderr.write('dist/debit/index.mjs missing: running node build.mjs\n');
    execFileSync(process.execPath, [join(root, 'build.mjs')], { cwd: root, stdio: 'inherit' });
  }
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024 });
  try {
    const client = makeDynamoDbClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 3 });
    const tables: TableNames = tableNamesForWorkspace('memory');
    await createTables(client, tables);
    const runsByVariant = await runAll(dynamo.endpoint, client, tables);
    client.destroy();
    const result = memoryResult(runsByVariant, emptyNodePeakMiB());
    printSummary(result);
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`wrote ${RESULTS}\n`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
