/**
 * How Lambda starts Node for a function, so that a bench's child process runs under the same V8
 * limits a Lambda container would. The managed Node runtime's /var/runtime/bootstrap (the nodejs14.x
 * and nodejs18.x images, quoted in public write-ups of the image; later images keep the same shape)
 * derives the heap limits from AWS_LAMBDA_FUNCTION_MEMORY_SIZE and passes them ON THE COMMAND LINE:
 *
 *   new_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10)
 *   semi_space=$(expr $new_space / 2)
 *   old_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE - $new_space)
 *   NODE_ARGS=(--expose-gc --max-http-header-size 81920 --max-semi-space-size=$semi_space --max-old-space-size=$old_space …)
 *
 * Command-line flags win over NODE_OPTIONS, so a function cannot lower these from its environment;
 * a bench without them lets V8 size the young generation for the bench machine's RAM instead.
 */

/** The memory every function gets, from terraform/variables.tf's text: `lambda_memory_mb`'s default (its one home). */
export function lambdaMemoryMb(variablesTf: string): number {
  const block = /variable\s+"lambda_memory_mb"\s*\{[^}]*?default\s*=\s*(\d+)/s.exec(variablesTf);
  if (!block) throw new Error('terraform/variables.tf: no default for lambda_memory_mb');
  return Number(block[1]);
}

/** The flags Lambda's bootstrap puts before the runtime's entry point, for a function of `memoryMb`. */
export function lambdaNodeArgs(memoryMb: number): string[] {
  // expr is integer division: truncate the same way.
  const newSpaceMb = Math.trunc(memoryMb / 10);
  const semiSpaceMb = Math.trunc(newSpaceMb / 2);
  return [
    '--expose-gc',
    '--max-http-header-size',
    '81920',
    `--max-semi-space-size=${semiSpaceMb}`,
    `--max-old-space-size=${memoryMb - newSpaceMb}`,
  ];
}
