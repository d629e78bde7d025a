/**
 * The doctor against the local stack (DynamoDB Local, fauxqs: tables, DLQ, topic, sweep state) and
 * SDK-level fakes for what has no emulator here (Lambda, CloudWatch, EventBridge's control plane).
 * A healthy workspace is all green; then each check is shown to go red when what it checks breaks.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { makeDynamoDbClient, makeSnsClient } from '../../shared/aws/clients';
import { acquireSweepLease, saveSweepState } from '../../shared/sweep/state';
import { endHold, reserveHold } from '../../shared/ledger/holds';
import { grantCredits } from '../../shared/ledger/manual-entries';
import { runDoctor, type CheckResult, type DoctorDeps } from '../../ops/doctor';
import { TERRAFORM_DEFAULTS, scheduleIntervalMs, workspaceNames, type WorkspaceNames } from '../../shared/naming';
import { runDoctorCommand } from '../../cli/commands/doctor';
import { createContext, EXIT } from '../../cli/context';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { dynamoEndpoint, sqsEndpoint } from '../support/local-aws';
import {
  awsError,
  fakeAws,
  fakeCloudWatch,
  fakeEventBridge,
  fakeLambda,
  healthyCloudWatchWorld,
  healthyLambdaWorld,
  healthyRuleWorld,
  liveArn,
  type CloudWatchWorld,
  type LambdaWorld,
  type RuleWorld,
} from '../support/ops-fakes';

const NOW = new Date('2026-01-10T12:00:00Z');
let stack: LocalStack;
let names: WorkspaceNames;
let lambdaWorld: LambdaWorld;
let ruleWorld: RuleWorld;
let cloudWatchWorld: CloudWatchWorld;

beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() });
  names = workspaceNames(stack.workspace);
});
afterAll(async () => {
  await stack.stop();
});

beforeEach(async () => {
  lambdaWorld = healthyLambdaWorld(names, { dlqUrl: stack.dlqUrl, topicArn: stack.alertsTopicArn, scope: stack.scope });
  ruleWorld = healthyRuleWorld(names);
  cloudWatchWorld = healthyCloudWatchWorld(names);
  await recordSweepRun(new Date(NOW.getTime() - 2 * 3_600_000));
});

async function recordSweepRun(at: Date): Promise<void> {
  const runId = `run-${at.getTime()}`;
  expect(await acquireSweepLease(stack.dynamodb, stack.tables.settlements, runId, at, 60_000)).toBe(true);
  expect(await saveSweepState(stack.dynamodb, stack.tables.settlements, runId, {}, at)).toBe(true);
}

function deps(overrides: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    names,
    dynamodb: stack.dynamodb,
    sqs: stack.sqs,
    sns: stack.sns,
    lambda: fakeLambda(lambdaWorld),
    eventBridge: fakeEventBridge(ruleWorld),
    cloudWatch: fakeCloudWatch(cloudWatchWorld),
    alertsTopicArn: stack.alertsTopicArn,
    eventBusName: names.eventBus,
    expectedRuntime: TERRAFORM_DEFAULTS.lambdaRuntime,
    sweepIntervalMs: scheduleIntervalMs(TERRAFORM_DEFAULTS.sweepScheduleExpression)!,
    dynamoDbIsEmulator: true,
    now: () => NOW,
    ...overrides,
  };
}

const red = (checks: CheckResult[]) => checks.filter((c) => !c.ok);
/** Renaming a resource in `names` also (rightly) turns the functions whose environment names it red; ignore those here. */
const notFunctions = (checks: CheckResult[]) => checks.filter((c) => !c.name.startsWith('function '));
async function onlyRed(overrides: Partial<DoctorDeps> = {}): Promise<CheckResult[]> {
  return red((await runDoctor(deps(overrides))).checks);
}

test('a healthy workspace is all green; PITR says honestly that DynamoDB Local cannot answer', async () => {
  const report = await runDoctor(deps());
  expect(red(report.checks)).toEqual([]);
  expect(report.ok).toBe(true);
  const names = report.checks.map((c) => c.name);
  // One line per table (+PITR), function (+alias), rule (+target), the DLQ (+depth), alarms (2), topic, sweep (freshness, hold expiry).
  expect(report.checks).toHaveLength(31);
  expect(names).toContain(`table ${stack.tables.ledger}`);
  const pitr = report.checks.find((c) => c.name === `pitr ${stack.tables.ledger}`)!;
  expect(pitr).toMatchObject({ ok: true, skipped: true });
  expect(pitr.detail).toMatch(/DynamoDB Local does not implement DescribeContinuousBackups/);
  expect(report.checks.find((c) => c.name === 'sweep freshness')!.detail).toMatch(/last run 2 h 0 min ago/);
  expect(report.checks.find((c) => c.name.startsWith('topic '))!.detail).toMatch(/1 confirmed \(sqs\)/);
});

describe('tables', () => {
  test('a missing table is red, and so is its PITR line', async () => {
    const broken = { ...names, tables: { ...names.tables, ledger: `Ledger-missing-${stack.workspace}` } };
    const checks = notFunctions(await onlyRed({ names: broken }));
    expect(checks.map((c) => c.name)).toEqual([
      `table Ledger-missing-${stack.workspace}`,
      `pitr Ledger-missing-${stack.workspace}`,
    ]);
    expect(checks[0]!.detail).toMatch(/does not exist/);
  });

  test('PITR off is red; PITR on is green; an unanswerable PITR on real AWS is red', async () => {
    const pitrAnswer = (status: 'ENABLED' | 'DISABLED') =>
      fakeAws(
        makeDynamoDbClient({ endpoint: dynamoEndpoint(), region: 'us-east-1' }),
        {
          DescribeContinuousBackupsCommand: (input) => ({
            ContinuousBackupsDescription: {
              ContinuousBackupsStatus: 'ENABLED',
              PointInTimeRecoveryDescription:
                input.TableName === stack.tables.credits
                  ? { PointInTimeRecoveryStatus: status }
                  : {
                      PointInTimeRecoveryStatus: 'ENABLED',
                      EarliestRestorableDateTime: new Date('2026-01-01T00:00:00Z'),
                    },
            },
          }),
        },
        { passThrough: true },
      );
    const off = await onlyRed({ dynamodb: pitrAnswer('DISABLED') });
    expect(off.map((c) => c.name)).toEqual([`pitr ${stack.tables.credits}`]);
    expect(off[0]!.detail).toMatch(/DISABLED/);
    const on = await runDoctor(deps({ dynamodb: pitrAnswer('ENABLED') }));
    expect(on.checks.filter((c) => c.name.startsWith('pitr ')).every((c) => c.ok && !c.skipped)).toBe(true);
    // Not an emulator: the same UnknownOperationException is no excuse.
    const real = await onlyRed({ dynamoDbIsEmulator: false });
    expect(real.map((c) => c.name).sort()).toEqual(
      Object.values(stack.tables)
        .map((t) => `pitr ${t}`)
        .sort(),
    );
  });
});

describe('functions', () => {
  test('missing function, wrong runtime, failed update, missing or wrong environment are red', async () => {
    lambdaWorld.functions.delete(names.functions.sweep);
    lambdaWorld.functions.get(names.functions.debit)!.Runtime = 'nodejs22.x';
    lambdaWorld.functions.get(names.functions['replay-dlq'])!.LastUpdateStatus = 'Failed';
    const refundEnv = lambdaWorld.functions.get(names.functions.refund)!.Environment;
    delete refundEnv.DLQ_URL;
    refundEnv.LEDGER_TABLE = 'Ledger-prod';
    const checks = await onlyRed();
    const byName = Object.fromEntries(checks.map((c) => [c.name, c.detail]));
    expect(Object.keys(byName).sort()).toEqual([
      'alias sweep:live',
      'function debit',
      'function refund',
      'function replay-dlq',
      'function sweep',
    ]);
    expect(byName['function debit']).toMatch(/runtime nodejs22.x \(expected nodejs24.x\)/);
    expect(byName['function refund']).toMatch(/missing DLQ_URL/);
    expect(byName['function refund']).toMatch(
      new RegExp(`LEDGER_TABLE=Ledger-prod \\(expected ${stack.tables.ledger}\\)`),
    );
    expect(byName['function replay-dlq']).toMatch(/last update Failed/);
    expect(byName['function sweep']).toMatch(/does not exist/);
  });

  test("an environment pointing at another workspace's DLQ, topic or bus is red", async () => {
    lambdaWorld.functions.get(names.functions.debit)!.Environment.DLQ_URL = 'https://sqs/123/cc-reconciler-dlq-prod';
    lambdaWorld.functions.get(names.functions.sweep)!.Environment.ALERTS_TOPIC_ARN =
      'arn:aws:sns:us-east-1:1:ops-alerts-prod';
    lambdaWorld.functions.get(names.functions['replay-dlq'])!.Environment.EVENT_BUS_NAME = 'other-bus';
    expect((await onlyRed()).map((c) => c.name).sort()).toEqual([
      'function debit',
      'function replay-dlq',
      'function sweep',
    ]);
  });

  test('no alias live, or live on $LATEST, is red; without live there is no running configuration to read either', async () => {
    lambdaWorld.functions.get(names.functions.debit)!.live = undefined;
    lambdaWorld.functions.get(names.functions.refund)!.live = '$LATEST';
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual(['function debit', 'alias debit:live', 'alias refund:live']);
    expect(checks[0]!.detail).toMatch(/debit-.*:live does not exist \(the function, or its alias live\)/);
    expect(checks[1]!.detail).toMatch(/no alias live/);
    expect(checks[2]!.detail).toMatch(/\$LATEST, not a published version/);
  });

  test('variables the handler does not read are red: an endpoint override, NODE_OPTIONS, anything else (L1)', async () => {
    lambdaWorld.functions.get(names.functions.debit)!.Environment.AWS_ENDPOINT_URL_DYNAMODB =
      'https://dynamodb.attacker.example';
    lambdaWorld.functions.get(names.functions.refund)!.Environment.NODE_OPTIONS = '--require /tmp/x.js';
    lambdaWorld.functions.get(names.functions['replay-dlq'])!.Environment.JOBS_TABLE = stack.tables.jobs;
    const byName = Object.fromEntries((await onlyRed()).map((c) => [c.name, c.detail]));
    expect(Object.keys(byName).sort()).toEqual(['function debit', 'function refund', 'function replay-dlq']);
    expect(byName['function debit']).toMatch(
      /unexpected AWS_ENDPOINT_URL_DYNAMODB \(the handler reads only JOBS_TABLE, .*; an AWS_ENDPOINT_URL\* variable redirects its requests/,
    );
    expect(byName['function refund']).toMatch(/unexpected NODE_OPTIONS/);
    // The value of an unexpected variable is not printed (it may be anything).
    expect(byName['function refund']).not.toContain('/tmp/x.js');
    expect(byName['function replay-dlq']).toMatch(/unexpected JOBS_TABLE/);
  });

  test.each([
    [
      'a look-alike host with the right queue name (passed the old suffix check)',
      (_url: string) => `https://evil.example/123456789012/${names.dlq}`,
      /DLQ_URL https:\/\/evil\.example\/.* is not an SQS queue URL/,
    ],
    [
      'the same queue in another account',
      (url: string) => url.replace('000000000000', '999999999999'),
      /DLQ_URL .* is in account 999999999999, not 000000000000/,
    ],
    [
      'an AWS queue in another region',
      () => `https://sqs.eu-west-1.amazonaws.com/000000000000/${names.dlq}`,
      /DLQ_URL .* is in region eu-west-1, not us-east-1/,
    ],
  ])('a DLQ_URL naming %s is red', async (_, url, why) => {
    for (const handler of ['debit', 'refund', 'replay-dlq'] as const) {
      const env = lambdaWorld.functions.get(names.functions[handler])!.Environment;
      env.DLQ_URL = url(env.DLQ_URL!);
    }
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual(['function debit', 'function refund', 'function replay-dlq']);
    for (const c of checks) expect(c.detail).toMatch(why);
  });

  test('a configuration that names no function ARN cannot vouch for its DLQ_URL: red, saying so', async () => {
    lambdaWorld.omitFunctionArn = true;
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual(['function debit', 'function refund', 'function replay-dlq']);
    for (const c of checks)
      expect(c.detail).toMatch(/DLQ_URL cannot be checked: the configuration names no function ARN/);
  });

  test('the configuration checked is the one live runs, not $LATEST', async () => {
    const debit = lambdaWorld.functions.get(names.functions.debit)!;
    // An unpublished change on $LATEST is not what runs: green.
    debit.latest = { Runtime: 'nodejs22.x', Environment: { ...debit.Environment, NODE_OPTIONS: '--inspect' } };
    expect(await onlyRed()).toEqual([]);
    // The live version itself carries the extra variable: red, even with a clean $LATEST.
    debit.latest = { Environment: { ...debit.Environment } };
    debit.Environment.NODE_OPTIONS = '--require /tmp/x.js';
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual(['function debit']);
    expect(checks[0]!.detail).toMatch(
      new RegExp(`^${names.functions.debit}:live \\(version 3\\): unexpected NODE_OPTIONS`),
    );
    const lambda = fakeLambda(lambdaWorld);
    await runDoctor(deps({ lambda }));
    const asked = lambda.calls
      .filter((c) => c.command === 'GetFunctionConfigurationCommand')
      .map((c) => c.input.Qualifier);
    expect(asked).toEqual(['live', 'live', 'live', 'live', 'live']);
  });

  test('an AWS error (no permission) is a red line, not a crash', async () => {
    lambdaWorld.failWith = awsError(
      'AccessDeniedException',
      'User is not authorized to perform: lambda:GetFunctionConfiguration',
    );
    const checks = await onlyRed();
    expect(checks).toHaveLength(10);
    expect(checks[0]!.detail).toMatch(/could not check: AccessDeniedException: User is not authorized/);
  });
});

describe('rules', () => {
  test('a disabled, missing or mis-targeted rule is red', async () => {
    ruleWorld.get(names.rules.video_rendered.name)!.state = 'DISABLED';
    ruleWorld.get(names.rules.video_failed.name)!.targets = [liveArn(names.functions.refund, '')];
    ruleWorld.delete(names.rules.sweep_schedule.name);
    const checks = await onlyRed();
    const byName = Object.fromEntries(checks.map((c) => [c.name, c.detail]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        `rule ${names.rules.sweep_schedule.name}`,
        `rule ${names.rules.sweep_schedule.name} target`,
        `rule ${names.rules.video_failed.name} target`,
        `rule ${names.rules.video_rendered.name}`,
      ].sort(),
    );
    expect(byName[`rule ${names.rules.video_rendered.name}`]).toMatch(
      new RegExp(`DISABLED on bus ${names.eventBus}: events of this rule are being DROPPED`),
    );
    expect(byName[`rule ${names.rules.video_failed.name} target`]).toMatch(/expected exactly one target/);
  });

  test('targets: $LATEST, the wrong function, or a second target are red; a disabled schedule says paused?', async () => {
    ruleWorld.get(names.rules.video_rendered.name)!.targets = [liveArn(names.functions.debit, '$LATEST')];
    ruleWorld.get(names.rules.video_failed.name)!.targets = [
      liveArn(names.functions.refund),
      liveArn(names.functions.refund),
    ];
    ruleWorld.get(names.rules.sweep_schedule.name)!.state = 'DISABLED';
    const checks = await onlyRed();
    expect(checks.map((c) => c.name).sort()).toEqual(
      [
        `rule ${names.rules.sweep_schedule.name}`,
        `rule ${names.rules.video_failed.name} target`,
        `rule ${names.rules.video_rendered.name} target`,
      ].sort(),
    );
    expect(checks.find((c) => c.name === `rule ${names.rules.sweep_schedule.name}`)!.detail).toMatch(/paused/);
  });

  test('event rules are looked up on the configured bus', async () => {
    expect(notFunctions(await onlyRed({ eventBusName: 'video-bus' })).map((c) => c.name)).toEqual([
      `rule ${names.rules.video_rendered.name}`,
      `rule ${names.rules.video_rendered.name} target`,
      `rule ${names.rules.video_failed.name}`,
      `rule ${names.rules.video_failed.name} target`,
    ]);
  });
});

describe('dlq', () => {
  test('a missing DLQ is red', async () => {
    const checks = notFunctions(
      await onlyRed({ names: { ...names, dlq: `cc-reconciler-dlq-missing-${stack.workspace}` } }),
    );
    expect(checks.map((c) => c.name)).toEqual([
      `dlq cc-reconciler-dlq-missing-${stack.workspace}`,
      `dlq cc-reconciler-dlq-missing-${stack.workspace} waiting`,
    ]);
  });

  test("messages waiting are red, with the oldest one's age from CloudWatch", async () => {
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.dlqUrl, MessageBody: '{"test":1}' }));
    try {
      cloudWatchWorld.dlqOldestAgeSeconds = 3 * 3600 + 120;
      let checks = await onlyRed();
      expect(checks.map((c) => c.name)).toEqual([`dlq ${names.dlq} waiting`]);
      expect(checks[0]!.detail).toMatch(/^1 waiting, oldest 3 h 2 min: .*make replay-dlq WS=/);
      cloudWatchWorld.dlqOldestAgeSeconds = undefined;
      checks = await onlyRed();
      expect(checks[0]!.detail).toMatch(/oldest age unknown \(no CloudWatch datapoint/);
    } finally {
      const { Messages = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10 }),
      );
      for (const m of Messages)
        await stack.sqs.send(new DeleteMessageCommand({ QueueUrl: stack.dlqUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  });
});

describe('alarms', () => {
  test('a missing alarm, or one in ALARM, is red', async () => {
    cloudWatchWorld.alarms.delete(`${names.alarmPrefix}-drift`);
    cloudWatchWorld.alarms.set(`${names.alarmPrefix}-debit-errors`, 'ALARM');
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual([
      `alarms ${names.alarmPrefix}-* exist`,
      `alarms ${names.alarmPrefix}-* not in ALARM`,
    ]);
    expect(checks[0]!.detail).toMatch(new RegExp(`1 of ${names.alarms.length} missing: ${names.alarmPrefix}-drift`));
    expect(checks[1]!.detail).toMatch(new RegExp(`1 in ALARM: ${names.alarmPrefix}-debit-errors since`));
  });
});

describe('topic', () => {
  test('no confirmed subscription is red: none at all, or only pending ones', async () => {
    const sns = makeSnsClient({ endpoint: sqsEndpoint(), region: 'us-east-1' });
    const { TopicArn: lonely } = await sns.send(
      new CreateTopicCommand({ Name: `ops-alerts-lonely-${stack.workspace}` }),
    );
    let checks = await onlyRed({ alertsTopicArn: lonely });
    expect(checks.map((c) => c.name)).toEqual([`topic ${names.alertsTopic} subscribers`]);
    expect(checks[0]!.detail).toMatch(/no confirmed subscription: alarms page nobody/);

    const pending = fakeAws(
      new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'f', secretAccessKey: 'f' } }),
      {
        ListSubscriptionsByTopicCommand: () => ({
          Subscriptions: [
            { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'oncall@example.com' },
          ],
        }),
      },
    );
    checks = await onlyRed({ sns: pending });
    expect(checks[0]!.detail).toMatch(/no confirmed subscription, 1 pending confirmation/);
    sns.destroy();
  });

  test('without ALERTS_TOPIC_ARN the topic is found by name, and a missing topic is red', async () => {
    const found = await runDoctor(deps({ alertsTopicArn: undefined }));
    expect(found.checks.find((c) => c.name.startsWith('topic '))).toMatchObject({ ok: true });
    const missing = notFunctions(
      await onlyRed({
        alertsTopicArn: undefined,
        names: { ...names, alertsTopic: `ops-alerts-missing-${stack.workspace}` },
      }),
    );
    expect(missing[0]!.detail).toMatch(/not found/);
  });
});

describe('sweep freshness', () => {
  test('a sweep older than its interval (+30 min) is red; within it is green', async () => {
    await recordSweepRun(new Date(NOW.getTime() - 7 * 3_600_000));
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual(['sweep freshness']);
    expect(checks[0]!.detail).toMatch(/last run 7 h 0 min ago .* more than interval 6 h 0 min \+ 30 min/);
    await recordSweepRun(new Date(NOW.getTime() - 6 * 3_600_000 - 20 * 60_000));
    expect(await onlyRed()).toEqual([]);
  });

  test('a sweep that never ran is red', async () => {
    const other = await startLocalStack({ dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() });
    try {
      const otherNames = { ...names, tables: other.tables };
      const checks = notFunctions(await onlyRed({ names: otherNames, dynamodb: other.dynamodb }));
      expect(checks.map((c) => c.name)).toEqual(['sweep freshness']);
      expect(checks[0]!.detail).toMatch(/never completed a run/);
    } finally {
      await other.stop();
    }
  });
});

describe('hold expiry', () => {
  const HOLD_LIFE_S = 3_600;
  test('a hold still ACTIVE more than a sweep interval (+30 min) past its expiry is red; a fresher one is not', async () => {
    const holds = { dynamodb: stack.dynamodb, tables: stack.tables };
    await grantCredits(holds, {
      userId: 'doctor-user',
      credits: 10,
      reference: 'doctor-opening',
      description: 'opening',
    });
    // Expired 6 h 20 min before NOW: within the interval and its slack, not yet the sweep's fault.
    const recent = { ...holds, now: () => new Date(NOW.getTime() - HOLD_LIFE_S * 1000 - (6 * 60 + 20) * 60_000) };
    expect(
      await reserveHold(
        recent,
        { jobId: 'doctor-hold-recent', userId: 'doctor-user', credits: 1 },
        { defaultSeconds: HOLD_LIFE_S },
      ),
    ).toMatchObject({ status: 'held' });
    expect(await onlyRed()).toEqual([]);
    const old = { ...holds, now: () => new Date(NOW.getTime() - HOLD_LIFE_S * 1000 - 7 * 3_600_000) };
    expect(
      await reserveHold(
        old,
        { jobId: 'doctor-hold-old', userId: 'doctor-user', credits: 1 },
        { defaultSeconds: HOLD_LIFE_S },
      ),
    ).toMatchObject({ status: 'held' });
    const checks = await onlyRed();
    expect(checks.map((c) => c.name)).toEqual(['hold expiry']);
    expect(checks[0]!.detail).toMatch(
      new RegExp(`a hold that expired at ${new Date(NOW.getTime() - 7 * 3_600_000).toISOString()} is still ACTIVE`),
    );
    // Once the sweep ends them, the check is green again.
    await endHold({ ...holds, now: () => NOW }, 'doctor-hold-old', 'EXPIRED');
    await endHold({ ...holds, now: () => NOW }, 'doctor-hold-recent', 'EXPIRED');
    expect(await onlyRed()).toEqual([]);
  });
});

describe('reconciler doctor (CLI)', () => {
  async function runCli(
    overrides: { lambda?: LambdaWorld } = {},
  ): Promise<{ code: number; text: string; json: { ok: boolean; checks: CheckResult[] } }> {
    const io = {
      sqs: stack.sqs,
      sns: stack.sns,
      lambda: fakeLambda(overrides.lambda ?? lambdaWorld),
      eventBridge: fakeEventBridge(ruleWorld),
      cloudWatch: fakeCloudWatch(cloudWatchWorld),
      now: () => NOW,
      color: false,
      env: stack.env(),
    };
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const human = await runDoctorCommand(
        [],
        createContext({ json: false, workspace: stack.workspace, endpoint: stack.endpoints.dynamodb }),
        io,
      );
      const text = lines.join('');
      lines.length = 0;
      const code = await runDoctorCommand(
        [],
        createContext({ json: true, workspace: stack.workspace, endpoint: stack.endpoints.dynamodb }),
        io,
      );
      expect(code).toBe(human);
      return { code, text, json: JSON.parse(lines.join('')) };
    } finally {
      spy.mockRestore();
    }
  }

  test('green: exit 0, one line per check, PITR marked SKIP', async () => {
    const { code, text, json } = await runCli();
    expect(code).toBe(EXIT.ok);
    expect(json.ok).toBe(true);
    expect(text).toMatch(/^ {2}SKIP {2}pitr /m);
    expect(text).toMatch(/^ {2}PASS {2}sweep freshness/m);
    expect(text).toMatch(/doctor: ready \(31 checks, 4 not verifiable here\)/);
  });

  test('red: exit 1 and the failing line says what to do', async () => {
    lambdaWorld.functions.get(names.functions.refund)!.live = undefined;
    const { code, text } = await runCli();
    expect(code).toBe(EXIT.findings);
    expect(text).toMatch(/^ {2}FAIL {2}alias refund:live +.*no alias live: triggers have nothing to invoke/m);
    expect(text).toMatch(/doctor: NOT READY: 2 of 31 checks failed/);
  });

  test("without --bus or EVENT_BUS_NAME the event rules are looked for on the workspace's own bus", async () => {
    const { EVENT_BUS_NAME: _bus, ...env } = stack.env();
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const eventBridge = fakeEventBridge(ruleWorld);
    try {
      const io = {
        sqs: stack.sqs,
        sns: stack.sns,
        lambda: fakeLambda(lambdaWorld),
        eventBridge,
        cloudWatch: fakeCloudWatch(cloudWatchWorld),
        now: () => NOW,
        color: false,
        env,
      };
      expect(
        await runDoctorCommand(
          [],
          createContext({ json: true, workspace: stack.workspace, endpoint: stack.endpoints.dynamodb }),
          io,
        ),
      ).toBe(EXIT.ok);
    } finally {
      spy.mockRestore();
    }
    expect(
      eventBridge.calls.filter((c) => c.input.Name === names.rules.video_failed.name).map((c) => c.input.EventBusName),
    ).toEqual([names.eventBus]);
  });

  test('no workspace is a usage error', async () => {
    await expect(runDoctorCommand([], createContext({ json: true }), { env: {} })).rejects.toThrow(/which workspace/);
  });
});
