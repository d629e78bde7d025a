import type { CliContext } from '../context';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Throw UsageError for bad arguments. */
  run(args: string[], context: CliContext): Promise<number>;
}
