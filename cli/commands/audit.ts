import { grouped } from '../../shared/text/numbers';
import { auditAllBalances } from '../../shared/ledger/audit';
import { printable } from '../../shared/text/printable';
import { parse } from '../args';
import { EXIT } from '../context';
import type { Command } from './types';

/** Lists at most this many drifting users in human output (--json has them all). */
const MAX_LISTED = 50;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'recompute every balance from the ledger and check every entry is justified; exit 1 on any finding',
  usage: 'reconciler audit',
  options: [],
  example: 'reconciler audit --workspace dev --json > audit.json',
  async run(args, context) {
    parse(args, {}, false);
    let scanned = 0;
    const report = await auditAllBalances(context.ledger(), (n) => {
      scanned += n;
      context.progress(`ledger entries scanned: ${grouped(scanned)}`);
    });
    context.progress('\n');
    const head = `audit: ${grouped(report.usersChecked)} users, ${grouped(report.ledgerEntries)} ledger entries; credited ${grouped(report.totals.credited)}, debited ${grouped(report.totals.debited)}, remaining ${grouped(report.totals.remaining)}`;
    if (report.drift.length === 0 && report.unjustifiedCount === 0) {
      context.out(`${head}\ndrift: 0, unjustified entries: 0`, report);
      return EXIT.ok;
    }
    const more = (total: number) => (total > MAX_LISTED ? [`  … and ${total - MAX_LISTED} more (use --json)`] : []);
    const sections = [
      ...(report.drift.length > 0
        ? [
            `DRIFT: ${report.drift.length} user(s)`,
            ...report.drift
              .slice(0, MAX_LISTED)
              .map(
                (d) =>
                  `  ${printable(d.userId)}: balance ${grouped(d.remaining)}, ledger says ${grouped(d.ledgerSum)} (off by ${grouped(d.difference)})`,
              ),
            ...more(report.drift.length),
          ]
        : []),
      ...(report.unjustifiedCount > 0
        ? [
            `UNJUSTIFIED: ${report.unjustifiedCount} ledger entr${report.unjustifiedCount === 1 ? 'y' : 'ies'} the reconciler could not have written`,
            ...report.unjustified
              .slice(0, MAX_LISTED)
              .map((u) => `  ${printable(u.ledgerId)} (user ${printable(u.userId)}): ${printable(u.problem)}`),
            ...more(report.unjustifiedCount),
          ]
        : []),
    ];
    context.out(`${head}\n${sections.join('\n')}`, report);
    return EXIT.findings;
  },
};
