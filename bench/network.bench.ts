/**
 * Ours, the Powertools-style baseline and the raw-transaction reference (the same TransactWriteItems,
 * nothing else) in one run: first straight to DynamoDB Local, then through the latency proxy at each
 * setting of the latency model (bench/README.md). Events/s and per-event p50/p99 at concurrency 1, 8, 32.
 * Writes bench/results/network.json.
 *
 * Users are spread over --databases databases of one DynamoDB Local (one per access key), each event
 * sent to its user's: the emulator runs one transaction at a time per database, DynamoDB does not
 * (docs/development/performance.md#the-emulators-ceiling).
 *
 * Before any side is measured, --warm transactions go to scratch tables: the JVM compiles DynamoDB
 * Local's code over its first several thousand requests, spending up to twice the CPU per request
 * meanwhile, and DynamoDB itself is always warm.
 *
 *   npx tsx bench/network.bench.ts [--latency 2,5,10] [--sigma 0.5] [--events 600] [--databases 2] [--warm 6000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableNamesForWorkspace } from '../shared/tables';
import { cpuSecondsOf } from './support/process-cpu';
import { describeModel, startLatencyProxy, type LatencyModel } from './support/latency-proxy';
import {
  baselineProcessor,
  byUser,
  countingClient,
  measure,
  measureInTurns,
  oursProcessor,
  referenceProcessor,
  renderedEvents,
  seed,
  type Processor,
} from './support/ledger-setup';

const root = join(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const MEDIANS_MS = arg('latency', '2,5,10').split(',').map(Number);
const SIGMA = Number(arg('sigma', '0.5'));
const EVENTS = Number(arg('events', '600'));
const WARM = Number(arg('warm', '6000'));
const DATABASES = Array.from({ length: Number(arg('databases', '2')) }, (_, k) => `database${k}`);
const CONCURRENCIES = [1, 8, 32];
const SIDES = ['reference', 'ours', 'baseline'] as const;
type Side = (typeof SIDES)[number];

const ourTables = tableNamesForWorkspace('nwours');
const refTables = tableNamesForWorkspace('nwref');
const baseTables = tableNamesForWorkspace('nwbase');
const warmTables = tableNamesForWorkspace('nwwarm');

/**
 * Fewer events where each costs many round trips: the whole bench stays within a few minutes. Straight
 * to DynamoDB Local an event is cheap and the sides are within a few per cent of each other, so there
 * each side gets three times as many (a minute of load drift moves a short run by ±10 %).
 */
function eventsFor(model: LatencyModel | undefined, concurrency: number): number {
  if (!model) return concurrency === 1 ? EVENTS : 3 * EVENTS;
  const perEventMs = 6 * model.medianMs * 1.2; // the baseline's six round trips bound the run
  return Math.max(60, Math.min(EVENTS, Math.round((6000 * concurrency) / perEventMs)));
}

/** One side's clients, one per database, all counted in one counter. */
function sideClients(endpoint: string) {
  const counter = { requests: 0 };
  return { counter, clients: DATABASES.map((database) => countingClient(endpoint, { counter, database }).client) };
}

async function runSetting(endpoint: string, emulatorPid: number, label: string, model: LatencyModel | undefined) {
  const ours = sideClients(endpoint);
  const ref = sideClients(endpoint);
  const base = sideClients(endpoint);
  const baseProcess = byUser(
    await Promise.all(base.clients.map((client) => baselineProcessor(client, baseTables, `Idempotency-${label}`))),
  );
  const rows = [];
  for (const concurrency of CONCURRENCIES) {
    const n = eventsFor(model, concurrency);
    const events = {
      reference: renderedEvents(`${label}r${concurrency}`, n),
      ours: renderedEvents(`${label}o${concurrency}`, n),
      baseline: renderedEvents(`${label}b${concurrency}`, n),
    };
    const warm = {
      reference: renderedEvents(`${label}rw${concurrency}`, 2 * concurrency),
      ours: renderedEvents(`${label}ow${concurrency}`, 2 * concurrency),
      baseline: renderedEvents(`${label}bw${concurrency}`, 2 * concurrency),
    };
    const processors: Record<Side, Processor> = {
      reference: byUser(
        ref.clients.map((client) => referenceProcessor(client, refTables, [...events.reference, ...warm.reference])),
      ),
      ours: byUser(ours.clients.map((client) => oursProcessor(client, ourTables))),
      baseline: baseProcess,
    };
    const counters = { reference: ref.counter, ours: ours.counter, baseline: base.counter };
    for (const side of SIDES) await measure(processors[side], counters[side], warm[side], concurrency); // connections and JIT
    const measured = (s: Side) => ({ process: processors[s], counter: counters[s], events: events[s] });
    const result = await measureInTurns(
      { reference: measured('reference'), ours: measured('ours'), baseline: measured('baseline') },
      concurrency,
      // Six turns rather than three: a change in the machine's load splits more evenly between the sides.
      { rounds: 6, emulatorCpu: () => cpuSecondsOf(emulatorPid) },
    );
    rows.push({
      concurrency,
      events: n,
      ...result,
      oursOfReference: result.ours.eventsPerSecond / result.reference.eventsPerSecond,
      oursOverBaseline: result.ours.eventsPerSecond / result.baseline.eventsPerSecond,
    });
    const f = (side: Side) =>
      `${side} ${result[side].eventsPerSecond.toFixed(0)}/s p50 ${result[side].p50Ms.toFixed(1)} p99 ${result[side].p99Ms.toFixed(1)} ms, emulator ${result[side].emulatorCpuPercent.toFixed(0)} %`;
    console.log(`${label.padEnd(8)} c=${String(concurrency).padStart(2)} n=${n}: ${SIDES.map(f).join(' | ')}`);
  }
  return { label, model: model ? { ...model, description: describeModel(model) } : null, rows };
}

/**
 * Unmeasured traffic of both kinds before any side is measured, so that every side meets a warm JVM:
 * our transaction WARM times, and WARM / 3 of the baseline's events (six plain requests each).
 */
async function warmEmulator(endpoint: string): Promise<void> {
  const started = performance.now();
  const ours = renderedEvents('warm', WARM);
  const oursSide = sideClients(endpoint);
  const reference = byUser(oursSide.clients.map((c) => referenceProcessor(c, warmTables, ours)));
  await measure(reference, oursSide.counter, ours, 8);
  const baseSide = sideClients(endpoint);
  const baseline = byUser(
    await Promise.all(baseSide.clients.map((c) => baselineProcessor(c, warmTables, 'Idempotency-warm'))),
  );
  await measure(baseline, baseSide.counter, renderedEvents('warmb', Math.round(WARM / 3)), 8);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `warmed DynamoDB Local with ${oursSide.counter.requests + baseSide.counter.requests} requests in ${seconds.toFixed(0)} s`,
  );
}

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024, sharedDb: false });
  try {
    for (const database of DATABASES) {
      const seeder = countingClient(dynamo.endpoint, { database });
      for (const [label, tables] of [
        ['ours', ourTables],
        ['ref', refTables],
        ['base', baseTables],
        ['warm', warmTables],
      ] as const)
        await seed(`nw${label}`, seeder.client, tables);
    }
    await warmEmulator(dynamo.endpoint);
    const settings = [await runSetting(dynamo.endpoint, dynamo.pid, 'direct', undefined)];
    for (const medianMs of MEDIANS_MS) {
      const model = { medianMs, sigma: SIGMA };
      const proxy = await startLatencyProxy(dynamo.endpoint, model);
      try {
        settings.push({
          ...(await runSetting(proxy.endpoint, dynamo.pid, `rtt${medianMs}ms`, model)),
          proxy: { ...proxy.stats },
        } as (typeof settings)[number]);
      } finally {
        await proxy.close();
      }
    }
    const result = {
      measuredAt: new Date().toISOString(),
      sigma: SIGMA,
      mediansMs: MEDIANS_MS,
      databases: DATABASES.length,
      settings,
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'network.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
