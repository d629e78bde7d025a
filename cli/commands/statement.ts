import { writeFileSync } from 'node:fs';
import { UsageError } from '../../shared/errors';
import { parse, requireString } from '../args';
import { EXIT } from '../context';
import { buildStatement } from '../statement/build';
import { statementHtml, statementText } from '../statement/render';
import type { Command } from './types';

function isoOption(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const text = requireString(value, flag);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(Date.parse(text)))
    throw new UsageError(`${flag} must be an ISO-8601 time (2026-01-31 or 2026-01-31T12:00:00Z), got "${text}"`);
  return new Date(text).toISOString();
}

export const statementCommand: Command = {
  name: 'statement',
  summary:
    "a user's statement: opening balance, every entry with its job and event, holds, closing balance, and whether it matches the audit (reads only)",
  usage: 'reconciler statement --user <id> [--from <ISO>] [--to <ISO>] [--html <file>]',
  options: [
    { flag: '--user', value: '<id>', description: 'the user the statement is for' },
    {
      flag: '--from',
      value: '<ISO>',
      description: 'first instant included; earlier entries make the opening balance',
      default: 'the first entry',
    },
    { flag: '--to', value: '<ISO>', description: 'last instant included', default: 'now' },
    {
      flag: '--html',
      value: '<file>',
      description: 'also write the statement as a self-contained HTML page',
      default: 'none',
    },
  ],
  example:
    'reconciler statement --user user-42 --from 2026-11-01 --to 2026-11-30T23:59:59Z --html user-42.html --workspace prod',
  async run(args, context) {
    const { values } = parse(
      args,
      { user: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, html: { type: 'string' } },
      false,
    );
    const userId = requireString(values.user, '--user');
    const range = { from: isoOption(values.from, '--from'), to: isoOption(values.to, '--to') };
    if (range.from && range.to && range.from > range.to)
      throw new UsageError(`--from ${range.from} is after --to ${range.to}`);
    const statement = await buildStatement(context.ledger(), userId, range);
    const html = typeof values.html === 'string' ? values.html : undefined;
    if (html) writeFileSync(html, statementHtml(statement));
    context.out(`${statementText(statement)}${html ? `\nHTML statement: ${html}` : ''}`, statement);
    return statement.audit.matches ? EXIT.ok : EXIT.findings;
  },
};
