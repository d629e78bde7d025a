/**
 * `npx reconciler <command> [flags]`. Global flags: --json, --workspace <ws>, --endpoint <url>,
 * --region <r>. Exit codes: 0 ok, 1 findings (drift, messages left), 2 bad arguments,
 * 3 cannot reach AWS / missing table, 4 conflicting reference, 70 internal error.
 */
import { UsageError } from '../shared/errors';
import { printable } from '../shared/text/printable';
import { COMMANDS } from './commands';
import { EXIT, createContext, explainError, type GlobalOptions } from './context';
import { ArgumentError } from './args';
import { asksForHelp, commandHelp, overviewHelp } from './help';
import type { Command } from './commands/types';

/** Pulls the global flags out wherever they appear; the rest goes to the command. */
function splitGlobal(argv: string[]): { options: GlobalOptions; rest: string[] } {
  const options: GlobalOptions = { json: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const takeValue = (flag: string) => {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return value;
    };
    if (arg === '--json') options.json = true;
    else if (arg === '--workspace') options.workspace = takeValue(arg);
    else if (arg === '--endpoint') options.endpoint = takeValue(arg);
    else if (arg === '--region') options.region = takeValue(arg);
    else rest.push(arg);
  }
  return { options, rest };
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"; run \`reconciler help\``);
  return command;
}

function printHelp(command: Command): number {
  process.stdout.write(`${commandHelp(command)}\n`);
  return EXIT.ok;
}

/** Our own text (never data), printed after the message of a command's UsageError. */
let usageHint: string | undefined;

/** A command's bad arguments are answered with its usage line, so the fix is on screen. */
async function runWithUsage(command: Command, args: string[], options: GlobalOptions): Promise<number> {
  try {
    return await command.run(args, createContext(options));
  } catch (error) {
    if (error instanceof ArgumentError)
      usageHint = `usage: ${command.usage}\n(more: reconciler ${command.name} --help)`;
    throw error;
  }
}

export async function main(argv: string[]): Promise<number> {
  usageHint = undefined;
  let json = argv.includes('--json');
  try {
    const { options, rest } = splitGlobal(argv);
    json = options.json;
    const [name, ...args] = rest;
    if (name === 'help' && args[0] !== undefined) return printHelp(findCommand(args[0]));
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(`${overviewHelp(COMMANDS)}\n`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const command = findCommand(name);
    if (asksForHelp(args)) return printHelp(command);
    return await runWithUsage(command, args, options);
  } catch (error) {
    const { message, exitCode } = explainError(error);
    if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode })}\n`);
    // Messages quote arguments and AWS errors: escaped, so that one line stays one line.
    process.stderr.write(`reconciler: ${printable(message)}\n`);
    if (usageHint && !message.includes('usage:')) process.stderr.write(`${usageHint}\n`);
    return exitCode;
  }
}
