// Child process of bench/handler-memory.bench.ts: a fresh Node process that imports one BUILT handler
// bundle, invokes its `handler(event, context)` for N valid video.rendered envelopes one after another
// (as one Lambda container would), and prints one JSON line with its memory figures.
// The parent sets the handler's environment (tables, DLQ URL, endpoints) and the node flags Lambda would
// pass (bench/support/lambda-node.ts), and creates the tables first.
//
//   node bench/support/memory-handler.mjs <bundle.mjs> <events> <users> <prefix>
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, eventsArg, usersArg, prefix = 'mem'] = process.argv.slice(2);
if (!bundle || !eventsArg || !usersArg) {
  process.stderr.write('usage: node memory-handler.mjs <bundle.mjs> <events> <users> [prefix]\n');
  process.exit(2);
}
const EVENTS = Number(eventsArg);
const USERS = Number(usersArg);
const SAMPLES = 20;

const mib = (bytes) => +(bytes / 1048576).toFixed(1);
const snapshot = () => {
  const m = process.memoryUsage();
  return {
    rssMiB: mib(m.rss),
    heapUsedMiB: mib(m.heapUsed),
    heapTotalMiB: mib(m.heapTotal),
    externalMiB: mib(m.external),
  };
};

function envelope(i) {
  return {
    version: '0',
    id: `${prefix}-ev-${i}`,
    'detail-type': 'video.rendered',
    source: 'video.generation',
    account: '123456789012',
    time: '2026-11-23T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { jobId: `${prefix}-job-${i}`, userId: `${prefix}-user-${i % USERS}`, seconds: 6, model: 'gen-standard' },
  };
}

function context(i) {
  const name = 'debit';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '1',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `${prefix}-req-${i}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const beforeImport = snapshot();
const importStarted = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - importStarted;
const afterImport = snapshot();
// Live heap after a full GC (needs --expose-gc): what the module graph itself retains.
globalThis.gc?.();
const retainedAfterImport = snapshot();

const outcomes = {};
const rssSamples = [];
const cpuStarted = process.cpuUsage();
// The last third of the events: by then V8 has compiled what the events run (a warm container).
const steadyFrom = Math.floor((EVENTS * 2) / 3);
let cpuAtSteady = cpuStarted;
const runStarted = performance.now();
let firstInvokeMs = 0;
for (let i = 0; i < EVENTS; i++) {
  const t = performance.now();
  const response = await handler(envelope(i), context(i));
  if (i === 0) firstInvokeMs = performance.now() - t;
  if (response?.status !== 'settled') throw new Error(`event ${i}: handler answered ${JSON.stringify(response)}`);
  outcomes[response.outcome] = (outcomes[response.outcome] ?? 0) + 1;
  if (i + 1 === steadyFrom) cpuAtSteady = process.cpuUsage();
  if ((i + 1) % Math.max(1, Math.floor(EVENTS / SAMPLES)) === 0)
    rssSamples.push({ events: i + 1, rssMiB: mib(process.memoryUsage().rss) });
}
const runMs = performance.now() - runStarted;
// The whole process's CPU (the JavaScript thread, V8's compiler and GC threads) per event.
const cpu = process.cpuUsage(cpuStarted);
const steadyCpu = process.cpuUsage(cpuAtSteady);
const afterRun = snapshot();
const { maxRSS } = process.resourceUsage(); // KiB on Linux and macOS
// After the peak is read: what the run left reachable (a leak shows here, garbage does not).
globalThis.gc?.();
const retainedAfterRun = snapshot();

process.stdout.write(
  `${JSON.stringify({
    bundle,
    events: EVENTS,
    outcomes,
    importMs: +importMs.toFixed(1),
    firstInvokeMs: +firstInvokeMs.toFixed(1),
    runMs: Math.round(runMs),
    cpuMsPerEvent: +((cpu.user + cpu.system) / 1000 / EVENTS).toFixed(3),
    steadyCpuMsPerEvent: +((steadyCpu.user + steadyCpu.system) / 1000 / (EVENTS - steadyFrom)).toFixed(3),
    eventsPerSecond: Math.round((EVENTS / runMs) * 1000),
    beforeImport,
    afterImport,
    afterRun,
    retainedAfterImport,
    retainedAfterRun,
    peakRssMiB: mib(maxRSS * 1024),
    rssSamples,
  })}\n`,
);
