import { grouped } from '../../shared/text/numbers';
import { getBalance, getHistory } from '../../shared/ledger/queries';
import { printable } from '../../shared/text/printable';
import { parse, parseInteger, requireString } from '../args';
import { EXIT } from '../context';
import type { Command } from './types';

export const balanceCommand: Command = {
  name: 'balance',
  summary: "show a user's credits: remaining, held by active holds, available",
  usage: 'reconciler balance --user <id>',
  options: [{ flag: '--user', value: '<id>', description: 'the user whose balance to show' }],
  example: 'reconciler balance --user user-42 --workspace dev',
  async run(args, context) {
    const { values } = parse(args, { user: { type: 'string' } }, false);
    const balance = await getBalance(context.ledger(), requireString(values.user, '--user'));
    const user = printable(balance.userId);
    const expired =
      balance.expiredUnswept.count > 0
        ? `; ${grouped(balance.expiredUnswept.count)} expired holds (${grouped(balance.expiredUnswept.credits)} credits) not held, the next sweep ends them`
        : '';
    context.out(
      balance.exists
        ? `${user}: ${grouped(balance.remaining)} credits, ${grouped(balance.held)} held, ${grouped(balance.available)} available (updated ${printable(balance.updatedAt)})${expired}`
        : `${user}: no balance recorded (0 credits)`,
      balance,
    );
    return EXIT.ok;
  },
};

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: "show a user's ledger history, newest first, a page at a time",
  usage: 'reconciler ledger --user <id> [--limit 50] [--cursor <next>] [--oldest-first]',
  options: [
    { flag: '--user', value: '<id>', description: 'the user whose ledger to list' },
    { flag: '--limit', value: '<n>', description: 'entries per page (1–500)', default: '50' },
    { flag: '--cursor', value: '<next>', description: 'continue from the `more:` line of the previous page' },
    { flag: '--oldest-first', description: 'oldest entry first instead of newest', default: 'newest first' },
  ],
  example: 'reconciler ledger --user user-42 --limit 20 --workspace dev',
  async run(args, context) {
    const { values } = parse(
      args,
      {
        user: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        'oldest-first': { type: 'boolean' },
      },
      false,
    );
    const page = await getHistory(context.ledger(), requireString(values.user, '--user'), {
      limit: values.limit === undefined ? 50 : parseInteger(values.limit, '--limit', { min: 1, max: 500 }),
      cursor: typeof values.cursor === 'string' ? values.cursor : undefined,
      oldestFirst: values['oldest-first'] === true,
    });
    // Every value is data from the table (descriptions quote producers' failure reasons): escaped.
    const lines = page.entries.map(
      (e) =>
        `${printable(e.timestamp)}  ${e.type === 'credit' ? '+' : '-'}${grouped(e.amount).padStart(9)}  ${printable(e.kind).padEnd(10)} ${printable(e.ledgerId)}  ${printable(e.description)}`,
    );
    if (page.next) lines.push(`more: --cursor ${printable(page.next)}`);
    context.out(lines.length > 0 ? lines.join('\n') : 'no ledger entries', page);
    return EXIT.ok;
  },
};
