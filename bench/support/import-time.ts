/** Median time to import a bundle in a fresh Node process (the module-initialisation part of a cold start). */
import { execFileSync } from 'node:child_process';
import { median } from './pool';

function importOnceMs(bundlePath: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(bundlePath)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync('node', ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
  });
  return Number(out);
}

/**
 * The median import time of each bundle, `runs` fresh processes each, taken round-robin (one of each
 * bundle, then the next round): a change in the machine's load while measuring falls on every bundle
 * alike, so their ratios hold even when the absolute figures drift.
 */
export function medianImportMsEach(bundlePaths: readonly string[], runs = 15): number[] {
  const samples = bundlePaths.map(() => [] as number[]);
  for (let round = 0; round < runs; round++) bundlePaths.forEach((path, i) => samples[i]!.push(importOnceMs(path)));
  return samples.map(median);
}

export const medianImportMs = (bundlePath: string, runs = 15): number => medianImportMsEach([bundlePath], runs)[0]!;
