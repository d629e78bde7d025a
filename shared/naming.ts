/**
 * One home for workspace naming: what a deployed workspace is called, resource by resource (the
 * TypeScript copy of terraform/locals.tf `names`), the alerts module's alarm names, the root
 * variables' defaults the doctor checks, and the ARNs built from them (replay checks where a DLQ
 * message came from against these). tests/ops/names.test.ts parses terraform/ and fails if the two
 * differ. Replay, the local stack, the operator tools and the tests all import it.
 */
import { HANDLERS, HANDLER_ENV, SYNCHRONOUS_HANDLERS, type HandlerName } from './config';
import { tableNamesForWorkspace, type TableNames } from './tables';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time';

/** The alias every trigger invokes (modules/function var.alias_name). */
export const LIVE_ALIAS = 'live';

/**
 * Defaults of terraform/variables.tf the doctor compares against (no tfvars overrides them). The
 * event bus has no default here: it is the workspace's own, `workspaceNames(ws).eventBus`.
 */
export const TERRAFORM_DEFAULTS = Object.freeze({
  lambdaRuntime: 'nodejs24.x',
  sweepScheduleExpression: 'rate(6 hours)',
});

export type RuleKey = 'video_rendered' | 'video_failed' | 'sweep_schedule';

export interface ExpectedRule {
  name: string;
  /** The handler whose alias `live` the rule's target must invoke. */
  target: HandlerName;
  /** Schedules always run on the default bus; event rules on the workspace's bus (eventBus). */
  onDefaultBus: boolean;
}

export interface WorkspaceNames {
  workspace: string;
  tables: TableNames;
  functions: Record<HandlerName, string>;
  dlq: string;
  /** Where the sweep's own failures go (never the money DLQ). */
  sweepFailures: string;
  /** The workspace's own event bus for video.generation (unless Terraform is given an existing one). */
  eventBus: string;
  alertsTopic: string;
  rules: Record<RuleKey, ExpectedRule>;
  alarmPrefix: string;
  dashboard: string;
  /** Every alarm modules/alerts creates, by name. */
  alarms: string[];
}

/** modules/alerts: local.reconciler_alarms keys, `_` replaced by `-` in the alarm name. */
export const RECONCILER_ALARMS = [
  'adjustments',
  'anomalies',
  'drift',
  'invalid',
  'overdraft_refused',
  'reserve_refusals',
  'stuck_jobs',
  'unjustified',
] as const;

const WORKSPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

export function workspaceNames(workspace: string): WorkspaceNames {
  if (!WORKSPACE_PATTERN.test(workspace))
    throw new RangeError(`workspace "${workspace}" must be 1-32 of A-Z a-z 0-9 _ - (e.g. dev, staging, prod)`);
  const functions = Object.fromEntries(HANDLERS.map((h) => [h, `cc-agent-reconciler-${h}-${workspace}`])) as Record<
    HandlerName,
    string
  >;
  const alarmPrefix = `cc-reconciler-${workspace}`;
  return {
    workspace,
    tables: tableNamesForWorkspace(workspace),
    functions,
    dlq: `cc-reconciler-dlq-${workspace}`,
    sweepFailures: `cc-reconciler-sweep-failures-${workspace}`,
    eventBus: `cc-reconciler-events-${workspace}`,
    alertsTopic: `ops-alerts-${workspace}`,
    rules: {
      video_rendered: { name: `cc-reconciler-video-rendered-${workspace}`, target: 'debit', onDefaultBus: false },
      video_failed: { name: `cc-reconciler-video-failed-${workspace}`, target: 'refund', onDefaultBus: false },
      sweep_schedule: { name: `cc-reconciler-sweep-schedule-${workspace}`, target: 'sweep', onDefaultBus: true },
    },
    alarmPrefix,
    dashboard: `cc-reconciler-${workspace}`,
    alarms: [
      ...HANDLERS.flatMap((h) => ['errors', 'throttles'].map((a) => `${alarmPrefix}-${h}-${a}`)),
      ...HANDLERS.filter((h) => !SYNCHRONOUS_HANDLERS.includes(h)).flatMap((h) =>
        ['destination-failures', 'async-events-dropped'].map((a) => `${alarmPrefix}-${h}-${a}`),
      ),
      ...['video-rendered', 'video-failed', 'sweep-schedule'].map((rule) => `${alarmPrefix}-${rule}-dlq-send-failures`),
      ...['dlq-depth', 'dlq-oldest-message', 'dlq-in-flight', 'sweep-failures-depth', 'sweep-heartbeat'].map(
        (a) => `${alarmPrefix}-${a}`,
      ),
      ...RECONCILER_ALARMS.map((a) => `${alarmPrefix}-${a.replace(/_/g, '-')}`),
    ],
  };
}

/** The environment Terraform gives each function (shared/config.ts HANDLER_ENV), and the values the doctor can predict. */
export function expectedEnvironment(
  handler: HandlerName,
  names: WorkspaceNames,
): { keys: readonly string[]; values: Record<string, string> } {
  const known: Record<string, string> = {
    JOBS_TABLE: names.tables.jobs,
    CREDITS_TABLE: names.tables.credits,
    LEDGER_TABLE: names.tables.ledger,
    SETTLEMENTS_TABLE: names.tables.settlements,
    WORKSPACE: names.workspace,
  };
  const keys = HANDLER_ENV[handler];
  return { keys, values: Object.fromEntries(keys.filter((k) => k in known).map((k) => [k, known[k]!])) };
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** The interval of a `rate(…)` schedule in ms; undefined for cron() (no fixed interval). */
export function scheduleIntervalMs(expression: string): number | undefined {
  const match = RATE.exec(expression);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!.replace(/s$/, '')]!;
}

/** The account and region a workspace lives in (from a queue URL, or the caller's identity). */
export interface AccountScope {
  partition?: string;
  region: string;
  accountId: string;
}

/** ARNs of a workspace's resources, built from their names (the shape AWS gives them). */
export const arns = {
  function: (scope: AccountScope, functionName: string, qualifier?: string) =>
    `arn:${scope.partition ?? 'aws'}:lambda:${scope.region}:${scope.accountId}:function:${functionName}${qualifier ? `:${qualifier}` : ''}`,
  /** Rules on the default bus have no bus segment; rules on a custom bus do. */
  rule: (scope: AccountScope, busName: string, ruleName: string) =>
    `arn:${scope.partition ?? 'aws'}:events:${scope.region}:${scope.accountId}:rule/${busName === 'default' ? '' : `${busName}/`}${ruleName}`,
  queue: (scope: AccountScope, queueName: string) =>
    `arn:${scope.partition ?? 'aws'}:sqs:${scope.region}:${scope.accountId}:${queueName}`,
  bus: (scope: AccountScope, busName: string) =>
    `arn:${scope.partition ?? 'aws'}:events:${scope.region}:${scope.accountId}:event-bus/${busName}`,
};
