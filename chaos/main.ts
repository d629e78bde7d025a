/**
 * `make chaos`: seeded chaos runs at scale (default ≈100,000 deliveries). Exit 1 on any violation,
 * after printing the seed and the smallest event history that still fails.
 *   npx tsx chaos/main.ts [--jobs 72000] [--users 5000] [--seed 1] [--seeds 1]
 */
import { parseArgs } from 'node:util';
import { describeViolations } from './check';
import { chaosDay, describeHistory, minimise, runChaosDay } from './run-chaos';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '72000' },
    users: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '1' },
  },
});
const jobs = Number(values.jobs);
const users = Number(values.users);
const firstSeed = Number(values.seed);
const seeds = Number(values.seeds);
for (const [name, n] of Object.entries({ jobs, users, seed: firstSeed, seeds })) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
}

async function main(): Promise<number> {
  const began = performance.now();
  const log = (line: string) =>
    process.stdout.write(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const day = chaosDay({ seed, jobs, users });
    log(`seed ${seed}: ${jobs} jobs, ${users} users`);
    const outcome = await runChaosDay(day, { onProgress: (line) => log(`  ${line}`) });
    log(
      `seed ${seed}: ${outcome.deliveries} deliveries in ${outcome.seconds.toFixed(0)} s, faults ${JSON.stringify(outcome.faults)}`,
    );
    log(`seed ${seed}: holds ${JSON.stringify(outcome.holds)}`);
    if (outcome.violations.length === 0) {
      log(
        `seed ${seed}: every invariant holds (drift 0, each job charged exactly right, DLQ holds only truly invalid events)`,
      );
      continue;
    }
    log(`seed ${seed}: FAILED\n${describeViolations(outcome.violations)}`);
    const kinds = new Set(outcome.violations.map((v) => v.kind));
    // Shrink first by size with the same seed, then by delta debugging over the deliveries.
    let smallest = day;
    for (const size of [Math.ceil(jobs / 100), Math.ceil(jobs / 10)]) {
      const smaller = chaosDay({ seed, jobs: size, users: Math.max(5, Math.ceil(users / (jobs / size))) });
      const result = await runChaosDay(smaller, {});
      if (result.violations.some((v) => kinds.has(v.kind))) {
        smallest = smaller;
        break;
      }
    }
    const minimal = await minimise(smallest, kinds, {});
    process.stdout.write(
      `\nreplay with: npx tsx chaos/main.ts --seed ${seed} --jobs ${jobs} --users ${users}\nsmallest failing history (${minimal.batches.length} deliveries):\n${describeHistory(minimal)}\n`,
    );
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
