/** The bench runs its handler processes with the heap flags Lambda's bootstrap derives from the function's memory. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lambdaMemoryMb, lambdaNodeArgs } from '../../bench/support/lambda-node';

test('a 512 MB function gets a 25 MB semi-space and 461 MB of old space, as the bootstrap computes', () => {
  expect(lambdaNodeArgs(512)).toEqual([
    '--expose-gc',
    '--max-http-header-size',
    '81920',
    '--max-semi-space-size=25',
    '--max-old-space-size=461',
  ]);
  // Integer division like expr: 1769 / 10 = 176, 176 / 2 = 88.
  expect(lambdaNodeArgs(1769)).toContain('--max-semi-space-size=88');
  expect(lambdaNodeArgs(1769)).toContain('--max-old-space-size=1593');
});

test("the memory is read from terraform's lambda_memory_mb default, not from another variable's", () => {
  const tf =
    'variable "lambda_timeout_seconds" {\n  default = 30\n}\n\nvariable "lambda_memory_mb" {\n  description = "Memory"\n  type = number\n  default     = 1024\n}\n';
  expect(lambdaMemoryMb(tf)).toBe(1024);
  expect(() => lambdaMemoryMb('variable "other" { default = 1 }')).toThrow(/lambda_memory_mb/);
  expect(
    lambdaMemoryMb(readFileSync(join(__dirname, '..', '..', 'terraform', 'variables.tf'), 'utf8')),
  ).toBeGreaterThanOrEqual(128);
});
