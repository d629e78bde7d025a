/**
 * `npx reconciler <command> [flags]`. Global flags: --json, --workspace <ws>, --endpoint <url>,
 * --region <r>. Exit codes: 0 ok, 1 findings (drift, messages left), 2 bad arguments,
 * 3 cannot reach AWS / missing table, 4 conflicting reference, 70 internal error.
 */
import { UsageError } from '../shared/errors';
import { printable } from '../shared/text/printable';
import { COMMANDS } from './commands';
import { EXIT, createContext, explainError, type GlobalOptions } from './context';

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: reconciler <command> [--json] [--workspace <ws>] [--endpoint <url>] [--region <region>] [flags]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}`),
    '',
    'Tables come from --workspace (Credits-<ws>, …) or JOBS_TABLE/CREDITS_TABLE/LEDGER_TABLE/SETTLEMENTS_TABLE.',
    'Exit codes: 0 ok, 1 findings, 2 bad arguments, 3 unreachable/missing table, 4 conflicting reference, 70 internal.',
  ].join('\n');
}

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

export async function main(argv: string[]): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { options, rest } = splitGlobal(argv);
    json = options.json;
    const [name, ...args] = rest;
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(`${helpText()}\n`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"; run \`reconciler help\``);
    return await command.run(args, createContext(options));
  } catch (error) {
    const { message, exitCode } = explainError(error);
    if (json) process.stdout.write(`${JSON.stringify({ error: message, exitCode })}\n`);
    // Messages quote arguments and AWS errors: escaped, so that one line stays one line.
    process.stderr.write(`reconciler: ${printable(message)}\n`);
    return exitCode;
  }
}
