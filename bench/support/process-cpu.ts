/**
 * CPU seconds another process (DynamoDB Local's JVM) has used so far, from /proc/<pid>/stat (user +
 * system time, in clock ticks). The benches read it before and after a measured slice to show how busy
 * the emulator was while one side ran: when it is near one core, the emulator, not the side, set the
 * pace (docs/development/performance.md#the-emulators-ceiling). Linux only: elsewhere NaN, and the
 * report prints a dash.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // USER_HZ on every Linux build in use
    }
  }
  return ticksPerSecond;
}

export function cpuSecondsOf(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])]; // fields 14 and 15 of proc(5)
  return (utime + stime) / clockTicksPerSecond();
}
