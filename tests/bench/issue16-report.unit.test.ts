/**
 * The bench's Done-when checks (bench/support/issue16-report.ts) judge from the numbers given: a run
 * that meets every goal is all met, and a broken run (slow, heavy, chatty) is caught goal by goal.
 * The latency model's draw is lognormal around its median.
 */
import {
  doneWhen,
  middleSetting,
  networkMarkdown,
  type ColdStartResult,
  type NetworkResult,
} from '../../bench/support/issue16-report';
import { sampleDelayMs } from '../../bench/support/latency-proxy';

const side = (eventsPerSecond: number, p50Ms: number, p99Ms: number) => ({
  eventsPerSecond,
  requestsPerEvent: 1,
  p50Ms,
  p99Ms,
});
function network(oursOfReference: number, oursOverBaseline: number, oursP99: number): NetworkResult {
  const rows = [1, 8, 32].map((concurrency) => ({
    concurrency,
    events: 100,
    reference: side(100, 5, 10),
    ours: side(100 * oursOfReference, 5, oursP99),
    baseline: side((100 * oursOfReference) / oursOverBaseline, 40, 80),
    oursOfReference,
    oursOverBaseline,
  }));
  const setting = (medianMs: number | null) => ({
    label: String(medianMs),
    model: medianMs === null ? null : { medianMs, sigma: 0.5, description: '' },
    rows,
  });
  return {
    measuredAt: '',
    sigma: 0.5,
    mediansMs: [2, 5, 10],
    settings: [setting(null), setting(2), setting(5), setting(10)],
  };
}
/** `httpsRatio`: time to the first event over https, the one judged; plain http's defaults to it. */
function cold(bytes: number, importRatio: number, httpsRatio: number, httpRatio = httpsRatio): ColdStartResult {
  const first = { firstEventMs: 1, sinceProcessStartMs: 1, importMs: 1, secondEventMs: 1 };
  return {
    measuredAt: '',
    runs: 1,
    bundles: [],
    firstEvent: { debit: first, baseline: first },
    firstEventHttps: { debit: first, baseline: first },
    firstEventAt5ms: { debit: first, baseline: first },
    ratios: {
      debitBundleBytes: bytes,
      importOfBaseline: importRatio,
      firstEventOfBaseline: httpRatio,
      firstEventOfBaselineAt5ms: httpRatio,
      firstEventOfBaselineHttps: httpsRatio,
    },
  };
}

test('a run meeting every goal is all met, judged on the middle latency setting', () => {
  expect(middleSetting(network(1, 5, 20)).model?.medianMs).toBe(5);
  const checks = doneWhen(network(0.95, 4, 20), cold(340_000, 0.3, 0.4), 1, 90);
  expect(checks.length).toBe(15);
  expect(checks.filter((c) => !c.met)).toEqual([]);
});

test('a broken run is caught on each goal it misses', () => {
  const checks = doneWhen(network(0.8, 2, 50), cold(360_000, 0.5, 0.6), 1.2, 120);
  expect(checks.filter((c) => c.met)).toEqual([]);
  expect(checks.map((c) => c.measured)).toEqual(
    expect.arrayContaining([
      '0.80×',
      '2.00×',
      '50.0 vs 40.0 ms',
      '360,000 bytes',
      '0.50×',
      '0.60×',
      '1.2',
      '120.0 MiB',
    ]),
  );
});

test('time to the first event is judged over https, as Lambda reaches DynamoDB, not over plain http', () => {
  const judged = (c: ColdStartResult) =>
    doneWhen(network(0.95, 4, 20), c, 1, 90).find((k) => /first answered/.test(k.goal))!;
  expect(judged(cold(340_000, 0.3, 0.6, 0.4))).toMatchObject({ measured: '0.60×', met: false });
  expect(judged(cold(340_000, 0.3, 0.4, 0.6))).toMatchObject({ measured: '0.40×', met: true });
});

test('the latency draw is the median at the middle of the distribution, and skewed to the right', () => {
  // u2 = 0.25 makes cos(2πu2) = 0, so z = 0: exactly the median.
  expect(
    sampleDelayMs(
      { medianMs: 5, sigma: 0.5 },
      (() => {
        const draws = [0.5, 0.25];
        return () => draws.shift()!;
      })(),
    ),
  ).toBeCloseTo(5, 10);
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const draws = Array.from({ length: 20_000 }, () => sampleDelayMs({ medianMs: 5, sigma: 0.5 }, random)).sort(
    (a, b) => a - b,
  );
  expect(draws[10_000]!).toBeGreaterThan(4.7);
  expect(draws[10_000]!).toBeLessThan(5.3);
  const p99 = draws[19_800]!;
  expect(p99).toBeGreaterThan(5 * Math.exp(2.326 * 0.5) * 0.9);
  expect(p99).toBeLessThan(5 * Math.exp(2.326 * 0.5) * 1.1);
});

test('peak RSS is judged on the median run, and every run is shown', () => {
  const judged = (median: number, runs: number[]) =>
    doneWhen(network(0.95, 4, 20), cold(340_000, 0.3, 0.4), 1, median, runs).find((k) => /peak RSS/.test(k.goal))!;
  expect(judged(99.5, [104.2, 99.5, 92.0])).toEqual(
    expect.objectContaining({ measured: '99.5 MiB (median of 3 runs: 104.2, 99.5, 92.0)', met: true }),
  );
  expect(judged(100.4, [100.4, 98.0, 103.0])).toMatchObject({ met: false });
  expect(judged(90, [])).toMatchObject({ measured: '90.0 MiB', met: true });
});

test("the emulator's CPU per side is shown where measured and a dash where not", () => {
  const measured = network(1, 2, 20);
  const at5 = middleSetting(measured).rows.find((r) => r.concurrency === 8)!;
  middleSetting(measured).rows = measured.settings[2]!.rows.map((r) =>
    r === at5
      ? { ...r, ours: { ...r.ours, emulatorCpuPercent: 97.4 }, baseline: { ...r.baseline, emulatorCpuPercent: null } }
      : r,
  );
  const markdown = networkMarkdown(measured);
  expect(markdown).toContain('| — / 97 / — |');
  expect(markdown).not.toContain('NaN');
  const c8 = doneWhen(measured, cold(340_000, 0.3, 0.4), 1, 90).find((k) => /2.5× the baseline/.test(k.goal))!;
  expect(c8.measured).toBe("2.00× (emulator 97 % of a core in ours' turns)");
  expect(c8.met).toBe(false);
});
