/** Every command in the CLI's own registry answers --help, -h and `help <command>`; usage and options agree. */
import { COMMANDS } from '../../cli/commands';
import type { Command } from '../../cli/commands/types';
import { capturedCli } from '../support/cli-run';

const GLOBAL_FLAGS = new Set(['--json', '--workspace', '--endpoint', '--region']);

/** Problems with one command's help: flags in the usage line without an option entry, and the reverse. */
function helpProblems(command: Command): string[] {
  const inUsage = new Set(
    [...command.usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => !GLOBAL_FLAGS.has(f)),
  );
  const documented = new Set(command.options.map((o) => o.flag));
  return [
    ...[...inUsage]
      .filter((f) => !documented.has(f))
      .map((f) => `${command.name}: ${f} is in the usage but has no option help`),
    ...[...documented]
      .filter((f) => !inUsage.has(f))
      .map((f) => `${command.name}: ${f} has option help but is not in the usage`),
    ...(command.example.startsWith(`reconciler ${command.name}`) ||
    command.example.includes(` reconciler ${command.name}`)
      ? []
      : [`${command.name}: the example does not run the command`]),
  ];
}

const run = capturedCli();

describe('help on every command', () => {
  test('the registry is not empty (the walk below covers something)', () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
  });

  test.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s: --help, -h and help <command> print usage, options, an example; exit 0',
    async (name, command) => {
      for (const args of [
        [name, '--help'],
        [name, '-h'],
        ['help', name],
        [name, '--workspace', 'dev', '--help'],
      ]) {
        const { code, out } = await run(...args);
        expect({ args, code }).toEqual({ args, code: 0 });
        expect(out).toContain(`usage: ${command.usage}`);
        expect(out).toContain('options:');
        expect(out).toContain(`example:\n  ${command.example}`);
        for (const option of command.options) expect(out).toContain(option.flag);
      }
      expect(helpProblems(command)).toEqual([]);
    },
  );

  test.each(COMMANDS.filter((c) => c.name !== 'tables').map((c) => [c.name, c] as const))(
    '%s: an unknown option exits 2 with the usage',
    async (name, command) => {
      const { code, err } = await run(name, '--no-such-flag');
      expect(code).toBe(2);
      expect(err).toMatch(/Unknown option '--no-such-flag'/);
      expect(err).toContain(`usage: ${command.usage}`);
    },
  );

  test('tables with a wrong subcommand exits 2 with its usage', async () => {
    const { code, err } = await run('tables', 'drop');
    expect(code).toBe(2);
    expect(err).toContain('usage: reconciler tables create');
  });

  test('help for an unknown command exits 2', async () => {
    expect((await run('help', 'nope')).code).toBe(2);
  });

  test('the consistency check catches a flag without help, help without a flag, and a foreign example', () => {
    const broken: Command = {
      name: 'broken',
      summary: 's',
      usage: 'reconciler broken --user <id> [--limit 5]',
      options: [
        { flag: '--user', description: 'u' },
        { flag: '--stale', description: 'gone' },
      ],
      example: 'reconciler balance --user u',
      run: async () => 0,
    };
    expect(helpProblems(broken)).toEqual([
      'broken: --limit is in the usage but has no option help',
      'broken: --stale has option help but is not in the usage',
      'broken: the example does not run the command',
    ]);
  });
});
