/**
 * Cold start per bundle, ours beside the Powertools-style baseline: bytes, the metafile's top
 * contributors, median import time in a fresh process, and median time to the first answered event
 * (fresh process: import + one invocation against DynamoDB Local, as Lambda's INIT + first invoke),
 * over plain http, over https through a loopback TLS front (what Lambda does), and through the
 * latency model's middle setting.
 * Ours are built by build.mjs (handler options); the baseline with the common options only. The
 * first-event processes run with the function's NODE_OPTIONS and the flags Lambda adds (bench/support/lambda-node.ts).
 * Writes bench/results/coldstart.json.   npx tsx bench/coldstart.bench.ts [--runs 21]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { makeDynamoDbClient } from '../shared/aws/clients';
import { createTables } from '../local/tables';
import { grantCredits } from '../shared/ledger/manual-entries';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE_DEFINITION } from './baseline/powertools-debit';
import { medianImportMsEach } from './support/import-time';
import { startLatencyProxy } from './support/latency-proxy';
import { startTlsFront } from './support/tls-front';
import { makeLoopbackCert } from './support/loopback-cert';
import { median } from './support/pool';
import { lambdaProcess } from './support/lambda-node';

const root = join(import.meta.dirname, '..');
const CHILD = join(import.meta.dirname, 'support', 'first-event.mjs');
const runsIndex = process.argv.indexOf('--runs');
const RUNS = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 21;
/** The baseline entry (bench/baseline/debit-entry.ts) names its tables plainly. */
const BASELINE_TABLES: TableNames = { jobs: 'Jobs', credits: 'Credits', ledger: 'Ledger', settlements: 'Settlements' };
const OUR_TABLES = tableNamesForWorkspace('cold');
const LAMBDA = lambdaProcess(readFileSync(join(root, 'terraform', 'variables.tf'), 'utf8'));
const NODE_ARGS = LAMBDA.args;

/** Output bytes per package (or source folder) of a bundle, largest first. */
export function topContributors(metafile: Metafile, top = 6): { name: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
    bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
  }
  return [...bytes]
    .map(([name, b]) => ({ name, bytes: b }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

type FirstEventSample = { importMs: number; firstEventMs: number; sinceProcessStartMs: number; secondEventMs: number };

/** Async, one process after another: the latency proxy lives in this process and must keep serving. */
async function firstEventOnce(bundle: string, env: NodeJS.ProcessEnv, label: string): Promise<FirstEventSample> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...NODE_ARGS, CHILD, bundle, `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, 'cold-user'],
    { env, encoding: 'utf8' },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as FirstEventSample;
}

function medians(samples: FirstEventSample[]): FirstEventSample {
  const med = (key: keyof FirstEventSample) => median(samples.map((s) => s[key]));
  return {
    firstEventMs: med('firstEventMs'),
    sinceProcessStartMs: med('sinceProcessStartMs'),
    importMs: med('importMs'),
    secondEventMs: med('secondEventMs'),
  };
}

interface Side {
  bundle: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Ours and the baseline RUNS times each, alternating (and swapping which goes first), so that a change
 * in the machine's load during the measurement falls on both sides instead of on whichever ran later.
 */
async function firstEventMedians(ours: Side, baseline: Side, label: string) {
  const samples = { debit: [] as FirstEventSample[], baseline: [] as FirstEventSample[] };
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 === 0 ? (['debit', 'baseline'] as const) : (['baseline', 'debit'] as const);
    for (const side of order) {
      const { bundle, env } = side === 'debit' ? ours : baseline;
      samples[side].push(await firstEventOnce(bundle, env, `${label}-${side}`));
    }
  }
  return { debit: medians(samples.debit), baseline: medians(samples.baseline) };
}

function env(endpoint: string, tables: TableNames): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: LAMBDA.nodeOptions,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
    JOBS_TABLE: tables.jobs,
    CREDITS_TABLE: tables.credits,
    LEDGER_TABLE: tables.ledger,
    SETTLEMENTS_TABLE: tables.settlements,
    DLQ_URL: 'http://127.0.0.1:9/123456789012/cold-dlq',
    WORKSPACE: 'bench',
    LOG_LEVEL: 'silent',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/** Ours and the baseline through a loopback TLS front, each child trusting its fresh certificate. */
async function firstEventOverHttps(dynamoEndpoint: string, ours: string, baseline: string) {
  const cert = await makeLoopbackCert(join(root, 'bench', '.out', 'tls'));
  const front = await startTlsFront(dynamoEndpoint, cert);
  const httpsEnv = (tables: TableNames) => ({ ...env(front.endpoint, tables), NODE_EXTRA_CA_CERTS: cert.caFile });
  try {
    return await firstEventMedians(
      { bundle: ours, env: httpsEnv(OUR_TABLES) },
      { bundle: baseline, env: httpsEnv(BASELINE_TABLES) },
      'https',
    );
  } finally {
    await front.close();
  }
}

async function prepare(endpoint: string) {
  const client = makeDynamoDbClient({ endpoint, region: 'us-east-1', maxAttempts: 3 });
  for (const tables of [OUR_TABLES, BASELINE_TABLES]) {
    await createTables(client, tables);
    await grantCredits(
      { dynamodb: client, tables },
      { userId: 'cold-user', credits: 10_000_000, reference: `open-${tables.jobs}`, description: 'bench' },
    );
  }
  await client.send(new CreateTableCommand({ TableName: 'Idempotency', ...IDEMPOTENCY_TABLE_DEFINITION }));
  client.destroy();
}

async function main() {
  const { buildAll, bundleOptions } = await import('../build.mjs' as string);
  const ours = (await buildAll({ quiet: true })) as { handler: string; bundleBytes: number }[];
  const baselineFile = join(root, 'bench', '.out', 'baseline-debit', 'index.mjs');
  mkdirSync(join(root, 'bench', '.out', 'baseline-debit'), { recursive: true });
  const baselineMeta = (
    await build({
      ...bundleOptions,
      entryPoints: [join(root, 'bench', 'baseline', 'debit-entry.ts')],
      outfile: baselineFile,
    })
  ).metafile as Metafile;
  const built = ours.map((b) => {
    const meta = JSON.parse(readFileSync(join(root, 'dist', b.handler, 'meta.json'), 'utf8')) as Metafile;
    return {
      name: b.handler,
      file: join(root, 'dist', b.handler, 'index.mjs'),
      bundleBytes: b.bundleBytes,
      top: topContributors(meta),
    };
  });
  built.push({
    name: 'baseline-debit',
    file: baselineFile,
    bundleBytes: statSync(baselineFile).size,
    top: topContributors(baselineMeta),
  });
  const importMs = medianImportMsEach(
    built.map((b) => b.file),
    RUNS,
  );
  const bundles = built.map((b, i) => ({ ...b, importMs: importMs[i]! }));

  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 512 });
  try {
    await prepare(dynamo.endpoint);
    const debit = bundles.find((b) => b.name === 'debit')!;
    const firstEvent = await firstEventMedians(
      { bundle: debit.file, env: env(dynamo.endpoint, OUR_TABLES) },
      { bundle: baselineFile, env: env(dynamo.endpoint, BASELINE_TABLES) },
      'http',
    );
    // Beside it, the same through the latency model's middle setting: what a cold start costs in-region.
    const proxy = await startLatencyProxy(dynamo.endpoint, { medianMs: 5, sigma: 0.5 });
    const firstEventAt5ms = await firstEventMedians(
      { bundle: debit.file, env: env(proxy.endpoint, OUR_TABLES) },
      { bundle: baselineFile, env: env(proxy.endpoint, BASELINE_TABLES) },
      'rtt5',
    );
    await proxy.close();
    // And over https, as a Lambda function reaches DynamoDB (bench/support/tls-front.ts says why).
    const firstEventHttps = await firstEventOverHttps(dynamo.endpoint, debit.file, baselineFile);
    const base = bundles.at(-1)!;
    const ratios = {
      debitBundleBytes: debit.bundleBytes,
      importOfBaseline: debit.importMs / base.importMs,
      firstEventOfBaseline: firstEvent.debit.firstEventMs / firstEvent.baseline.firstEventMs,
      firstEventOfBaselineAt5ms: firstEventAt5ms.debit.firstEventMs / firstEventAt5ms.baseline.firstEventMs,
      firstEventOfBaselineHttps: firstEventHttps.debit.firstEventMs / firstEventHttps.baseline.firstEventMs,
    };
    for (const b of bundles)
      console.log(
        `${b.name.padEnd(16)} ${(b.bundleBytes / 1024).toFixed(1).padStart(7)} KiB  import ${b.importMs.toFixed(1)} ms  top: ${b.top
          .slice(0, 3)
          .map((t) => `${t.name} ${(t.bytes / 1024).toFixed(0)}K`)
          .join(', ')}`,
      );
    console.log(
      `first answered event: ${JSON.stringify({ firstEvent, firstEventHttps })}; ratios ${JSON.stringify(ratios)}`,
    );
    const result = {
      measuredAt: new Date().toISOString(),
      runs: RUNS,
      bundles: bundles.map(({ file: _file, ...rest }) => rest),
      firstEvent,
      firstEventHttps,
      firstEventAt5ms,
      ratios,
    };
    writeFileSync(join(root, 'bench', 'results', 'coldstart.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
