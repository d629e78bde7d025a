/**
 * The perimeter checkers catch the small regressions, not only the gross ones of fixtures/broken:
 * each case below takes the real terraform/, changes one thing a reviewer could miss (a role added
 * to an exemption, one condition dropped, one queue swapped), and expects the checker to name it.
 */
import { allCheckers } from './checks';
import { blocks, first, isObject, loadTerraform, type Block, type Json, type TerraformConfig } from './hcl';
import { TERRAFORM_DIR, expectations } from './terraform-config';

let pristine: TerraformConfig;
beforeAll(async () => {
  pristine = await loadTerraform(TERRAFORM_DIR);
});

const expectAll = expectations();

/** The one block `kind.type.name` of a module directory, to change in place. */
function block(config: TerraformConfig, dir: string, kind: 'resource' | 'data', type: string, name: string): Block {
  const byType = config.modules[dir]?.json[kind];
  const body = isObject(byType) && isObject(byType[type]) ? first(byType[type][name]) : undefined;
  if (!body) throw new Error(`no ${kind} ${type}.${name} in ${dir || '.'}`);
  return body;
}

function statement(doc: Block, sid: string): Block {
  const st = [
    ...blocks(doc.statement),
    ...blocks(doc.dynamic)
      .flatMap((d) => blocks(d.statement))
      .flatMap((d) => blocks(d.content)),
  ].find((s) => s.sid === sid);
  if (!st) throw new Error(`no statement ${sid}`);
  return st;
}

function localsBlock(config: TerraformConfig, dir: string, name: string): Block {
  const found = blocks(config.modules[dir]?.json.locals).find((b) => name in b);
  if (!found) throw new Error(`no local ${name} in ${dir || '.'}`);
  return found;
}

/** One entry of local.triggers (events.tf): the values its rule, target and permission are made of. */
function trigger(config: TerraformConfig, key: string): Block {
  const entry = localsBlock(config, '', 'triggers').triggers;
  if (!isObject(entry) || !isObject(entry[key])) throw new Error(`no local.triggers.${key}`);
  return entry[key];
}

const replace = (value: Json | undefined, from: string, to: string): string => {
  const s = String(value);
  if (!s.includes(from)) throw new Error(`${from} not in ${s}`);
  return s.replace(from, to);
};

interface Mutation {
  checker: string;
  change: (c: TerraformConfig) => void;
  expected: string;
  alarmsRunbook?: (text: string) => string;
}

const CASES: Record<string, Mutation> = {
  'the bus policy forgets the replay role': {
    checker: 'eventBus',
    change: (c) => {
      const l = localsBlock(c, '', 'event_publisher_arns');
      l.event_publisher_arns = replace(l.event_publisher_arns, '[module.replay_dlq.role_arn], ', '');
    },
    expected: 'Deny does not exempt module.replay_dlq, which puts events on the bus',
  },
  'the bus policy also exempts the sweep': {
    checker: 'eventBus',
    change: (c) => {
      const l = localsBlock(c, '', 'event_publisher_arns');
      l.event_publisher_arns = replace(
        l.event_publisher_arns,
        '[module.replay_dlq.role_arn]',
        '[module.replay_dlq.role_arn, module.sweep.role_arn]',
      );
    },
    expected: 'Deny exempts module.sweep, which never puts events',
  },
  'the bus policy denies nothing but another source': {
    checker: 'eventBus',
    change: (c) => {
      const st = statement(
        block(c, '', 'data', 'aws_iam_policy_document', 'event_bus'),
        'OnlyKnownPublishersOfVideoGeneration',
      );
      blocks(st.condition).find((x) => x.variable === 'events:source')!.values = ['video.other'];
    },
    expected: 'Deny is not about events:source = video.generation',
  },
  'the producers Allow loses its source condition': {
    checker: 'eventBus',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'event_bus'), 'PublishVideoGeneration');
      st.condition = blocks(st.condition).filter((x) => x.variable !== 'events:source');
    },
    expected: 'statement PublishVideoGeneration allows PutEvents of any source',
  },
  'a rule stops pinning the account': {
    checker: 'eventBus',
    change: (c) => {
      const r = trigger(c, 'video_failed');
      r.event_pattern = replace(r.event_pattern, 'account       = local.event_accounts', '');
    },
    expected: 'aws_cloudwatch_event_rule.trigger["video_failed"] event pattern does not pin account',
  },
  'the replay grant loses its detail-type condition': {
    checker: 'publisherGrants',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'replay_dlq'), 'ReplayToBus');
      st.condition = blocks(st.condition).filter((x) => x.variable !== 'events:detail-type');
    },
    expected: 'statement ReplayToBus grants events:PutEvents without StringEquals events:detail-type',
  },
  'the replay grant names the default bus': {
    checker: 'publisherGrants',
    change: (c) => {
      statement(block(c, '', 'data', 'aws_iam_policy_document', 'replay_dlq'), 'ReplayToBus').resources = [
        'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      ];
    },
    expected: "not only on the rules' bus",
  },
  'the DLQ exempts the sweep role too': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'dlq'), 'OnlyOurRulesAndSettlementHandlers');
      blocks(st.condition).find((x) => x.variable === 'aws:PrincipalArn')!.values = [
        '${module.debit.role_arn}',
        '${module.refund.role_arn}',
        '${module.sweep.role_arn}',
      ];
    },
    expected: 'Deny exempts module.sweep, which never sends to dlq',
  },
  'the DLQ forgets the refund role': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'dlq'), 'OnlyOurRulesAndSettlementHandlers');
      blocks(st.condition).find((x) => x.variable === 'aws:PrincipalArn')!.values = ['${module.debit.role_arn}'];
    },
    expected: 'Deny does not exempt module.refund, which sends to dlq',
  },
  'the DLQ Deny gets an escape hatch': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'dlq'), 'OnlyOurRulesAndSettlementHandlers');
      st.condition = [
        ...blocks(st.condition),
        { test: 'StringNotEquals', variable: 'aws:PrincipalAccount', values: ['123456789012'] },
      ];
    },
    expected:
      'Deny must have exactly one static ArnNotEquals on aws:SourceArn (rules) and one on aws:PrincipalArn (roles), nothing else',
  },
  'the sweep-failures queue also lets the schedule rule of the DLQ in': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(
        block(c, '', 'data', 'aws_iam_policy_document', 'sweep_failures'),
        'OnlySweepScheduleSweepAndReplay',
      );
      blocks(st.condition).find((x) => x.variable === 'aws:SourceArn')!.values = [
        '${aws_cloudwatch_event_rule.trigger["sweep_schedule"].arn}',
        '${aws_cloudwatch_event_rule.trigger["video_failed"].arn}',
      ];
    },
    expected:
      'Deny exempts aws_cloudwatch_event_rule.trigger["video_failed"], which does not dead-letter into sweep_failures',
  },
  'the sweep schedule dead-letters into the money DLQ again': {
    checker: 'dlqSeparation',
    change: (c) => {
      trigger(c, 'sweep_schedule').dead_letter_arn = '${aws_sqs_queue.dlq.arn}';
    },
    expected: 'aws_cloudwatch_event_target.trigger["sweep_schedule"] (a schedule) dead-letters into the money DLQ dlq',
  },
  'every trigger target dead-letters into the money DLQ, whatever its entry says': {
    checker: 'dlqSeparation',
    change: (c) => {
      block(c, '', 'resource', 'aws_cloudwatch_event_target', 'trigger').dead_letter_config = [
        { arn: '${aws_sqs_queue.dlq.arn}' },
      ];
    },
    expected: 'aws_cloudwatch_event_target.trigger["sweep_schedule"] (a schedule) dead-letters into the money DLQ dlq',
  },
  'the sweep sends its failures to the money DLQ again': {
    checker: 'dlqSeparation',
    change: (c) => {
      (c.modules['']!.json.module as Record<string, Block[]>).sweep![0]!.on_failure_destination_arn =
        '${aws_sqs_queue.dlq.arn}';
    },
    expected: 'module.sweep sends its failed invocations to the money DLQ dlq',
  },
  'the ledger may be PartiQL-updated': {
    checker: 'tablePolicies',
    change: (c) => {
      statement(block(c, '', 'data', 'aws_iam_policy_document', 'ledger_table'), 'AppendOnlyLedger').actions = [
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ];
    },
    expected: 'does not deny dynamodb:PartiQL* (table ledger)',
  },
  'replay-dlq may write settlements': {
    checker: 'tablePolicies',
    change: (c) => {
      const l = localsBlock(c, '', 'settlements_writer_arns');
      l.settlements_writer_arns = replace(
        l.settlements_writer_arns,
        'module.sweep.role_arn',
        'module.sweep.role_arn, module.replay_dlq.role_arn',
      );
    },
    expected: 'lets module.replay_dlq write settlements',
  },
  'credits exempt the debit role': {
    checker: 'tablePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'credits_table'), 'BalancesOnlyByUpdate');
      st.condition = [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: ['${module.debit.role_arn}'] }];
      delete st.dynamic;
    },
    expected: 'lets module.debit write credits',
  },
  'the sweep-schedule rule loses its dead-letter alarm': {
    checker: 'dropAlarms',
    change: (c) => {
      delete ((c.modules['']!.json.module as Record<string, Block[]>).alerts![0]!.rules as Block).sweep_schedule;
    },
    expected: 'no InvocationsFailedToBeSentToDlq alarm for aws_cloudwatch_event_rule.trigger["sweep_schedule"]',
  },
  'a rule is watched on the wrong bus': {
    checker: 'dropAlarms',
    change: (c) => {
      (
        ((c.modules['']!.json.module as Record<string, Block[]>).alerts![0]!.rules as Block).video_rendered as Block
      ).event_bus_name = 'default';
    },
    expected: 'is given bus default, but the rule is on ${local.event_bus_name}',
  },
  'messages held invisible are alarmed after half an hour only': {
    checker: 'dropAlarms',
    change: (c) => {
      localsBlock(c, 'modules/alerts', 'dlq_in_flight_periods').dlq_in_flight_periods = 6;
    },
    expected: 'has no alarm on messages held invisible for an hour',
  },
  'the heartbeat treats silence as fine': {
    checker: 'dropAlarms',
    change: (c) => {
      block(c, 'modules/alerts', 'resource', 'aws_cloudwatch_metric_alarm', 'sweep_heartbeat').treat_missing_data =
        'notBreaching';
    },
    expected: 'no heartbeat alarm on SweepRuns',
  },
  'the archive keeps events forever': {
    checker: 'eventArchive',
    change: (c) => {
      block(c, '', 'resource', 'aws_cloudwatch_event_archive', 'this').retention_days = 0;
    },
    expected: 'retention_days is not a setting',
  },
  'the archive is of the default bus': {
    checker: 'eventArchive',
    change: (c) => {
      block(c, '', 'resource', 'aws_cloudwatch_event_archive', 'this').event_source_arn =
        'arn:aws:events:eu-west-1:123456789012:event-bus/default';
    },
    expected: "no aws_cloudwatch_event_archive of the rules' bus",
  },
  'an alarm loses its runbook row': {
    checker: 'alarmRunbook',
    change: () => {},
    alarmsRunbook: (t) => t.replace(/^\| `…-dlq-in-flight`.*\n/m, ''),
    expected: 'alarm …-dlq-in-flight (modules/alerts: aws_cloudwatch_metric_alarm.dlq_in_flight) has no row',
  },
  'the trail stops recording Settlements': {
    checker: 'dataEvents',
    change: (c) => {
      const l = localsBlock(c, '', 'data_events_tables');
      l.data_events_tables = (l.data_events_tables as string[]).filter((t) => !t.includes('settlements'));
    },
    expected: 'does not record data events of table settlements',
  },
  'prod turns the trail off': {
    checker: 'dataEvents',
    change: (c) => {
      c.tfvars.prod!.cloudtrail_data_events = false;
    },
    expected: 'workspaces/prod.tfvars must set cloudtrail_data_events = true',
  },
  'the bucket serves plain HTTP': {
    checker: 'dataEvents',
    change: (c) => {
      const doc = block(c, '', 'data', 'aws_iam_policy_document', 'data_events_bucket');
      doc.statement = blocks(doc.statement).filter((s) => s.sid !== 'TlsOnly');
    },
    expected: 'does not deny requests without TLS',
  },
  'anyone may put log files': {
    checker: 'dataEvents',
    change: (c) => {
      const doc = block(c, '', 'data', 'aws_iam_policy_document', 'data_events_bucket');
      doc.statement = blocks(doc.statement).filter((s) => s.sid !== 'OnlyThisTrailWrites');
    },
    expected: 'does not deny s3:PutObject to everyone but this trail',
  },
  'the topic key stops rotating': {
    checker: 'topicEncryption',
    change: (c) => {
      block(c, 'modules/alerts', 'resource', 'aws_kms_key', 'topic').enable_key_rotation = false;
    },
    expected: 'modules/alerts: aws_kms_key.topic does not enable key rotation',
  },
  'the sweep may no longer use the topic key': {
    checker: 'topicEncryption',
    change: (c) => {
      (c.modules['']!.json.module as Record<string, Block[]>).alerts![0]!.topic_publisher_role_arns = [];
    },
    expected: 'module.sweep publishes to the ops topic, but the key policy',
  },
  'the key policy delegates decryption to IAM': {
    checker: 'topicEncryption',
    change: (c) => {
      const st = statement(
        block(c, 'modules/alerts', 'data', 'aws_iam_policy_document', 'topic_key'),
        'AdministerThroughIam',
      );
      st.actions = [...(st.actions as string[]), 'kms:Decrypt'];
    },
    expected: 'statement AdministerThroughIam delegates use of the key to IAM',
  },
  'prod may plan without subscribers': {
    checker: 'prodGuard',
    change: (c) => {
      const guard = block(c, '', 'resource', 'terraform_data', 'prod_guard');
      const lifecycle = first(guard.lifecycle)!;
      lifecycle.precondition = blocks(lifecycle.precondition).filter(
        (p) => !String(p.condition).includes('alarm_email_subscriptions'),
      );
    },
    expected: 'no precondition refuses a prod plan without alarm_email_subscriptions',
  },
};

test('every perimeter checker has at least one mutation case', () => {
  const perimeter = [
    'eventBus',
    'publisherGrants',
    'queuePolicies',
    'dlqSeparation',
    'tablePolicies',
    'dropAlarms',
    'eventArchive',
    'alarmRunbook',
    'dataEvents',
    'topicEncryption',
    'prodGuard',
  ];
  expect(perimeter.every((name) => name in allCheckers(expectAll))).toBe(true);
  expect([...new Set(Object.values(CASES).map((m) => m.checker))].sort()).toEqual([...perimeter].sort());
});

test.each(Object.entries(CASES))('%s', (_, mutation) => {
  const config = structuredClone(pristine);
  mutation.change(config);
  const changed = mutation.alarmsRunbook
    ? { ...expectAll, alarmsRunbook: mutation.alarmsRunbook(expectAll.alarmsRunbook) }
    : expectAll;
  // The checker passes the real configuration and alarms runbook, and names the one change.
  expect(allCheckers(expectAll)[mutation.checker]!(pristine)).toEqual([]);
  expect(allCheckers(changed)[mutation.checker]!(config).join('\n')).toContain(mutation.expected);
});
