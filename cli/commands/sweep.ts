import { grouped } from '../../shared/text/numbers';
import { makeSnsClient } from '../../shared/aws/clients';
import { UsageError } from '../../shared/errors';
import { needsAttention, sweepAndReport, sweepLimits } from '../../shared/sweep';
import { printable, printableLines } from '../../shared/text/printable';
import { parse, parseInteger } from '../args';
import { EXIT } from '../context';
import type { Command } from './types';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/time';

const DEFAULT_BUDGET_SECONDS = 600;
const MAX_BUDGET_SECONDS = 24 * 3600;
const DURATION = /^(\d{1,5})([mhd])$/;
const UNIT_MS = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS } as const;

/** `--since 24h`, `--since 7d`, `--since 2026-01-31T00:00:00Z`. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const relative = DURATION.exec(text);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at))
    throw new UsageError(`--since must be a duration (30m, 24h, 7d) or an ISO-8601 time, got "${text}"`);
  if (at > now.getTime()) throw new UsageError(`--since ${text} is in the future`);
  return new Date(at);
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'settle lost-event jobs, flag stuck jobs, audit recently touched users (the scheduled sweep, run by hand)',
  usage:
    'reconciler sweep [--dry-run] [--since <24h|7d|ISO>] [--full] [--budget-seconds 600] [--grace-minutes 30] [--stuck-after-hours 6] [--publish]',
  options: [
    { flag: '--dry-run', description: 'report what would be settled, write nothing', default: 'write' },
    {
      flag: '--since',
      value: '<24h|7d|ISO>',
      description: 'audit users touched since then (ISO-8601 or a duration)',
      default: "the sweep's own window",
    },
    {
      flag: '--full',
      description: 'audit every user (a full walk; shows progress on a terminal)',
      default: 'recent users only',
    },
    {
      flag: '--budget-seconds',
      value: '<s>',
      description: 'stop cleanly after this long',
      default: String(DEFAULT_BUDGET_SECONDS),
    },
    {
      flag: '--grace-minutes',
      value: '<m>',
      description: 'a job older than this with no outcome is lost',
      default: '30',
    },
    {
      flag: '--stuck-after-hours',
      value: '<h>',
      description: 'a job running longer than this is flagged stuck',
      default: '6',
    },
    { flag: '--publish', description: 'publish findings to ALERTS_TOPIC_ARN', default: 'print only' },
  ],
  example: 'reconciler sweep --dry-run --since 24h --workspace dev',
  async run(args, context) {
    const { values } = parse(
      args,
      {
        'dry-run': { type: 'boolean' },
        since: { type: 'string' },
        full: { type: 'boolean' },
        'budget-seconds': { type: 'string' },
        'grace-minutes': { type: 'string' },
        'stuck-after-hours': { type: 'string' },
        publish: { type: 'boolean' },
      },
      false,
    );
    const budgetSeconds =
      values['budget-seconds'] === undefined
        ? DEFAULT_BUDGET_SECONDS
        : parseInteger(values['budget-seconds'], '--budget-seconds', { min: 1, max: MAX_BUDGET_SECONDS });
    const limits = sweepLimits({
      ...(values['grace-minutes'] === undefined
        ? {}
        : { graceMinutes: parseInteger(values['grace-minutes'], '--grace-minutes', { min: 1, max: 7 * 24 * 60 }) }),
      ...(values['stuck-after-hours'] === undefined
        ? {}
        : { stuckAfterHours: parseInteger(values['stuck-after-hours'], '--stuck-after-hours', { min: 1, max: 720 }) }),
    });
    const topicArn = process.env.ALERTS_TOPIC_ARN;
    if (values.publish && !topicArn) throw new UsageError('--publish needs ALERTS_TOPIC_ARN in the environment');
    const workspace = context.options.workspace ?? process.env.WORKSPACE ?? 'local';

    const report = await sweepAndReport(
      {
        ledger: context.ledger(),
        workspace,
        ...(values.publish && topicArn
          ? { alerts: { sns: makeSnsClient({ region: context.options.region }), topicArn } }
          : {}),
      },
      {
        timeBudgetMs: budgetSeconds * 1000,
        limits,
        dryRun: values['dry-run'] === true,
        fullAudit: values.full === true,
        ...(values.since === undefined ? {} : { auditSince: parseSince(String(values.since)) }),
        onProgress: (line) => context.progress(printable(line).padEnd(70)),
      },
    );
    context.progress('\n');
    const { result } = report;
    const head = [
      `sweep${result.dryRun ? ' (dry run: nothing changed)' : ''}: ${printable(result.status)}${result.stoppedBecause ? ` (stopped: ${printable(result.stoppedBecause)}; run again to continue)` : ''}`,
      `  read ${grouped(result.index.itemsRead)} unsettled jobs in ${grouped(result.index.pages)} pages, ${grouped(result.requests)} DynamoDB requests, ${(result.durationMs / 1000).toFixed(1)} s`,
      `  stragglers ${result.dryRun ? 'to settle' : 'settled'} ${grouped(result.stragglers.count)}, already settled ${grouped(result.alreadySettled)}, in flight ${grouped(result.inFlight)}, stuck ${grouped(result.stuck.count)}, bad records ${grouped(result.badRecords.count)}`,
      `  lost refunds ${result.dryRun ? 'to recover' : 'recovered'} ${grouped(result.backstop.refunds.count)} (${grouped(result.backstop.itemsRead)} failed debited jobs read), debits held at the floor ${grouped(result.held.count)}`,
      `  audit (${result.audit.mode}): ${grouped(result.audit.usersAudited)} users, drift ${grouped(result.drift.count)}, unjustified entries ${grouped(result.unjustified.count)}`,
    ].join('\n');
    // The alert is multi-line by design and quotes job records: its line breaks stay, all else is escaped.
    const body = report.alert
      ? `\n\n${printable(report.alert.subject)}\n\n${printableLines(report.alert.body)}`
      : '\nall well: nothing to report';
    const published = report.alertMessageId ? `\nalert published: ${printable(report.alertMessageId)}` : '';
    context.out(`${head}${body}${published}`, report);
    return needsAttention(result) ? EXIT.findings : EXIT.ok;
  },
};
