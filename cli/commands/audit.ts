import { auditAllBalances } from '../../shared/ledger/audit';
import { printable } from '../../shared/text/printable';
import { parse } from '../args';
import { EXIT } from '../context';
import type { Command } from './types';

/** Lists at most this many drifting users in human output (--json has them all). */
const MAX_LISTED = 50;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'recompute every balance from the ledger and compare; exit 1 on any drift',
  usage: 'reconciler audit',
  async run(args, context) {
    parse(args, {}, false);
    let scanned = 0;
    const report = await auditAllBalances(context.ledger(), (n) => { scanned += n; context.progress(`ledger entries scanned: ${scanned}`); });
    context.progress('\n');
    const head = `audit: ${report.usersChecked} users, ${report.ledgerEntries} ledger entries; credited ${report.totals.credited}, debited ${report.totals.debited}, remaining ${report.totals.remaining}`;
    if (report.drift.length === 0) {
      context.out(`${head}\ndrift: 0`, report);
      return EXIT.ok;
    }
    const listed = report.drift.slice(0, MAX_LISTED).map((d) => `  ${printable(d.userId)}: balance ${printable(d.remaining)}, ledger says ${printable(d.ledgerSum)} (off by ${printable(d.difference)})`);
    if (report.drift.length > MAX_LISTED) listed.push(`  … and ${report.drift.length - MAX_LISTED} more (use --json)`);
    context.out(`${head}\nDRIFT: ${report.drift.length} user(s)\n${listed.join('\n')}`, report);
    return EXIT.findings;
  },
};
