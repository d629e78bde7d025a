/**
 * How Lambda starts Node for a function, so that a bench's child process runs under the same V8
 * limits a Lambda container would. The managed Node runtime's /var/runtime/bootstrap derives the heap
 * limits from AWS_LAMBDA_FUNCTION_MEMORY_SIZE and passes them ON THE COMMAND LINE:
 *
 *   new_space=$(($AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10))
 *   semi_space=$(expr $new_space / 2)            (nodejs14.x–20.x images)
 *   old_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE - $new_space)
 *   NODE_ARGS=(--expose-gc --max-http-header-size 81920 --max-semi-space-size=$semi_space --max-old-space-size=$old_space …)
 *
 * except that the nodejs24.x bootstrap leaves both heap sizes out when NODE_OPTIONS already names
 * one ("Do not override customers' semi and old space size options if they specify them with
 * NODE_OPTIONS env var"; quoted in WonderfulSoap, "Deep Dive into AWS Lambda (3): Official Node.js
 * Runtime Analysis", dev.to, 2026-02-24). Our functions do (terraform/locals.tf node_options), so
 * their children get NODE_OPTIONS and the remaining flags; a bench without any of this would let V8
 * size the young generation for the bench machine's RAM instead.
 */

/** A number variable's default from terraform/variables.tf's text (its one home). */
function variableDefault(variablesTf: string, name: string): number {
  const block = new RegExp(`variable\\s+"${name}"\\s*\\{[^}]*?default\\s*=\\s*(\\d+)`, 's').exec(variablesTf);
  if (!block) throw new Error(`terraform/variables.tf: no default for ${name}`);
  return Number(block[1]);
}

/** The memory every function gets: `lambda_memory_mb`'s default. */
export const lambdaMemoryMb = (variablesTf: string) => variableDefault(variablesTf, 'lambda_memory_mb');

/** The semi-space every function asks for in NODE_OPTIONS: `lambda_semi_space_mb`'s default. */
export const lambdaSemiSpaceMb = (variablesTf: string) => variableDefault(variablesTf, 'lambda_semi_space_mb');

/** terraform/locals.tf `node_options`, evaluated: the old space is what the bootstrap would give. */
export function lambdaNodeOptions(memoryMb: number, semiSpaceMb: number): string {
  return `--max-semi-space-size=${semiSpaceMb} --max-old-space-size=${memoryMb - Math.trunc(memoryMb / 10)}`;
}

const NAMES_A_HEAP_SIZE = /--max[-_](semi|old)[-_]space[-_]size/;

/** The flags Lambda's bootstrap puts before the runtime's entry point, for `memoryMb` and the function's NODE_OPTIONS. */
export function lambdaNodeArgs(memoryMb: number, nodeOptions = ''): string[] {
  const fixed = ['--expose-gc', '--max-http-header-size', '81920'];
  if (NAMES_A_HEAP_SIZE.test(nodeOptions)) return fixed;
  // expr is integer division: truncate the same way.
  const newSpaceMb = Math.trunc(memoryMb / 10);
  const semiSpaceMb = Math.trunc(newSpaceMb / 2);
  return [...fixed, `--max-semi-space-size=${semiSpaceMb}`, `--max-old-space-size=${memoryMb - newSpaceMb}`];
}

/** What a deployed function's Node process gets, from terraform/variables.tf: its flags and its NODE_OPTIONS. */
export function lambdaProcess(variablesTf: string): { memoryMb: number; args: string[]; nodeOptions: string } {
  const memoryMb = lambdaMemoryMb(variablesTf);
  const nodeOptions = lambdaNodeOptions(memoryMb, lambdaSemiSpaceMb(variablesTf));
  return { memoryMb, args: lambdaNodeArgs(memoryMb, nodeOptions), nodeOptions };
}
