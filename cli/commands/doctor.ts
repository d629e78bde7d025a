/**
 * `reconciler doctor` (and `make doctor WS=<ws>`): read-only readiness check of a deployed
 * workspace. One line per check, PASS/FAIL (green/red on a terminal), exit 1 when anything is red.
 * The checks live in ops/doctor/ (one module per group).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  isLoopbackEndpoint,
  makeDynamoDbClient,
  makeEventBridgeClient,
  makeSnsClient,
  makeSqsClient,
} from '../../shared/aws/clients';
import { UsageError } from '../../shared/errors';
import { makeCloudWatchClient, makeLambdaClient } from '../../ops/clients';
import { runDoctor, type CheckResult, type DoctorReport } from '../../ops/doctor';
import { TERRAFORM_DEFAULTS, scheduleIntervalMs, workspaceNames } from '../../shared/naming';
import { printable } from '../../shared/text/printable';
import { parse } from '../args';
import { EXIT, type CliContext } from '../context';
import type { Command } from './types';

export interface DoctorIo {
  dynamodb?: DynamoDBClient;
  sqs?: SQSClient;
  sns?: SNSClient;
  lambda?: LambdaClient;
  eventBridge?: EventBridgeClient;
  cloudWatch?: CloudWatchClient;
  env?: Record<string, string | undefined>;
  now?: () => Date;
  color?: boolean;
}

const USAGE =
  'reconciler doctor --workspace <ws> [--bus <name>] [--runtime nodejs24.x] [--sweep-schedule "rate(6 hours)"]';

function paint(check: CheckResult, color: boolean): string {
  const word = check.skipped ? 'SKIP' : check.ok ? 'PASS' : 'FAIL';
  if (!color) return word;
  const code = check.skipped ? 33 : check.ok ? 32 : 31;
  return `\u001b[${code}m${word}\u001b[0m`;
}

export function formatDoctorReport(report: DoctorReport, color = false): string {
  const width = Math.min(60, Math.max(...report.checks.map((c) => c.name.length)));
  const red = report.checks.filter((c) => !c.ok).length;
  const skipped = report.checks.filter((c) => c.skipped).length;
  return [
    `doctor: workspace ${printable(report.workspace)} at ${printable(report.checkedAt)}`,
    // The only escape sequences on these lines are paint()'s colours; what AWS reported is escaped.
    ...report.checks.map((c) => `  ${paint(c, color)}  ${printable(c.name).padEnd(width)}  ${printable(c.detail)}`),
    red === 0
      ? `doctor: ready (${report.checks.length} checks${skipped > 0 ? `, ${skipped} not verifiable here` : ''})`
      : `doctor: NOT READY: ${red} of ${report.checks.length} checks failed`,
  ].join('\n');
}

export async function runDoctorCommand(args: string[], context: CliContext, io: DoctorIo = {}): Promise<number> {
  const { values } = parse(
    args,
    { bus: { type: 'string' }, runtime: { type: 'string' }, 'sweep-schedule': { type: 'string' } },
    false,
  );
  const env = io.env ?? process.env;
  const workspace = context.options.workspace ?? env.WORKSPACE;
  if (!workspace) throw new UsageError(`which workspace? pass --workspace <ws> (or set WORKSPACE); usage: ${USAGE}`);
  let names;
  try {
    names = workspaceNames(workspace);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const schedule = String(values['sweep-schedule'] ?? TERRAFORM_DEFAULTS.sweepScheduleExpression);
  const sweepIntervalMs = scheduleIntervalMs(schedule);
  if (sweepIntervalMs === undefined)
    throw new UsageError(`--sweep-schedule must be rate(<n> minutes|hours|days), got "${schedule}"`);
  const region = context.options.region;
  const dynamoEndpoint = context.options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;

  const report = await runDoctor({
    names,
    dynamodb: io.dynamodb ?? makeDynamoDbClient({ endpoint: context.options.endpoint, region }),
    sqs: io.sqs ?? makeSqsClient({ region }),
    sns: io.sns ?? makeSnsClient({ region }),
    lambda: io.lambda ?? makeLambdaClient({ region }),
    eventBridge: io.eventBridge ?? makeEventBridgeClient({ region }),
    cloudWatch: io.cloudWatch ?? makeCloudWatchClient({ region }),
    alertsTopicArn: env.ALERTS_TOPIC_ARN || undefined,
    // The event rules are on the workspace's own bus (unless Terraform was given another: --bus / EVENT_BUS_NAME).
    eventBusName: String(values.bus ?? env.EVENT_BUS_NAME ?? names.eventBus),
    expectedRuntime: String(values.runtime ?? TERRAFORM_DEFAULTS.lambdaRuntime),
    sweepIntervalMs,
    dynamoDbIsEmulator: isLoopbackEndpoint(dynamoEndpoint),
    ...(io.now ? { now: io.now } : {}),
  });
  const color = io.color ?? (process.stdout.isTTY === true && !env.NO_COLOR);
  context.out(formatDoctorReport(report, color), report);
  return report.ok ? EXIT.ok : EXIT.findings;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary:
    'read-only readiness check of a deployed workspace: tables, functions, rules, DLQ, alarms, topic, sweep; exit 1 when any is red',
  usage: USAGE,
  options: [
    {
      flag: '--bus',
      value: '<name>',
      description: 'the event bus the rules listen on',
      default: "the workspace's bus",
    },
    {
      flag: '--runtime',
      value: '<runtime>',
      description: 'the Lambda runtime every function must run',
      default: 'nodejs24.x',
    },
    {
      flag: '--sweep-schedule',
      value: '<expr>',
      description: 'the schedule the sweep rule must have',
      default: 'rate(6 hours)',
    },
  ],
  example: 'reconciler doctor --workspace staging',
  run: (args, context) => runDoctorCommand(args, context),
};
