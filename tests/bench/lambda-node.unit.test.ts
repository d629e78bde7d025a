/** The bench runs its handler processes as Lambda's bootstrap would start the deployed function. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  lambdaMemoryMb,
  lambdaNodeArgs,
  lambdaNodeOptions,
  lambdaProcess,
  lambdaSemiSpaceMb,
} from '../../bench/support/lambda-node';

const terraform = (file: string) => readFileSync(join(__dirname, '..', '..', 'terraform', file), 'utf8');

test('without heap sizes in NODE_OPTIONS, a 512 MB function gets a 25 MB semi-space and 461 MB of old space', () => {
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

test('when NODE_OPTIONS names a heap size, the nodejs24.x bootstrap passes neither', () => {
  const fixed = ['--expose-gc', '--max-http-header-size', '81920'];
  expect(lambdaNodeArgs(512, '--max-semi-space-size=8 --max-old-space-size=461')).toEqual(fixed);
  expect(lambdaNodeArgs(512, '--max_old_space_size=300')).toEqual(fixed);
  expect(lambdaNodeArgs(512, '--enable-source-maps')).toContain('--max-semi-space-size=25');
});

test("memory and semi-space are read from their own variables' defaults, not another's", () => {
  const tf =
    'variable "lambda_timeout_seconds" {\n  default = 30\n}\n\nvariable "lambda_memory_mb" {\n  description = "Memory"\n  type = number\n  default     = 1024\n}\n';
  expect(lambdaMemoryMb(tf)).toBe(1024);
  expect(() => lambdaMemoryMb('variable "other" { default = 1 }')).toThrow(/lambda_memory_mb/);
  expect(() => lambdaSemiSpaceMb(tf)).toThrow(/lambda_semi_space_mb/);
  expect(lambdaMemoryMb(terraform('variables.tf'))).toBeGreaterThanOrEqual(128);
});

test("the bench's NODE_OPTIONS is terraform/locals.tf node_options, evaluated the same way", () => {
  const local = /^\s*node_options\s*=\s*"(.*)"\s*$/m.exec(terraform('locals.tf'))?.[1];
  expect(local).toBe(
    '--max-semi-space-size=${var.lambda_semi_space_mb} --max-old-space-size=${var.lambda_memory_mb - floor(var.lambda_memory_mb / 10)}',
  );
  // The same text with the variables put in: what lambdaNodeOptions computes.
  const evaluate = (memory: number, semi: number) =>
    local!
      .replace('${var.lambda_semi_space_mb}', String(semi))
      .replace('${var.lambda_memory_mb - floor(var.lambda_memory_mb / 10)}', String(memory - Math.floor(memory / 10)));
  for (const [memory, semi] of [
    [512, 8],
    [1769, 16],
    [128, 1],
  ] as const)
    expect(lambdaNodeOptions(memory, semi)).toBe(evaluate(memory, semi));
  expect(lambdaProcess(terraform('variables.tf'))).toEqual({
    memoryMb: 512,
    nodeOptions: '--max-semi-space-size=8 --max-old-space-size=461',
    args: ['--expose-gc', '--max-http-header-size', '81920'],
  });
});
