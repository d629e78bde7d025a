/**
 * `reconciler smoke` (and `make smoke WS=<ws>`): the seed's post-deploy smoke test against a
 * deployed (or the local) workspace. Puts the four scenarios on the workspace's bus as the smoke
 * user, waits with a timeout until the tables show the outcome, prints PASS/FAIL per scenario with
 * what it saw; exit 1 on any failure. The scenarios and their money rules live in ops/smoke.ts.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { makeEventBridgeClient } from '../../shared/aws/clients';
import { UsageError } from '../../shared/errors';
import {
  DEFAULT_QUIET_MS,
  DEFAULT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  SMOKE_USER_ID,
  runSmoke,
  type SmokeReport,
} from '../../ops/smoke';
import { workspaceNames } from '../../shared/naming';
import { printable } from '../../shared/text/printable';
import { parse, parseInteger } from '../args';
import { EXIT, type CliContext } from '../context';
import type { Command } from './types';

export interface SmokeIo {
  eventBridge?: EventBridgeClient;
  env?: Record<string, string | undefined>;
  pollMs?: number;
}

const USAGE =
  'reconciler smoke --workspace <ws> [--bus <name>] [--user smoke-test-user] [--timeout-seconds 60] [--quiet-seconds 10]';

export function formatSmokeReport(report: SmokeReport, workspace: string): string {
  const width = Math.max(...report.scenarios.map((s) => s.name.length));
  const ws = printable(workspace);
  const lines = [
    `smoke ${printable(report.runId)} on ${ws} as ${printable(report.userId)}: balance ${report.balance.before}${report.balance.granted > 0 ? ` + grant ${report.balance.granted}` : ''} → start ${report.balance.start}`,
    // detail quotes what the tables held (balances, ledger entries): escaped.
    ...report.scenarios.map(
      (s) =>
        `  ${s.ok ? 'PASS' : 'FAIL'}  ${s.name.padEnd(width)}  ${printable(s.detail)}  [${printable(s.jobId)}, ${(s.durationMs / 1000).toFixed(1)} s]`,
    ),
    report.ok
      ? `smoke: all ${report.scenarios.length} scenarios passed; end balance ${report.balance.end}`
      : `smoke: ${report.scenarios.filter((s) => !s.ok).length} of ${report.scenarios.length} FAILED; end balance ${report.balance.end}. Next: make doctor WS=${ws}; if the deploy is at fault, make rollback WS=${ws}, then make replay-dlq WS=${ws}`,
  ];
  return lines.join('\n');
}

export async function runSmokeCommand(args: string[], context: CliContext, io: SmokeIo = {}): Promise<number> {
  const { values } = parse(
    args,
    {
      bus: { type: 'string' },
      user: { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'quiet-seconds': { type: 'string' },
    },
    false,
  );
  const env = io.env ?? process.env;
  const workspace = context.options.workspace ?? env.WORKSPACE;
  if (!workspace) throw new UsageError(`which workspace? pass --workspace <ws> (or set WORKSPACE); usage: ${USAGE}`);
  const timeoutMs =
    values['timeout-seconds'] === undefined
      ? DEFAULT_TIMEOUT_MS
      : parseInteger(values['timeout-seconds'], '--timeout-seconds', { min: 1, max: MAX_TIMEOUT_MS / 1000 }) * 1000;
  const quietMs =
    values['quiet-seconds'] === undefined
      ? DEFAULT_QUIET_MS
      : parseInteger(values['quiet-seconds'], '--quiet-seconds', { min: 0, max: 300 }) * 1000;
  // The event rules are on the workspace's own bus (unless Terraform was given another: --bus / EVENT_BUS_NAME).
  let names;
  try {
    names = workspaceNames(workspace);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const busName = String(values.bus ?? env.EVENT_BUS_NAME ?? names.eventBus);
  const eventBridge = io.eventBridge ?? makeEventBridgeClient({ region: context.options.region });

  const report = await runSmoke({
    ledger: context.ledger(),
    eventBridge,
    busName,
    userId: String(values.user ?? SMOKE_USER_ID),
    timeoutMs,
    quietMs,
    ...(io.pollMs === undefined ? {} : { pollMs: io.pollMs }),
    onProgress: (line) => context.progress(printable(line).padEnd(90)),
  });
  context.progress('\n');
  context.out(formatSmokeReport(report, workspace), { workspace, ...report });
  return report.ok ? EXIT.ok : EXIT.findings;
}

export const smokeCommand: Command = {
  name: 'smoke',
  summary:
    'post-deploy smoke test: debit 100 → 99, its ledger entry, a refund, a duplicate ignored; exit 1 on any failure',
  usage: USAGE,
  options: [
    {
      flag: '--bus',
      value: '<name>',
      description: 'the bus to put the test events on',
      default: "the workspace's bus",
    },
    { flag: '--user', value: '<id>', description: 'the test user (never a real one)', default: SMOKE_USER_ID },
    {
      flag: '--timeout-seconds',
      value: '<s>',
      description: 'give up waiting for each step after this long',
      default: String(DEFAULT_TIMEOUT_MS / 1000),
    },
    {
      flag: '--quiet-seconds',
      value: '<s>',
      description: 'how long a duplicate must leave the balance unchanged',
      default: String(DEFAULT_QUIET_MS / 1000),
    },
  ],
  example: 'reconciler smoke --workspace staging --timeout-seconds 90',
  run: (args, context) => runSmokeCommand(args, context),
};
