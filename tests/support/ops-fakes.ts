/**
 * SDK-level fakes for the services with no local emulator (Lambda, CloudWatch) and for the
 * EventBridge control plane the local bus does not speak (DescribeRule, ListTargetsByRule): a
 * middleware on a REAL client, at the `initialize` step, answers by command name. Commands the
 * fake does not know fall through to the real client (e.g. DynamoDB Local), or fail loudly.
 */
import { CloudWatchClient, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { HANDLERS, type HandlerName } from '../../shared/config';
import { LIVE_ALIAS, TERRAFORM_DEFAULTS, expectedEnvironment, type WorkspaceNames } from '../../shared/naming';

type Input = Record<string, unknown>;
export type FakeHandler = (input: Input) => unknown;

interface MiddlewareClient {
  middlewareStack: {
    add: (middleware: never, options: { step: 'initialize'; name: string; priority?: 'high' }) => void;
  };
}

/** Installs canned answers on a real client. `passThrough`: unknown commands go to the real endpoint. */
export function fakeAws<C extends MiddlewareClient>(
  client: C,
  handlers: Record<string, FakeHandler>,
  options: { passThrough?: boolean } = {},
): C & { calls: { command: string; input: Input }[] } {
  const calls: { command: string; input: Input }[] = [];
  const middleware =
    (next: (args: { input: Input }) => Promise<unknown>, context: { commandName: string }) =>
    async (args: { input: Input }) => {
      const handler = handlers[context.commandName];
      if (!handler) {
        if (options.passThrough) return next(args);
        throw awsError('UnknownOperationException', `fake: no answer for ${context.commandName}`);
      }
      calls.push({ command: context.commandName, input: args.input });
      const output = await handler(args.input);
      return { output: { $metadata: { httpStatusCode: 200 }, ...(output as object) }, response: {} };
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'opsTestFake', priority: 'high' });
  return Object.assign(client, { calls });
}

export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } };

// --- Lambda ------------------------------------------------------------------------------------

export interface FakeFunction {
  /** The configuration of the published version `live` points at. */
  Runtime: string;
  State: string;
  LastUpdateStatus: string;
  Environment: Record<string, string>;
  /** $LATEST, when it differs from the live version (an unpublished change). */
  latest?: { Runtime?: string; Environment?: Record<string, string> };
  /** Published versions, ascending; LastModified as Lambda writes it. */
  versions: { version: number; lastModified: string }[];
  /** undefined = no alias `live`. */
  live?: string;
  revision: number;
}

export interface LambdaWorld {
  functions: Map<string, FakeFunction>;
  /** Where the functions live (their ARNs name it). */
  scope: { region: string; accountId: string };
  /** GetFunctionConfiguration answers without FunctionArn (what the doctor must not guess around). */
  omitFunctionArn?: boolean;
  /** Answers every call with this error (e.g. AccessDeniedException). */
  failWith?: Error;
  /** Called before UpdateAlias commits (to simulate a concurrent change). */
  beforeUpdate?: (name: string) => void;
}

/** Lambda's LastModified format. */
export const lambdaTime = (date: Date) => date.toISOString().replace('Z', '+0000');

export function healthyLambdaWorld(
  names: WorkspaceNames,
  extras: {
    dlqUrl: string;
    topicArn: string;
    eventBusName?: string;
    versions?: number;
    publishedAt?: Date;
    scope?: { region: string; accountId: string };
  },
): LambdaWorld {
  const functions = new Map<string, FakeFunction>();
  const count = extras.versions ?? 3;
  const at = extras.publishedAt ?? new Date('2026-01-10T10:00:00Z');
  for (const handler of HANDLERS) {
    const { keys, values } = expectedEnvironment(handler, names);
    const env: Record<string, string> = {};
    for (const key of keys) {
      env[key] =
        values[key] ??
        (
          {
            DLQ_URL: extras.dlqUrl,
            ALERTS_TOPIC_ARN: extras.topicArn,
            EVENT_BUS_NAME: extras.eventBusName ?? names.eventBus,
            LOG_LEVEL: 'info',
            SWEEP_GRACE_MINUTES: '30',
            SWEEP_STUCK_AFTER_HOURS: '6',
            REPLAY_MAX_REPLAYS: '5',
          } as Record<string, string>
        )[key] ??
        'x';
    }
    functions.set(names.functions[handler], {
      Runtime: TERRAFORM_DEFAULTS.lambdaRuntime,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      Environment: env,
      // One deploy per day; the newest at `at`.
      versions: Array.from({ length: count }, (_, i) => ({
        version: i + 1,
        lastModified: lambdaTime(new Date(at.getTime() - (count - 1 - i) * 86_400_000)),
      })),
      live: String(count),
      revision: 1,
    });
  }
  return { functions, scope: extras.scope ?? { region: 'us-east-1', accountId: '123456789012' } };
}

export function fakeLambda(world: LambdaWorld) {
  const get = (name: unknown) => {
    if (world.failWith) throw world.failWith;
    const fn = world.functions.get(String(name));
    if (!fn) throw awsError('ResourceNotFoundException', `Function not found: ${String(name)}`);
    return fn;
  };
  const arn = (name: string, qualifier?: string) =>
    `arn:aws:lambda:${world.scope.region}:${world.scope.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  const alias = (fn: FakeFunction, name: string) => ({
    AliasArn: arn(name, LIVE_ALIAS),
    Name: LIVE_ALIAS,
    FunctionVersion: fn.live,
    RevisionId: `rev-${fn.revision}`,
  });
  /** $LATEST's configuration (the live version's, unless `latest` says otherwise). */
  const latestOf = (fn: FakeFunction) => ({
    Runtime: fn.latest?.Runtime ?? fn.Runtime,
    Environment: fn.latest?.Environment ?? fn.Environment,
  });
  return fakeAws(new LambdaClient(LOCAL), {
    // As Lambda: no Qualifier is $LATEST; an alias resolves to the version it points at, or is not found.
    GetFunctionConfigurationCommand: (input) => {
      const name = String(input.FunctionName);
      const fn = get(name);
      const qualifier = input.Qualifier === undefined ? undefined : String(input.Qualifier);
      if (qualifier !== undefined && qualifier !== LIVE_ALIAS && qualifier !== '$LATEST')
        throw awsError('ResourceNotFoundException', `Function not found: ${arn(name, qualifier)}`);
      if (qualifier === LIVE_ALIAS && fn.live === undefined)
        throw awsError('ResourceNotFoundException', `Function not found: ${arn(name, qualifier)}`);
      const onLatest = qualifier !== LIVE_ALIAS || fn.live === '$LATEST';
      const config = onLatest ? latestOf(fn) : { Runtime: fn.Runtime, Environment: fn.Environment };
      return {
        FunctionName: name,
        ...(world.omitFunctionArn ? {} : { FunctionArn: arn(name, qualifier) }),
        Version: onLatest ? '$LATEST' : fn.live,
        Runtime: config.Runtime,
        State: fn.State,
        LastUpdateStatus: fn.LastUpdateStatus,
        Environment: { Variables: { ...config.Environment } },
      };
    },
    GetAliasCommand: (input) => {
      const fn = get(input.FunctionName);
      if (input.Name !== LIVE_ALIAS || fn.live === undefined)
        throw awsError('ResourceNotFoundException', `Alias not found: ${String(input.Name)}`);
      return alias(fn, String(input.FunctionName));
    },
    ListVersionsByFunctionCommand: (input) => {
      const fn = get(input.FunctionName);
      const all = [
        { Version: '$LATEST', LastModified: fn.versions.at(-1)?.lastModified },
        ...fn.versions.map((v) => ({ Version: String(v.version), LastModified: v.lastModified })),
      ];
      const start = input.Marker ? Number(input.Marker) : 0;
      const size = Number(input.MaxItems ?? 50);
      const page = all.slice(start, start + size);
      return { Versions: page, ...(start + size < all.length ? { NextMarker: String(start + size) } : {}) };
    },
    UpdateAliasCommand: (input) => {
      const name = String(input.FunctionName);
      const fn = get(name);
      world.beforeUpdate?.(name);
      if (fn.live === undefined) throw awsError('ResourceNotFoundException', 'Alias not found');
      if (input.RevisionId !== undefined && input.RevisionId !== `rev-${fn.revision}`)
        throw awsError('PreconditionFailedException', 'The RevisionId provided does not match the latest RevisionId');
      if (!fn.versions.some((v) => String(v.version) === input.FunctionVersion))
        throw awsError('ResourceNotFoundException', `Version not found: ${String(input.FunctionVersion)}`);
      fn.live = String(input.FunctionVersion);
      fn.revision += 1;
      return alias(fn, name);
    },
  });
}

// --- EventBridge control plane -----------------------------------------------------------------

export interface FakeRule {
  state: 'ENABLED' | 'DISABLED';
  bus: string;
  targets: string[];
  schedule?: string;
}
export type RuleWorld = Map<string, FakeRule>;

export function liveArn(functionName: string, qualifier: string = LIVE_ALIAS): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:${functionName}${qualifier ? `:${qualifier}` : ''}`;
}

/** Terraform puts the event rules on the workspace's own bus (the schedule stays on `default`). */
export function healthyRuleWorld(names: WorkspaceNames, eventBusName = names.eventBus): RuleWorld {
  const world: RuleWorld = new Map();
  for (const rule of Object.values(names.rules)) {
    world.set(rule.name, {
      state: 'ENABLED',
      bus: rule.onDefaultBus ? 'default' : eventBusName,
      targets: [liveArn(names.functions[rule.target])],
      ...(rule.onDefaultBus ? { schedule: TERRAFORM_DEFAULTS.sweepScheduleExpression } : {}),
    });
  }
  return world;
}

export function fakeEventBridge(world: RuleWorld) {
  const get = (input: Input) => {
    const rule = world.get(String(input.Name ?? input.Rule));
    if (!rule || rule.bus !== String(input.EventBusName ?? 'default'))
      throw awsError(
        'ResourceNotFoundException',
        `Rule ${String(input.Name ?? input.Rule)} does not exist on EventBus ${String(input.EventBusName)}.`,
      );
    return rule;
  };
  return fakeAws(new EventBridgeClient(LOCAL), {
    DescribeRuleCommand: (input) => {
      const rule = get(input);
      return {
        Name: input.Name,
        State: rule.state,
        EventBusName: rule.bus,
        ...(rule.schedule ? { ScheduleExpression: rule.schedule } : {}),
      };
    },
    // Two pages, to exercise pagination.
    ListTargetsByRuleCommand: (input) => {
      const rule = get(input);
      const targets = rule.targets.map((arn, i) => ({ Id: `t${i}`, Arn: arn }));
      if (targets.length > 1 && input.NextToken === undefined)
        return { Targets: targets.slice(0, 1), NextToken: 'page2' };
      return { Targets: input.NextToken ? targets.slice(1) : targets };
    },
  });
}

// --- CloudWatch --------------------------------------------------------------------------------

export interface CloudWatchWorld {
  alarms: Map<string, MetricAlarm['StateValue']>;
  /** ApproximateAgeOfOldestMessage of the DLQ, seconds; undefined = no datapoint. */
  dlqOldestAgeSeconds?: number;
}

export function healthyCloudWatchWorld(names: WorkspaceNames): CloudWatchWorld {
  return { alarms: new Map(names.alarms.map((n, i) => [n, i % 3 === 0 ? 'INSUFFICIENT_DATA' : 'OK'])) };
}

export function fakeCloudWatch(world: CloudWatchWorld) {
  return fakeAws(new CloudWatchClient(LOCAL), {
    DescribeAlarmsCommand: (input) => {
      const prefix = String(input.AlarmNamePrefix ?? '');
      const all = [...world.alarms]
        .filter(([n]) => n.startsWith(prefix))
        .map(([AlarmName, StateValue]) => ({
          AlarmName,
          StateValue,
          StateUpdatedTimestamp: new Date('2026-01-10T09:00:00Z'),
        }));
      // Pages of 10, to exercise pagination.
      const start = input.NextToken ? Number(input.NextToken) : 0;
      return {
        MetricAlarms: all.slice(start, start + 10),
        ...(start + 10 < all.length ? { NextToken: String(start + 10) } : {}),
      };
    },
    GetMetricStatisticsCommand: (input) => {
      if (world.dlqOldestAgeSeconds === undefined) return { Datapoints: [] };
      const end = input.EndTime as Date;
      return {
        Datapoints: [
          { Timestamp: new Date(end.getTime() - 120_000), Maximum: world.dlqOldestAgeSeconds - 120 },
          { Timestamp: new Date(end.getTime() - 60_000), Maximum: world.dlqOldestAgeSeconds },
        ],
      };
    },
  });
}

export const handlerOf = (names: WorkspaceNames, functionName: string): HandlerName =>
  HANDLERS.find((h) => names.functions[h] === functionName)!;
