/** bench/support/ledger-setup.ts measureInTurns: every side's events once each, in rotating turns. */
import { measureInTurns, renderedEvents, type MeasuredSide } from '../../bench/support/ledger-setup';

function recordingSide(name: string, log: string[], events: number, requestsPerEvent: number): MeasuredSide {
  const counter = { requests: 0 };
  return {
    counter,
    events: renderedEvents(name, events),
    process: async (raw) => {
      log.push(`${name}:${raw.id}`);
      counter.requests += requestsPerEvent;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

test('each round runs one slice of every side, the first side rotating; every event runs exactly once', async () => {
  const log: string[] = [];
  const result = await measureInTurns(
    { a: recordingSide('a', log, 7, 1), b: recordingSide('b', log, 7, 6), c: recordingSide('c', log, 7, 1) },
    2,
  );
  // 7 events in 3 rounds: slices of 3, 3 and 1.
  const sidesInOrder = log.map((entry) => entry.split(':')[0]);
  const runs = sidesInOrder.filter((side, i) => side !== sidesInOrder[i - 1]);
  expect(runs).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  for (const side of ['a', 'b', 'c'])
    expect(log.filter((e) => e.startsWith(`${side}:`)).sort()).toEqual(
      renderedEvents(side, 7)
        .map((e) => `${side}:${e.id}`)
        .sort(),
    );
  expect(result.b.requestsPerEvent).toBe(6);
  expect(result.a.requestsPerEvent).toBe(1);
  expect(result.a.eventsPerSecond).toBeGreaterThan(0);
  expect(result.c.p99Ms).toBeGreaterThanOrEqual(result.c.p50Ms);
});

test('a side with fewer events than rounds still runs each once', async () => {
  const log: string[] = [];
  await measureInTurns({ a: recordingSide('a', log, 1, 1), b: recordingSide('b', log, 2, 1) }, 1, { rounds: 3 });
  expect(log.sort()).toEqual(['a:a-ev-0', 'b:b-ev-0', 'b:b-ev-1']);
});

test("the emulator's CPU is charged to the side that ran while it was spent, and is NaN when not measured", async () => {
  let emulatorCpuSeconds = 0;
  const busy = recordingSide('busy', [], 6, 1);
  const idle = recordingSide('idle', [], 6, 1);
  const process = busy.process;
  busy.process = async (raw) => {
    emulatorCpuSeconds += 0.01;
    await process(raw);
  };
  const result = await measureInTurns({ busy, idle }, 2, { emulatorCpu: () => emulatorCpuSeconds });
  expect(result.busy.emulatorCpuPercent).toBeGreaterThan(0);
  expect(result.idle.emulatorCpuPercent).toBe(0);
  const unmeasured = await measureInTurns({ idle: recordingSide('idle2', [], 2, 1) }, 1);
  expect(unmeasured.idle.emulatorCpuPercent).toBeNaN();
});
