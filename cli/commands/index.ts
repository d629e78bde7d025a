/** The command registry: one line per command, each command in its own file. */
import { auditCommand } from './audit';
import { balanceCommand, ledgerCommand } from './balance';
import { adjustCommand, grantCommand } from './grant';
import { holdCommand, holdsCommand, releaseCommand } from './holds';
import { replayDlqCommand } from './replay-dlq';
import { doctorCommand } from './doctor';
import { deployCommand, rollbackCommand } from './rollback';
import { smokeCommand } from './smoke';
import { statementCommand } from './statement';
import { sweepCommand } from './sweep';
import { tablesCommand } from './tables';
import type { Command } from './types';

export const COMMANDS: Command[] = [
  tablesCommand,
  grantCommand,
  adjustCommand,
  balanceCommand,
  ledgerCommand,
  statementCommand,
  holdCommand,
  holdsCommand,
  releaseCommand,
  auditCommand,
  sweepCommand,
  replayDlqCommand,
  smokeCommand,
  doctorCommand,
  rollbackCommand,
  deployCommand,
];
