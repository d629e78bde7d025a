import { grouped } from '../../shared/text/numbers';
import { adjustCredits, grantCredits } from '../../shared/ledger/manual-entries';
import { printable } from '../../shared/text/printable';
import { parse, parseInteger, requireString } from '../args';
import { EXIT } from '../context';
import type { Command } from './types';

function manualEntryCommand(kind: 'grant' | 'adjust'): Command {
  const grant = kind === 'grant';
  return {
    name: kind,
    summary: grant
      ? 'add credits to a user (top-up or opening balance), idempotent by --reference'
      : 'correct a balance by a signed amount, with its ledger entry, idempotent by --reference',
    usage: grant
      ? 'reconciler grant --user <id> --credits <n> --reference <ref> [--description <text>]'
      : 'reconciler adjust --user <id> --credits=<±n> --reference <ref> --description <why> [--allow-negative]',
    options: [
      { flag: '--user', value: '<id>', description: 'the user to credit or correct' },
      {
        flag: '--credits',
        value: grant ? '<n>' : '<±n>',
        description: grant ? 'credits to add' : 'signed credits (write --credits=-5 for a negative amount)',
      },
      {
        flag: '--reference',
        value: '<ref>',
        description: 'your reference (ticket, payment id): the same reference twice applies once',
      },
      {
        flag: '--description',
        value: grant ? '<text>' : '<why>',
        description: grant ? 'shown in the ledger' : 'why the balance is corrected (required)',
        ...(grant ? { default: 'grant' } : {}),
      },
      ...(grant
        ? []
        : [{ flag: '--allow-negative', description: 'let the balance go below 0 (chargebacks)', default: 'refuse' }]),
    ],
    example: grant
      ? 'reconciler grant --user user-42 --credits 500 --reference topup-2026-001 --workspace dev'
      : 'reconciler adjust --user user-42 --credits=-50 --reference SUP-1234 --description "chargeback" --workspace dev',
    async run(args, context) {
      const { values } = parse(
        args,
        {
          user: { type: 'string' },
          credits: { type: 'string' },
          reference: { type: 'string' },
          description: { type: 'string' },
          'allow-negative': { type: 'boolean' },
        },
        false,
      );
      const request = {
        userId: requireString(values.user, '--user'),
        credits: parseInteger(values.credits, '--credits'),
        reference: requireString(values.reference, '--reference'),
        description: grant
          ? String(values.description ?? 'grant')
          : requireString(values.description, '--description (say why)'),
        allowNegative: values['allow-negative'] === true,
      };
      const result = await (grant ? grantCredits : adjustCredits)(context.ledger(), request);
      const verb =
        result.status === 'applied' ? 'applied' : 'already applied (same reference, same content): nothing changed';
      context.out(
        `${kind} ${grouped(request.credits)} credits to ${printable(request.userId)} (${printable(result.ledgerId)}): ${verb}`,
        { ...result, ...request },
      );
      return EXIT.ok;
    },
  };
}

export const grantCommand = manualEntryCommand('grant');
export const adjustCommand = manualEntryCommand('adjust');
