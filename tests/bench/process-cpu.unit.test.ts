/** bench/support/process-cpu.ts: another process's CPU seconds from /proc, NaN when it cannot be read. */
import { cpuSecondsOf } from '../../bench/support/process-cpu';

const onLinux = process.platform === 'linux';

(onLinux ? test : test.failing)('counts the CPU a process spends, and only grows', () => {
  const before = cpuSecondsOf(process.pid);
  const until = Date.now() + 150;
  let spin = 0;
  while (Date.now() < until) spin++;
  const after = cpuSecondsOf(process.pid);
  expect(spin).toBeGreaterThan(0);
  expect(after - before).toBeGreaterThanOrEqual(0.1);
  expect(after - before).toBeLessThan(5);
});

test('a process that does not exist is NaN, not zero', () => {
  expect(cpuSecondsOf(2 ** 30)).toBeNaN();
});
