/** The help texts: the overview (`reconciler help`) and one command's (`reconciler <command> --help`). */
import type { Command, OptionHelp } from './commands/types';

export const GLOBAL_USAGE =
  'usage: reconciler <command> [--json] [--workspace <ws>] [--endpoint <url>] [--region <region>] [flags]';

const GLOBAL_OPTIONS: readonly OptionHelp[] = [
  { flag: '--json', description: 'print one JSON document (raw numbers) instead of text', default: 'text' },
  {
    flag: '--workspace',
    value: '<ws>',
    description: 'tables Credits-<ws>, … (or JOBS_TABLE/CREDITS_TABLE/LEDGER_TABLE/SETTLEMENTS_TABLE, or WORKSPACE)',
  },
  {
    flag: '--endpoint',
    value: '<url>',
    description: 'DynamoDB endpoint (a local one)',
    default: 'AWS_ENDPOINT_URL_DYNAMODB or AWS',
  },
  { flag: '--region', value: '<region>', description: 'AWS region', default: 'AWS_REGION' },
  { flag: '--help, -h', description: 'this text' },
];

const EXIT_CODES =
  'Exit codes: 0 ok, 1 findings, 2 bad arguments, 3 unreachable/missing table, 4 conflicting reference, 70 internal.';

function optionLines(options: readonly OptionHelp[]): string[] {
  const left = options.map((o) => `${o.flag}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(0, ...left.map((l) => l.length));
  return options.map(
    (o, i) =>
      `  ${left[i]!.padEnd(width)}  ${o.description}${o.default !== undefined ? ` (default: ${o.default})` : ''}`,
  );
}

export function overviewHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    GLOBAL_USAGE,
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}`),
    '',
    'Run `reconciler <command> --help` (or `reconciler help <command>`) for its options, defaults and an example.',
    'Tables come from --workspace (Credits-<ws>, …) or JOBS_TABLE/CREDITS_TABLE/LEDGER_TABLE/SETTLEMENTS_TABLE.',
    EXIT_CODES,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `usage: ${command.usage}`,
    '',
    command.summary,
    '',
    'options:',
    ...(command.options.length > 0 ? optionLines(command.options) : ['  (none beyond the global ones)']),
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'example:',
    `  ${command.example}`,
    '',
    EXIT_CODES,
  ].join('\n');
}

/** True when the arguments ask for help rather than for the command. */
export function asksForHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
