import type { CliContext } from '../context';

/** One flag as `--help` shows it; `default` is what applies when the flag is left out. */
export interface OptionHelp {
  flag: string;
  value?: string;
  description: string;
  default?: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Every flag the command takes beyond the global ones (the help test checks usage and options agree). */
  options: readonly OptionHelp[];
  /** One command line an operator can copy. */
  example: string;
  /** Returns the process exit code. Throw UsageError for bad arguments. */
  run(args: string[], context: CliContext): Promise<number>;
}
