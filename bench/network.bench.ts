/**
 * Ours, the Powertools-style baseline and the raw-transaction reference (the same TransactWriteItems,
 * nothing else) in one run: first straight to DynamoDB Local, then through the latency proxy at each
 * setting of the latency model (bench/README.md). Events/s and per-event p50/p99 at concurrency 1, 8, 32.
 * Writes bench/results/network.json.
 *
 *   npx tsx bench/network.bench.ts [--latency 2,5,10] [--sigma 0.5] [--events 600]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableNamesForWorkspace } from '../shared/tables';
import { cpuSecondsOf } from './support/process-cpu';
import { describeModel, startLatencyProxy, type LatencyModel } from './support/latency-proxy';
import {
  baselineProcessor,
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
const CONCURRENCIES = [1, 8, 32];
const SIDES = ['reference', 'ours', 'baseline'] as const;
type Side = (typeof SIDES)[number];

const ourTables = tableNamesForWorkspace('nwours');
const refTables = tableNamesForWorkspace('nwref');
const baseTables = tableNamesForWorkspace('nwbase');

/** Fewer events where each costs many round trips: the whole bench stays within a few minutes. */
function eventsFor(model: LatencyModel | undefined, concurrency: number): number {
  if (!model) return concurrency === 1 ? Math.min(EVENTS, 300) : EVENTS;
  const perEventMs = 6 * model.medianMs * 1.2; // the baseline's six round trips bound the run
  return Math.max(60, Math.min(EVENTS, Math.round((6000 * concurrency) / perEventMs)));
}

async function runSetting(endpoint: string, emulatorPid: number, label: string, model: LatencyModel | undefined) {
  const ours = countingClient(endpoint);
  const ref = countingClient(endpoint);
  const base = countingClient(endpoint);
  const baseProcess = await baselineProcessor(base.client, baseTables, `Idempotency-${label}`);
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
      reference: referenceProcessor(ref.client, refTables, [...events.reference, ...warm.reference]),
      ours: oursProcessor(ours.client, ourTables),
      baseline: baseProcess,
    };
    const counters = { reference: ref.counter, ours: ours.counter, baseline: base.counter };
    for (const side of SIDES) await measure(processors[side], counters[side], warm[side], concurrency); // connections and JIT
    const measured = (s: Side) => ({ process: processors[s], counter: counters[s], events: events[s] });
    const result = await measureInTurns(
      { reference: measured('reference'), ours: measured('ours'), baseline: measured('baseline') },
      concurrency,
      { emulatorCpu: () => cpuSecondsOf(emulatorPid) },
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

async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024 });
  try {
    const seeder = countingClient(dynamo.endpoint);
    for (const [label, tables] of [
      ['ours', ourTables],
      ['ref', refTables],
      ['base', baseTables],
    ] as const)
      await seed(`nw${label}`, seeder.client, tables);
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
    const result = { measuredAt: new Date().toISOString(), sigma: SIGMA, mediansMs: MEDIANS_MS, settings };
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
