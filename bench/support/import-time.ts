/** Median time to import a bundle in a fresh Node process (the module-initialisation part of a cold start). */
import { execFileSync } from 'node:child_process';
import { median } from './pool';

export function medianImportMs(bundlePath: string, runs = 15): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(bundlePath)}); process.stdout.write(String(performance.now() - t));`;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync('node', ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    samples.push(Number(out));
  }
  return median(samples);
}
